"""The one Excel-writing base: values, styles, new and saved workbooks.

Every plain value goes through `put` (or `stream_value` in a streaming sheet, which applies
the same rule), so text that came from a department is stored as text and never becomes a
formula or an error code. `save_workbook` gives the same bytes for the same workbook.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.formatting.rule import Rule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.differential import DifferentialStyle
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.protection import SheetProtection
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from report_builder.ooxml import normalize_zip
from report_builder.schema import TITLE_ROW

__all__ = [
    "CREATOR", "EMPTY_FILL", "HEADER_FILL", "LOCKED_FILL", "OK_FILL", "WRAP",
    "cell_at", "fit_height", "fix_properties", "formula_rule", "new_workbook", "protect", "put", "save_workbook",
    "select_first_sheet", "stream_cell", "stream_value", "text_width", "write_header", "write_title",
]

CREATOR = "report-builder"
FIXED_TIME = dt.datetime(2000, 1, 1)
_MAX_TEXT = 32767
_FORMULA_START = ("=", "+", "-", "@")
_ESCAPED_CHAR = re.compile(r"(_x[0-9A-Fa-f]{4}_)")

HEADER_FILL = PatternFill("solid", start_color="DDEBF7", end_color="DDEBF7")
LOCKED_FILL = PatternFill("solid", start_color="EDEDED", end_color="EDEDED")
EMPTY_FILL = PatternFill("solid", start_color="FFC7CE", end_color="FFC7CE")
OK_FILL = PatternFill("solid", start_color="C6EFCE", end_color="C6EFCE")
WRAP = Alignment(wrap_text=True, vertical="top")


# ---- writing values: one rule for text ---------------------------------------------------------

def _stored_text(value: str) -> str:
    """The text a cell keeps: no control characters, at most 32,767 characters, "_x0041_" kept literal."""
    text = ILLEGAL_CHARACTERS_RE.sub("", value)[:_MAX_TEXT]
    return _ESCAPED_CHAR.sub(r"_x005F\1", text)  # "_x0041_" would be read back as "A"


def _looks_like_formula(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def put(cell: Cell, value: object) -> None:
    """Write a plain value; a string always stays text, never a formula or an error code."""
    if isinstance(value, str):
        text = _stored_text(value)
        cell.value = text or None
        if text:
            cell.data_type = "s"
        if _looks_like_formula(text):
            cell.quotePrefix = True  # Excel keeps it text even when the cell is edited again
    elif value is None or isinstance(value, int | float | dt.date):
        cell.value = value
    else:
        put(cell, str(value))


_CHANGED_BY_STORING = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|{_ESCAPED_CHAR.pattern}")
_ERROR_CODES = frozenset(ERROR_CODES)


def _bare_is_text(value: str) -> bool:
    """Whether openpyxl, given `value` bare, stores what `put` would (`_stored_text(value) == value`, asked
    fast); tests/test_workbook_templates.py checks it against `put` itself."""
    return (0 < len(value) <= _MAX_TEXT and not _looks_like_formula(value) and value not in _ERROR_CODES
            and not _CHANGED_BY_STORING.search(value))


def stream_cell(ws: WriteOnlyWorksheet, value: object, font: Font | None = None,
                fill: PatternFill | None = None, alignment: Alignment | None = None) -> Cell:
    """A cell for a streaming (write-only) sheet, its value written by `put`."""
    cell = WriteOnlyCell(ws)
    put(cell, value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    return cell


def stream_value(ws: WriteOnlyWorksheet, value: str) -> str | Cell:
    """Text for a streaming sheet: `value` itself when openpyxl writes it unchanged as text (the fast
    way, no cell object), else a cell made by `put` (a formula-like start, an error code, "_x0041_")."""
    return value if _bare_is_text(value) else stream_cell(ws, value)


# ---- styles and sheet parts --------------------------------------------------------------------

def cell_at(ws: Worksheet, row: int, column: int) -> Cell:
    """The cell at (row, column) of a sheet we write; our sheets merge no cells."""
    cell = ws.cell(row, column)
    if not isinstance(cell, Cell):
        raise TypeError(f"merged cell {cell.coordinate} in {ws.title}")
    return cell


def write_title(ws: Worksheet, text: str) -> None:
    title = cell_at(ws, TITLE_ROW, 1)
    put(title, text)
    title.font = Font(bold=True, size=14)
    ws.row_dimensions[TITLE_ROW].height = 24


def write_header(cell: Cell, text: str, required: bool = False) -> None:
    put(cell, text)
    cell.font = Font(bold=True, color="C00000" if required else None)
    cell.fill = HEADER_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def formula_rule(formula: str, fill: PatternFill) -> Rule:
    """A conditional format: `fill` where `formula` is true (openpyxl's FormulaRule, typed)."""
    rule = Rule(type="expression", formula=[formula])
    rule.dxf = DifferentialStyle(fill=fill)
    return rule


def protect(ws: Worksheet) -> None:
    """Protection without a password: anyone can lift it, nobody is locked out."""
    ws.protection = SheetProtection(sheet=True, formatColumns=False, formatRows=False)


def text_width(text: str) -> int:
    """Excel width units: a Chinese character is about two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def fit_height(ws: Worksheet, row: int, text: str, width: float) -> None:
    """Give a row of wrapped text room for all its lines (no program autofits rows on opening)."""
    lines = -(-text_width(text) // max(int(width) - 4, 1))
    if lines > 1:
        ws.row_dimensions[row].height = 16 * lines


# ---- whole workbooks ---------------------------------------------------------------------------

def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.worksheets[0])
    fix_properties(wb)
    return wb


def fix_properties(wb: Workbook) -> None:
    props = wb.properties
    props.creator = props.lastModifiedBy = CREATOR
    props.created = props.modified = FIXED_TIME


def select_first_sheet(wb: Workbook) -> None:
    """Open on the first sheet; exactly one tab selected (several would group the sheets)."""
    for index, ws in enumerate(wb.worksheets):
        ws.sheet_view.tabSelected = index == 0
    wb.active = 0


def save_workbook(wb: Workbook) -> bytes:
    """The workbook as .xlsx bytes; the same workbook always gives the same bytes."""
    for ws in wb.worksheets:  # openpyxl sets max_outline while writing: set it first so a second save matches
        ws.column_dimensions.to_tree()
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()  # wb.save() would stamp the current time
    return normalize_zip(raw.getvalue())
