"""The command line's exit codes: 0 ok, 1 problems in the inputs (said as findings), 2 a usage error,
3 an internal error (run again with --debug and send the output to the maintainers)."""

__all__ = ["INPUT_PROBLEMS", "INTERNAL", "OK", "USAGE"]

OK, INPUT_PROBLEMS, USAGE, INTERNAL = 0, 1, 2, 3
