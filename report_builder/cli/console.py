"""What the command line shows on a terminal: tables in display width, progress, marks, and every printed
character escaped (display.escape) so that a file name cannot drive the terminal."""

from __future__ import annotations

import contextlib
import io
import sys
import time
import unicodedata
from collections.abc import Iterator, Sequence
from typing import TextIO, cast

from report_builder.display import escape
from report_builder.findings import Finding

__all__ = ["Progress", "escaped_output", "mark", "table"]


class Progress:
    """'已检查 12/40 个文件' on stderr, only on a terminal and only after the first second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and time.monotonic() - self.started > 1.0:  # our own text: "\r" may pass unescaped
            print(f"\r已检查 {done}/{total} 个文件", end="", file=unescaped(sys.stderr), flush=True)
            self.shown = True

    def close(self) -> None:
        if self.shown:
            print(file=sys.stderr)


@contextlib.contextmanager
def escaped_output() -> Iterator[None]:
    """While a command runs, everything printed goes through `display.escape` (newlines and tabs kept)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, _Escaping(sys.stdout)), cast(TextIO, _Escaping(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _Escaping(io.TextIOBase):
    """A text stream that shows control and format characters visibly before they reach the terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write("\n".join(escape(line, keep="\t") for line in text.split("\n")))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only on io.TextIOBase, a field in typeshed
        return self.stream.encoding


def unescaped(stream: TextIO) -> TextIO:
    return stream.stream if isinstance(stream, _Escaping) else stream


def mark(finding: Finding) -> str:
    return "✗" if finding.is_error else "!"


def table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
