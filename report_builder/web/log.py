"""The desk's log (desk.log in the state folder): one line per request, per checked upload, per unexpected error.

Every field is escaped (`escaped`): what a request sent (a path with a newline, a tab, an escape sequence) never
makes a line of its own or a field of its own.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from report_builder.web.store import PRIVATE_FILE

__all__ = ["escaped", "log_line"]

FIELD_CHARACTERS = 1000  # of one field of a log line
_SPECIAL = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def escaped(text: str) -> str:
    """`text` on one line: tab, newline, a backslash and every character that is not printable written as an
    escape (\\t, \\n, \\x1b, \\u2028), clipped to FIELD_CHARACTERS."""
    clipped = text[:FIELD_CHARACTERS] + ("…" if len(text) > FIELD_CHARACTERS else "")
    return "".join(_SPECIAL.get(ch) or (ch if ch.isprintable() else
                                        f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
                   for ch in clipped)


def log_line(path: Path, *fields: str) -> None:
    """Append one line to the desk's log: the local time, then `fields` (each escaped), tab-separated, in one
    write (lines from concurrent requests do not interleave). A log that cannot be written (a full disk) loses
    the line, never the request."""
    line = "\t".join((dt.datetime.now().astimezone().isoformat(timespec="seconds"), *map(escaped, fields)))
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE)
        with open(descriptor, "a", encoding="utf-8") as log:
            log.write(line + "\n")
    except OSError:
        pass
