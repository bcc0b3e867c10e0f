"""Untrusted file → `RawWorkbook` (every cell value at its absolute position), with python-calamine.

Run it in a worker process (`isolation.run_isolated`): calamine can abort the process
on a crafted file that `safety.precheck` did not foresee. `read_workbook` runs
`precheck` itself first, so it is safe to call on any file; it never raises.

Values are as calamine reads them, normalised: an empty cell is None, a whole number
is an int (Excel stores every number as a float; 7.0 → 7), dates follow the workbook's
date system (1900 or 1904), a formula gives its cached value, and text stays text
("2017.9.1", "12") for `cells.py` to interpret. Error cells (#DIV/0!) read as None.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias

import python_calamine as calamine

from report_builder.findings import Finding
from report_builder.safety import is_old_format, precheck

__all__ = ["CellValue", "RawSheet", "RawWorkbook", "cell_name", "column_letter", "read_workbook"]

CellValue: TypeAlias = str | int | float | bool | dt.date | dt.datetime | dt.time | dt.timedelta | None
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


def read_workbook(path: Path, display_name: str) -> RawWorkbook | Finding:
    """Read every worksheet; any problem becomes a Finding (file-…), never an exception."""
    problem = precheck(path, display_name)
    if problem is not None:
        return problem
    try:
        old_format = is_old_format(path)
        with calamine.CalamineWorkbook.from_path(path) as book:
            sheets = tuple(
                _read_sheet(book.get_sheet_by_index(index), meta.name)
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


def _read_sheet(sheet: calamine.CalamineSheet, name: str) -> RawSheet:
    start = sheet.start
    if start is None:
        return RawSheet(name, ())
    top, left = start
    pad: Row = (None,) * left
    rows: list[Row] = [()] * top
    for values in sheet.to_python(skip_empty_area=True):
        cells = [(v or None) if type(v) is str else _normalise(v) for v in values]  # most cells are text
        while cells and cells[-1] is None:
            cells.pop()
        rows.append(pad + tuple(cells) if cells else ())
    while rows and not rows[-1]:
        rows.pop()
    return RawSheet(name, tuple(rows))


def _normalise(value: object) -> CellValue:
    """A cell value that is not text (_read_sheet turns "" into None itself)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INT:
        return int(value)
    if isinstance(value, str | int | float | bool | dt.date | dt.time | dt.timedelta):
        return value  # dt.datetime is a dt.date
    raise TypeError(f"unexpected cell value type {type(value).__name__}")


def column_letter(index0: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA", 16383 → "XFD"."""
    if index0 < 0:
        raise ValueError(f"column index must be >= 0, got {index0}")
    letters = ""
    number = index0 + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row0: int, col0: int) -> str:
    """(6, 2) → "C7"."""
    if row0 < 0:
        raise ValueError(f"row index must be >= 0, got {row0}")
    return f"{column_letter(col0)}{row0 + 1}"
