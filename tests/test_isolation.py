"""Worker processes: forked directly by a single-threaded process, from the fork server by a threaded one."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator

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
