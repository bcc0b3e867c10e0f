"""Worker processes: forked directly by a single-threaded process, from the fork server by a threaded one."""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from report_builder import isolation
from report_builder.isolation import Crash, run_isolated


def parent_and_value(x: int, *, scale: int) -> tuple[int, int]:
    return os.getppid(), scale * x


def abort(x: int) -> int:
    if x == 3:
        os.abort()
    return x


@pytest.fixture
def another_thread() -> Iterator[None]:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_a_single_threaded_process_forks_its_workers() -> None:
    results = run_isolated(functools.partial(parent_and_value, scale=2), range(5), workers=2)
    assert results == [(os.getpid(), 2 * i) for i in range(5)]


def test_a_threaded_process_uses_the_fork_server(another_thread: None) -> None:
    results = run_isolated(functools.partial(parent_and_value, scale=3), range(50), workers=2)
    assert [r[1] for r in results if not isinstance(r, Crash)] == [3 * i for i in range(50)]
    parents = {r[0] for r in results if not isinstance(r, Crash)}
    assert os.getpid() not in parents and len(parents) == 1  # all forked by the one fork server


def test_the_fork_server_isolates_a_crash_too(another_thread: None) -> None:
    assert run_isolated(abort, range(6), workers=2) == [0, 1, 2, Crash("crashed", "exit code -6"), 4, 5]


def test_a_lambda_still_runs_when_threaded(another_thread: None) -> None:
    assert run_isolated(lambda x: x + 1, [1, 2]) == [2, 3]  # forked: a fresh process could not import it


def test_start_workers_can_be_called_ahead_and_again() -> None:
    isolation.start_workers()
    isolation.start_workers()


def limits(x: int) -> tuple[int, int]:
    import resource

    return resource.getrlimit(resource.RLIMIT_CPU)[0], resource.getrlimit(resource.RLIMIT_CORE)[1]


def test_a_worker_has_a_cpu_cap_of_its_chunk_and_writes_no_core_file(another_thread: None) -> None:
    """The CPU cap ends a spinning worker even when its parent was killed and cannot time it out."""
    results = run_isolated(limits, [1], workers=1, timeout_s=3.0)
    assert results == [(3 * 1 + 2, 0)]


def spin(x: int) -> int:
    while True:
        x += 1


def test_a_worker_that_spins_past_its_cpu_cap_is_ended_by_the_kernel(tmp_path: Path) -> None:
    """The worker's own code under no parent clock (as after its parent was killed): SIGXCPU ends it."""
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    stderr = tmp_path / "stderr"
    stderr.touch()
    worker = multiprocessing.get_context("fork").Process(
        target=isolation._work, args=(spin, [(0, 0)], sender, str(stderr), 500, 0.5))
    worker.start()
    worker.join(timeout=30)
    assert worker.exitcode == -signal.SIGXCPU  # after int(0.5 × 1) + 2 = 2 s of CPU
    assert not list(tmp_path.glob("core*"))
