"""The command line, `report-builder`: a thin face over the public API (`report_builder.__all__`).

`entry()` is the program (the console script and `python -m report_builder`): it installs the signal
handlers first, then runs `main`. Importing this package costs nothing heavy: SIGINT and SIGTERM raise
KeyboardInterrupt (so `finally` blocks still clean up) and an interruption at any moment becomes one Chinese
line and exit code 1. `main(argv)` runs one command (cli.run: the parser of cli.parser, then the command's
module, imported only when that command runs: `--help` loads no document library).

    cli/parser.py      every command and option (argparse, in Chinese: cli/text.py)
    cli/run.py         the boundary: exit codes, errors said plainly, printed text escaped
    cli/year.py        check, build, templates, new-year, versions, diff
    cli/templates.py   check-template, fields, guide, formats
    cli/package.py     package          cli/serve.py  serve
    cli/console.py     tables and progress on the terminal;  cli/json_output.py  --json
"""

from __future__ import annotations

from report_builder.cli.signals import (
    INTERRUPTED_EXIT,
    forget_interrupt,
    install_handlers,
    interrupted,
    quiet_signals,
    say_interrupted,
)

__all__ = ["entry", "main"]


def main(argv: list[str] | None = None) -> int:
    """Run one command (`argv`, else the program's arguments) and return its exit code; no signal handlers."""
    from report_builder.cli.run import run

    return run(argv)


def entry() -> int:
    """The program: signal handlers, then `main`, an interruption said in one line."""
    install_handlers()
    try:
        code = main()
        if interrupted():  # swallowed on the way (a library's broad `except`): the user still pressed Ctrl-C
            say_interrupted()
            return INTERRUPTED_EXIT
        return code
    except BaseException:
        if not interrupted():  # SystemExit from argparse, or a bug: let Python say it
            raise
        say_interrupted()  # a KeyboardInterrupt, or what it became (a RuntimeError from __set_name__…)
        return INTERRUPTED_EXIT
    finally:
        quiet_signals()
        forget_interrupt()
