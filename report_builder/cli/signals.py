"""Ctrl-C and SIGTERM for the command line: installed first, said in one Chinese line, exit code 1.

SIGINT and SIGTERM raise KeyboardInterrupt (so `finally` blocks still clean up); a forked worker ends
quietly (its parent reports the file); the third signal ends the process at once. This module imports
nothing heavy: the handlers are in place before the rest of the command is imported.
"""


from __future__ import annotations

import os
import signal
import sys

__all__ = ["INTERRUPTED", "INTERRUPTED_EXIT", "forget_interrupt", "install_handlers", "interrupted", "interrupted_text",
           "quiet_signals", "say_interrupted"]

INTERRUPTED = "已中断，本次运行未完成。"
INTERRUPTED_EXIT = 1
_FORCE_AFTER = 3  # the third signal ends the process at once, even if a cleanup hangs

_state = {"pid": 0, "signals": 0}


def forget_interrupt() -> None:
    """CPython remembers a KeyboardInterrupt that passed through eval() of a string (pydantic evaluates
    annotations that way while the CLI is imported) and, at exit, kills the process with SIGINT instead
    of returning our exit code. Evaluating a string clears that flag (`_Py_UnhandledKeyboardInterrupt`)."""
    exec("")  # noqa: S102 - a constant empty string: no code runs


def install_handlers() -> None:
    _state["pid"], _state["signals"] = os.getpid(), 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)
    sys.unraisablehook = _on_unraisable


def interrupted() -> bool:
    """Whether Ctrl-C or SIGTERM arrived: any error after that is a consequence of it."""
    return _state["signals"] > 0


def say_interrupted() -> None:
    try:  # noqa: SIM105 - contextlib costs an import before the handlers are in place
        print(interrupted_text(), file=sys.stderr, flush=True)
    except (OSError, ValueError):  # stderr closed or gone: the exit code still says it
        pass


def interrupted_text() -> str:
    """INTERRUPTED, or what was published whole before the interruption (outputs.versions.PUBLISHED)."""
    versions = sys.modules.get("report_builder.outputs.versions")  # never imported here: only if it ran
    published = getattr(versions, "PUBLISHED", None)
    count, last = getattr(published, "count", 0), getattr(published, "last", None)
    if not count:
        return INTERRUPTED
    if count == 1:
        return f"已中断：中断前已完整写出 {last}，其后的步骤未完成。"
    return f"已中断：中断前已完整写出 {count} 个文件（最后一个是 {last}），其后的步骤未完成。"


def _on_signal(signum: int, frame: object) -> None:
    if os.getpid() != _state["pid"]:  # a forked worker: end quietly, the parent reports the file
        os._exit(INTERRUPTED_EXIT)
    _state["signals"] += 1
    if _state["signals"] == 1:
        raise KeyboardInterrupt
    if _state["signals"] >= _FORCE_AFTER:
        say_interrupted()
        os._exit(INTERRUPTED_EXIT)
    # the second signal: the first one is already unwinding through the cleanups; let them finish


def _on_unraisable(unraisable: sys.UnraisableHookArgs) -> None:
    """A KeyboardInterrupt raised inside a weakref callback or __del__ is swallowed by Python (with a
    traceback): deliver it again a moment later, when the program is back in ordinary code."""
    if not isinstance(unraisable.exc_value, KeyboardInterrupt) or os.getpid() != _state["pid"]:
        if _state["signals"] and os.getpid() == _state["pid"]:
            return  # a consequence of the interruption (e.g. multiprocessing's Finalize cut off half made): quiet
        sys.__unraisablehook__(unraisable)
        return
    _state["signals"] = 0
    signal.signal(signal.SIGALRM, _on_signal)  # not now (inside the hook it would be dropped again): in 1 ms
    signal.setitimer(signal.ITIMER_REAL, 0.001)


def quiet_signals() -> None:
    """From here on Ctrl-C and SIGTERM are ignored: an interruption while the interpreter shuts down would
    print a traceback."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
