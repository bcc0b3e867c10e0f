"""Run a function over many items in worker processes, so one bad item cannot take the run down.

Workers are forked (they inherit `func` and `items`: nothing is pickled on the way in,
results are pickled on the way back). Each worker takes a chunk of items, so thousands
of small files do not pay one fork each, and runs under a memory cap (RLIMIT_AS: the
address space it inherited plus `memory_mb`) and a per-item timeout. When a worker
dies (abort, signal, OOM killer) or times out, the items of its chunk that had not
finished are retried one per process; only the item that fails alone gets a `Crash`.
The worker's stderr goes to a temporary file, so a Rust panic never reaches the user.
"""

from __future__ import annotations

import faulthandler
import gc
import multiprocessing
import os
import resource
import signal
import tempfile
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from typing import IO, Any, Literal, TypeVar

__all__ = ["Crash", "run_isolated"]

T = TypeVar("T")
R = TypeVar("R")

MAX_CHUNK = 32


@dataclass(frozen=True)
class Crash:
    """An item whose worker died, ran out of memory or took too long. `detail` is for developers."""

    reason: Literal["crashed", "memory", "timeout"]
    detail: str = ""


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    stderr: IO[bytes]
    todo: deque[int]
    deadline: float = 0.0
    done: list[int] = field(default_factory=list)


def run_isolated(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    workers: int | None = None,
    memory_mb: int = 500,
    timeout_s: float = 10.0,
    on_progress: Callable[[int, int], None] | None = None,
) -> list[R | Crash]:
    """Return `func(item)` for every item, in input order, or a `Crash` for the items that failed."""
    total = len(items)
    slots = max(1, min(workers or _cpu_count(), total))
    size = max(1, min(MAX_CHUNK, -(-total // slots)))  # few forks for a small year, ≤ MAX_CHUNK for balance
    queue = deque(deque(range(i, min(i + size, total))) for i in range(0, total, size))
    results: dict[int, R | Crash] = {}
    running: list[_Worker] = []
    context = multiprocessing.get_context("fork")

    def record(index: int, result: R | Crash) -> None:
        results[index] = result
        if on_progress is not None:
            on_progress(len(results), total)

    try:
        while queue or running:
            while queue and len(running) < slots:
                running.append(_start(context, func, items, queue.popleft(), memory_mb, timeout_s))
            timeout = min(w.deadline for w in running) - time.monotonic()
            ready = wait([w.conn for w in running] + [w.process.sentinel for w in running], max(0.0, timeout))
            for worker in list(running):
                if worker.conn in ready or worker.process.sentinel in ready:
                    _drain(worker, timeout_s, record)
                overdue = time.monotonic() > worker.deadline
                if worker.todo and not overdue and worker.process.exitcode is None:
                    continue
                _drain(worker, timeout_s, record)  # it may have sent its last results just before exiting
                running.remove(worker)
                crash = _stop(worker, graceful=not worker.todo)
                if len(worker.todo) == 1 and not worker.done:
                    record(worker.todo[0], crash)
                else:
                    queue.extendleft(deque([i]) for i in reversed(worker.todo))
    finally:
        for worker in running:
            _stop(worker, graceful=False)
    return [results[i] for i in range(total)]


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(context: multiprocessing.context.BaseContext, func: Callable[[T], R], items: Sequence[T],
           todo: deque[int], memory_mb: int, timeout_s: float) -> _Worker:
    receiver, sender = context.Pipe(duplex=False)
    stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _stop
    args = (func, items, list(todo), sender, stderr, memory_mb)
    process = context.Process(target=_work, args=args, daemon=True)  # type: ignore[attr-defined]
    process.start()
    sender.close()
    return _Worker(process, receiver, stderr, todo, time.monotonic() + timeout_s)


def _work(func: Callable[[T], R], items: Sequence[T], todo: list[int], conn: Connection,
          stderr: IO[bytes], memory_mb: int) -> None:
    """In the worker: cap memory, silence stderr, send (index, result) after each item."""
    os.dup2(stderr.fileno(), 2)
    faulthandler.disable()  # it may write to a copy of the parent's stderr
    os.environ["RUST_BACKTRACE"] = "0"  # a panic prints one line, fast
    gc.disable()  # a short-lived worker under a memory cap: the collector only costs time here
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inherited = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (inherited + memory_mb * 1024 * 1024, resource.RLIM_INFINITY))
    for index in todo:
        result: R | Crash
        try:
            result = func(items[index])
        except MemoryError:
            result = Crash("memory", "MemoryError")
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as error:  # a bug in func, or a Rust panic: report it, keep going
            result = Crash("crashed", f"{type(error).__name__}: {error}")
        conn.send((index, result))
    conn.close()


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _drain(worker: _Worker, timeout_s: float, record: Callable[[int, Any], None]) -> None:
    """Take every result the worker has sent so far."""
    try:
        while worker.conn.poll():
            index, result = worker.conn.recv()
            worker.todo.remove(index)
            worker.done.append(index)
            worker.deadline = time.monotonic() + timeout_s
            record(index, result)
    except (EOFError, OSError):
        pass


def _stop(worker: _Worker, *, graceful: bool) -> Crash:
    """End the worker (killing it unless it is finishing by itself) and say why it ended."""
    worker.process.join(timeout=1.0 if graceful else 0.0)
    timed_out = worker.process.exitcode is None
    if timed_out:
        worker.process.kill()
        worker.process.join()
    worker.conn.close()
    worker.stderr.seek(0)
    detail = worker.stderr.read(65536).decode("utf-8", errors="replace").strip()
    worker.stderr.close()
    if timed_out:
        return Crash("timeout", detail)
    code = worker.process.exitcode or 0
    reason: Literal["memory", "crashed"] = "crashed"
    if code == -signal.SIGKILL or "memory allocation of" in detail or "MemoryError" in detail:
        reason = "memory"  # SIGKILL: most likely the OOM killer; the others: allocation failures
    return Crash(reason, detail[:500] or f"exit code {code}")
