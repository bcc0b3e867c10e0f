"""The `report-builder` command: signal handlers first, then the CLI.

Importing the CLI takes a moment (pydantic, openpyxl…); Ctrl-C during it used to print a Python
traceback. This module imports nothing heavy: it makes SIGINT and SIGTERM raise KeyboardInterrupt
(so `finally` blocks still clean up), then imports and runs `cli.main`, and turns an interruption
at any moment into one Chinese line and exit code 1.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from types import FrameType

__all__ = ["INTERRUPTED", "main"]

INTERRUPTED = "已中断，本次运行未完成。"
INTERRUPTED_EXIT = 1
_FORCE_AFTER = 3  # the third signal ends the process at once, even if a cleanup hangs

_state = {"pid": 0, "signals": 0}


def main() -> int:
    install_handlers()
    try:
        from report_builder import cli

        return cli.main()
    except KeyboardInterrupt:
        say_interrupted()
        return INTERRUPTED_EXIT
    finally:  # an interruption while the interpreter shuts down would print a traceback
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)


def install_handlers() -> None:
    _state["pid"], _state["signals"] = os.getpid(), 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _on_signal)


def say_interrupted() -> None:
    with contextlib.suppress(OSError, ValueError):  # stderr closed or gone: the exit code still says it
        print(INTERRUPTED, file=sys.stderr, flush=True)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if os.getpid() != _state["pid"]:  # a forked worker: end quietly, the parent reports the file
        os._exit(INTERRUPTED_EXIT)
    _state["signals"] += 1
    if _state["signals"] == 1:
        raise KeyboardInterrupt
    if _state["signals"] >= _FORCE_AFTER:
        say_interrupted()
        os._exit(INTERRUPTED_EXIT)
    # the second signal: the first one is already unwinding through the cleanups; let them finish
