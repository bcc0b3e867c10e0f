"""Run a function over many items in worker processes, so one bad item cannot take the run down.

A single-threaded process (the command line) forks its workers itself. A process with other threads
(a server) must not fork: its workers are forked instead from multiprocessing's fork server, one
single-threaded helper process started once and kept for the life of the process (it imports
WORKER_MODULES when it starts; `start_workers` starts it ahead). The fork server receives `func` and
the chunk's items pickled: `func` must be a module's top-level function or a functools.partial of
one. A lambda or a closure cannot be sent, and is run in workers forked from this process even when
it has threads (compare/inputs.py's and compare/workbook_diff.py's lambdas, until they become top-level functions).
As with any multiprocessing fork server, each of its workers first imports the program's main script
(as `__mp_main__`): a threaded program guards its main code with `if __name__ == "__main__":`, and is a
file (a script read from stdin cannot be imported again: every worker would fail). A package's `__main__`
is not imported again: run a server as `python -m report_builder`, not `-m report_builder.cli` (whose
import every worker would repeat: 78 instead of 36 ms of CPU per check).

Results are pickled on the way back. Each worker takes a chunk of items, so thousands of small
files do not pay one fork each, and runs under a memory cap (RLIMIT_AS: the address space it
inherited plus `memory_mb`) and a per-item timeout. When a worker dies (abort, signal, OOM killer)
or times out, the items of its chunk that had not finished are retried one per process; only the
item that fails alone gets a `Crash`. The worker's stderr goes to a temporary file, so a Rust
panic never reaches the user.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import gc
import multiprocessing
import os
import resource
import signal
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from typing import IO, Any, Literal, TypeVar

__all__ = ["WORKER_MODULES", "Crash", "run_isolated", "start_workers"]

T = TypeVar("T")
R = TypeVar("R")

MAX_CHUNK = 32
# Imported once by the fork server, so that its workers start with them (the functions they run live there).
WORKER_MODULES = ("report_builder.checking", "report_builder.report.render", "report_builder.outputs.feedback")


@dataclass(frozen=True)
class Crash:
    """An item whose worker died, ran out of memory or took too long. `detail` is for developers."""

    reason: Literal["crashed", "memory", "timeout"]
    detail: str = ""

    def words(self, doing: str, memory_mb: int | None = None, timeout_s: float | None = None) -> str:
        """What happened, for a user: "读取时程序异常退出", "生成报告时占用内存超过上限（500 MB）",
        "检查模板超时（上限 10 秒）" (`doing`: what the worker was doing; the caps when known)."""
        if self.reason == "memory":
            return f"{doing}时占用内存超过上限" + (f"（{memory_mb} MB）" if memory_mb else "")
        if self.reason == "timeout":
            return f"{doing}超时" + (f"（上限 {timeout_s:g} 秒）" if timeout_s else "")
        return f"{doing}时程序异常退出"


@dataclass
class _Worker:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    stderr: IO[bytes]
    stderr_path: str
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
    context = _context(func)

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


def start_workers() -> None:
    """Start the fork server now (it imports WORKER_MODULES, which takes a moment), while the caller does
    other work; otherwise the first `run_isolated` starts it. It lives as long as this process."""
    _preload()
    forkserver.ensure_running()


@functools.cache
def _preload() -> None:
    """Tell multiprocessing's fork server (one per process) which modules to import when it starts."""
    forkserver.set_forkserver_preload(list(WORKER_MODULES))


def _context(func: Callable[..., Any]) -> multiprocessing.context.BaseContext:
    """A fork of this process when it runs no other thread (Python's or a library's), else the fork server
    (when a fresh process can import `func`: a top-level function, or a partial of one)."""
    target = func.func if isinstance(func, functools.partial) else func
    module = getattr(target, "__module__", None)
    importable = module not in (None, "__main__") and "<" not in getattr(target, "__qualname__", "<")
    if _threads() == 1 or not importable:
        return multiprocessing.get_context("fork")
    _preload()
    return multiprocessing.get_context("forkserver")


def _threads() -> int:
    """This process's threads, as the kernel counts them (threads started by native code included)."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:  # not on Linux
        return threading.active_count()


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _start(context: multiprocessing.context.BaseContext, func: Callable[[T], R], items: Sequence[T],
           todo: deque[int], memory_mb: int, timeout_s: float) -> _Worker:
    receiver, sender = context.Pipe(duplex=False)
    fd, stderr_path = tempfile.mkstemp(prefix="report-builder-worker-")  # the worker opens it by name
    stderr = os.fdopen(fd, "rb")
    args = (func, [(i, items[i]) for i in todo], sender, stderr_path, memory_mb, timeout_s)
    process = context.Process(target=_work, args=args, daemon=True)  # type: ignore[attr-defined]
    process.start()
    sender.close()
    return _Worker(process, receiver, stderr, stderr_path, todo, time.monotonic() + timeout_s)


def _work(func: Callable[[T], R], chunk: list[tuple[int, T]], conn: Connection, stderr_path: str,
          memory_mb: int, timeout_s: float) -> None:
    """In the worker: cap memory and CPU time, write no core file, silence stderr, send (index, result) after
    each item. The parent's per-item timeout comes first; the CPU cap (the chunk's timeouts, plus 2 s) ends a
    spinning worker whose parent was killed and cannot time it out any more."""
    stderr = os.open(stderr_path, os.O_WRONLY)
    os.unlink(stderr_path)  # nameless from now on: the parent reads it through its own descriptor
    os.dup2(stderr, 2)
    os.close(stderr)
    faulthandler.disable()  # it may write to a copy of the parent's stderr
    os.environ["RUST_BACKTRACE"] = "0"  # a panic prints one line, fast
    gc.disable()  # a short-lived worker under a memory cap: the collector only costs time here
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inherited = _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (inherited + memory_mb * 1024 * 1024, resource.RLIM_INFINITY))
    cpu_seconds = int(timeout_s * len(chunk)) + 2
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # an abort or SIGXCPU leaves no core file in the folder
    for index, item in chunk:
        result: R | Crash
        try:
            result = func(item)
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
    with contextlib.suppress(FileNotFoundError):  # the worker died before it opened the file
        os.unlink(worker.stderr_path)
    if timed_out:
        return Crash("timeout", detail)
    code = worker.process.exitcode or 0
    reason: Literal["memory", "crashed"] = "crashed"
    if code == -signal.SIGKILL or "memory allocation of" in detail or "MemoryError" in detail:
        reason = "memory"  # SIGKILL: most likely the OOM killer; the others: allocation failures
    return Crash(reason, detail[:500] or f"exit code {code}")
