"""The command line's boundary: parse, run the command's module, pick the exit code, say errors plainly.

Exit codes: 0 ok, 1 problems in the inputs, 2 usage error, 3 internal error. No traceback reaches a user
unless --debug is given; a known OSError (permissions, a full disk…) is said as a finding.
"""

from __future__ import annotations

import errno
import importlib
import os
import sys
import traceback
from collections.abc import Sequence

from report_builder import atomic
from report_builder.cli.console import escaped_output
from report_builder.cli.exits import INPUT_PROBLEMS, INTERNAL, OK, USAGE
from report_builder.cli.parser import make_parser
from report_builder.cli.signals import INTERRUPTED_EXIT, interrupted, say_interrupted
from report_builder.findings import Finding, sentence

__all__ = ["run"]


def run(argv: Sequence[str] | None = None) -> int:
    with escaped_output():
        return _run(argv)


def _run(argv: Sequence[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return USAGE
    try:
        module, _, name = str(args.run).partition(":")  # "year:build": the command's module, loaded now
        code: int = getattr(importlib.import_module(f"report_builder.cli.{module}"), name)(args)
        return code
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM (see cli/__init__.py); `finally` blocks have run
        say_interrupted()
        return INTERRUPTED_EXIT
    except BrokenPipeError:  # `report-builder check … | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except Exception as error:
        return _say_error(error, debug=args.debug)


def _say_error(error: Exception, *, debug: bool) -> int:
    """The boundary: an interruption's aftermath, a known OSError, or an internal error, said plainly."""
    if interrupted():  # Ctrl-C arrived, and what it interrupted failed in its own way
        say_interrupted()
        return INTERRUPTED_EXIT
    if isinstance(error, OSError):  # the last net: a known cause (permissions, full disk…) is said plainly
        finding = _os_error_finding(error)
        if finding is not None:
            print(finding if finding.file else f"{sentence(finding.message)}{finding.hint}", file=sys.stderr)
            return INPUT_PROBLEMS
    if debug:
        traceback.print_exc()
    else:
        print(f"内部错误：{type(error).__name__}。请加 --debug 重新运行并把输出发给维护人员。", file=sys.stderr)
    return INTERNAL


# errno → finding code, for OSErrors that reach `main` (write failures of outputs are findings earlier)
_OS_ERRORS = {
    errno.EACCES: "io-permission-denied", errno.EPERM: "io-permission-denied", errno.EROFS: "io-read-only",
    errno.ENOSPC: "io-disk-full", errno.EDQUOT: "io-disk-full", errno.ENAMETOOLONG: "io-name-too-long",
    errno.ENOENT: "io-not-found", errno.ENOTDIR: "io-not-a-folder", errno.EISDIR: "io-is-a-folder",
    errno.EEXIST: "io-exists",
}


def _os_error_finding(error: OSError) -> Finding | None:
    """The finding for an OSError of a known kind, naming its path (a temporary name shown as the real one)."""
    code = _OS_ERRORS.get(error.errno or 0)
    if code is None:
        return None
    path = os.fsdecode(error.filename) if error.filename is not None else ""
    return Finding(code, file=atomic.real_name(path))
