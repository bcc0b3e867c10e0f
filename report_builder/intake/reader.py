"""Untrusted file → `RawWorkbook` (every cell value at its absolute position), with python-calamine.

Run it in a worker process (`isolation.run_isolated`): calamine can abort the process
on a crafted file that `safety.precheck` did not foresee. `read_workbook` runs
`precheck` itself first, so it is safe to call on any file; it never raises. It parses
exactly the bytes it pre-checked (`read_bytes` reads a file once, after a size check),
so a caller can hash those bytes and know they are what was read.

Values are as calamine reads them, normalised: an empty cell is None, a whole number
is an int (Excel stores every number as a float; 7.0 → 7), dates follow the workbook's
date system (1900 or 1904), a formula gives its cached value, and text stays text
("2017.9.1", "12") for `cells.py` to interpret. A cell showing an Excel error (#DIV/0!)
or a formula with no cached value is a `CellError` (calamine reads both as "", so the
pre-check's scan finds them); hidden sheets and hidden rows are flagged on `RawSheet`.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import python_calamine as calamine

from report_builder.findings import Finding
from report_builder.intake.packages import MAX_FILE_BYTES
from report_builder.intake.safety import SheetMarks, is_old_format, precheck

__all__ = ["CellError", "CellValue", "RawSheet", "RawWorkbook", "read_bytes", "read_workbook"]


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell with no usable value: it shows an Excel error (`text` "#REF!"), or it holds a
    formula that was never calculated (`text` "", `formula` its text when known)."""

    text: str
    formula: str = ""

    def __str__(self) -> str:
        return self.text or (f"={self.formula}" if self.formula else "")


CellValue: TypeAlias = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | CellError | None
Row: TypeAlias = tuple[CellValue, ...]

_EXACT_INT = 2**53


@dataclass(frozen=True)
class RawSheet:
    """One worksheet: rows[0] is Excel row 1, rows[r][0] is column A.

    Rows are ragged: each stops at its last non-empty cell (an empty row is `()`),
    so use `value()` to read any position.
    """

    name: str
    rows: tuple[Row, ...]
    hidden: bool = False  # the sheet is hidden (or "very hidden") in Excel
    hidden_rows: frozenset[int] = frozenset()  # 1-based numbers of hidden rows (.xlsx only)

    def value(self, row0: int, col0: int) -> CellValue:
        """The value at a 0-based position, None outside the data."""
        if 0 <= row0 < len(self.rows):
            row = self.rows[row0]
            if 0 <= col0 < len(row):
                return row[col0]
        return None


@dataclass(frozen=True)
class RawWorkbook:
    """Every worksheet of a workbook, in workbook order (chart sheets are left out)."""

    file: str
    sheets: tuple[RawSheet, ...]
    old_format: bool


def read_bytes(path: Path, display_name: str) -> bytes | Finding:
    """The file's bytes, read once; a file too large to read (or unreadable) is a Finding."""
    try:
        with path.open("rb") as f:
            if os.fstat(f.fileno()).st_size > MAX_FILE_BYTES:
                return precheck(path, display_name) or Finding("file-too-large", display_name)
            return f.read(MAX_FILE_BYTES + 1)  # if it grew since, precheck says it is too large
    except OSError:
        return Finding("file-read-failed", display_name, detail="无法打开文件")


def read_workbook(source: Path | bytes, display_name: str) -> RawWorkbook | Finding:
    """Read every worksheet of a file (or of its bytes); any problem becomes a Finding (file-…), never an
    exception."""
    data = source if isinstance(source, bytes) else read_bytes(source, display_name)
    if isinstance(data, Finding):
        return data
    marks: dict[str, SheetMarks] = {}
    problem = precheck(data, display_name, marks)
    if problem is not None:
        return problem
    try:
        old_format = is_old_format(data)
        with calamine.CalamineWorkbook.from_filelike(io.BytesIO(data)) as book:
            sheets = tuple(
                _read_sheet(book.get_sheet_by_index(index), meta.name, marks.get(meta.name),
                            hidden=meta.visible != calamine.SheetVisibleEnum.Visible)
                for index, meta in enumerate(book.sheets_metadata)
                if meta.typ == calamine.SheetTypeEnum.WorkSheet
            )
    except calamine.PasswordError:
        return Finding("file-encrypted", display_name)
    except (calamine.ZipError, calamine.XmlError):
        return Finding("file-corrupt", display_name, detail="文件内部结构有误")
    except MemoryError:
        return Finding("file-unsafe", display_name, detail="内容过多，读取时超出内存上限")
    except (calamine.CalamineError, OSError, ValueError, OverflowError, TypeError, IndexError):
        return Finding("file-read-failed", display_name, detail="读取时出错")
    except BaseException as error:
        if type(error).__name__ != "PanicException":  # pyo3's, a BaseException that is not importable
            raise
        return Finding("file-corrupt", display_name, detail="文件内部结构有误")
    return RawWorkbook(display_name, sheets, old_format)


def _read_sheet(sheet: calamine.CalamineSheet, name: str, marks: SheetMarks | None, *,
                hidden: bool) -> RawSheet:
    start = sheet.start
    rows: list[Row] = []
    if start is not None:
        top, left = start
        pad: Row = (None,) * left
        rows = [()] * top
        for values in sheet.to_python(skip_empty_area=True):
            cells = [(v or None) if type(v) is str else _normalise(v) for v in values]  # most cells are text
            while cells and cells[-1] is None:
                cells.pop()
            rows.append(pad + tuple(cells) if cells else ())
    hidden_rows: frozenset[int] = frozenset()
    if marks is not None:
        _place_errors(rows, marks)
        hidden_rows = frozenset(marks.hidden_rows)
    while rows and not rows[-1]:
        rows.pop()
    return RawSheet(name, tuple(rows), hidden, hidden_rows)


def _place_errors(rows: list[Row], marks: SheetMarks) -> None:
    """Put a CellError where calamine read "" for an error cell or a formula with no value."""
    shared: dict[str, CellError] = {}  # one object per error text: a sheet may hold thousands
    found = {**{at: CellError("", formula) for at, formula in marks.no_value.items()},
             **{at: shared.setdefault(text, CellError(text)) for at, text in marks.errors.items()}}
    by_row: dict[int, list[tuple[int, CellError]]] = {}
    for (row0, col0), error in found.items():
        by_row.setdefault(row0, []).append((col0, error))
    for row0, errors in by_row.items():
        if row0 >= len(rows):
            rows.extend([()] * (row0 + 1 - len(rows)))
        width = max(len(rows[row0]), max(col0 for col0, _ in errors) + 1)
        row = list(rows[row0]) + [None] * (width - len(rows[row0]))
        for col0, error in errors:
            if row[col0] is None:  # else calamine did read a value there
                row[col0] = error
        rows[row0] = tuple(row)


def _normalise(value: object) -> CellValue:
    """A cell value that is not text (_read_sheet turns "" into None itself)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INT:
        return int(value)
    if isinstance(value, str | int | float | bool | dt.date | dt.time | dt.timedelta):
        return value  # dt.datetime is a dt.date
    raise TypeError(f"unexpected cell value type {type(value).__name__}")
