"""Feedback copies: a department's own workbook with the problem cells marked and a 问题清单 sheet first.

The department's file is untrusted. `feedback_copies` opens each one in a capped worker
(report_builder.isolation); a file that crashes it or hits a cap gets a copy with just the
问题清单 and a note saying why. Whatever we send back is inert: a formula survives only when
it is plain arithmetic on the workbook's own cells (`inert_formula`); any other formula
(DDE, WEBSERVICE, HYPERLINK, a reference to another file) becomes the value the department's
Excel last computed for it, and defined names, validations, conditional formats and links
that are not inert are dropped. Macros and external links are never loaded.
"""

from __future__ import annotations

import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from report_builder.findings import Finding, Severity, errors, has_errors
from report_builder.isolation import Crash, run_isolated
from report_builder.ooxml import column_number
from report_builder.outputs.excel import (
    CREATOR,
    LOCKED_FILL,
    WRAP,
    cell_at,
    fix_properties,
    new_workbook,
    put,
    save_workbook,
    select_first_sheet,
    write_header,
    write_title,
)
from report_builder.schema import FEEDBACK_SHEET, FIRST_DATA_ROW, HEADER_ROW

__all__ = [
    "FEEDBACK_HEADERS", "FEEDBACK_SHEET", "FeedbackRequest", "feedback_copies", "feedback_workbook",
    "inert_formula",
]

FEEDBACK_HEADERS = ("工作表", "单元格", "填写的值", "问题", "修改方法")
FEEDBACK_MEMORY_MB, FEEDBACK_TIMEOUT_S = 400, 8.0  # per department file opened with openpyxl
FEEDBACK_MAX_XML_MB = 25  # openpyxl reads ~8 MB of sheet XML a second into ~10× its size: beyond this, not opened

_SEVERITY_FILL = {
    Severity.ERROR: PatternFill("solid", start_color="FF9999", end_color="FF9999"),
    Severity.WARNING: PatternFill("solid", start_color="FFFF00", end_color="FFFF00"),
}
_CELL = re.compile(r"^([A-Z]{1,3})([1-9][0-9]{0,6})$")
# Functions a formula may call and stay in a copy we send: arithmetic and text on the sheet's own cells.
_INERT_FUNCTIONS = frozenset({
    "ABS", "AND", "AVERAGE", "COUNT", "COUNTA", "COUNTBLANK", "COUNTIF", "DATE", "IF", "IFERROR", "INT",
    "ISBLANK", "LEFT", "LEN", "MAX", "MID", "MIN", "NOT", "OR", "RIGHT", "ROUND", "SUM", "SUMIF",
    "SUMPRODUCT", "TRIM",
})
_FUNCTION_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
_QUOTED = re.compile(r'"(?:[^"]|"")*"')
_SAFE_LINK = re.compile(r"^(https?|mailto):", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FeedbackRequest:
    """One feedback copy to make: the department's file (None: do not open it) and its findings."""

    original: Path | None
    findings: tuple[Finding, ...]


def feedback_copies(requests: Sequence[FeedbackRequest]) -> list[bytes]:
    """The .xlsx bytes of every feedback copy, in order; each original is opened in a capped worker."""
    opened = [r for r in requests if r.original is not None]
    outcomes = iter(run_isolated(_copy_in_worker, opened, memory_mb=FEEDBACK_MEMORY_MB,
                                 timeout_s=FEEDBACK_TIMEOUT_S) if opened else [])
    copies = []
    for request in requests:
        outcome = next(outcomes) if request.original is not None else None
        if isinstance(outcome, bytes):
            copies.append(outcome)
            continue
        note = _capped_note(outcome) if isinstance(outcome, Crash) else ""
        copies.append(save_workbook(feedback_workbook(None, request.findings, note=note)))
    return copies


def _capped_note(crash: Crash) -> str:
    return crash.words("打开这份表", FEEDBACK_MEMORY_MB, FEEDBACK_TIMEOUT_S)


def _copy_in_worker(request: FeedbackRequest) -> bytes:
    assert request.original is not None
    if _xml_megabytes(request.original) > FEEDBACK_MAX_XML_MB:
        note = f"这份表的内容超过 {FEEDBACK_MAX_XML_MB} MB，无法在副本中标注"
        return save_workbook(feedback_workbook(None, request.findings, note=note))
    return save_workbook(feedback_workbook(request.original, request.findings))


def _xml_megabytes(path: Path) -> float:
    """The unpacked size of the package's parts (what openpyxl would parse); 0 when it is not a zip."""
    try:
        with zipfile.ZipFile(path) as package:
            return sum(info.file_size for info in package.infolist()) / (1024 * 1024)
    except (OSError, zipfile.BadZipFile):
        return 0.0


def feedback_workbook(original: Path | None, findings: Sequence[Finding], *, note: str = "") -> Workbook:
    """The department's own file, made inert, with the problem cells marked and a 问题清单 sheet first.

    `original` is untrusted: run `safety.precheck` on it first and open it only in a capped worker
    (`feedback_copies` does both); None, or a file openpyxl cannot open, gives just the 问题清单.
    `note` says why the department's own sheets are missing, when the caller knows.
    """
    wb = _open(original) if original is not None else None
    if wb is None:
        wb = new_workbook()
    _clear_old_marks(wb)
    fix_properties(wb)
    order = sorted(findings, key=lambda f: _order(wb.sheetnames, f))
    marked: dict[tuple[str, str], list[Finding]] = {}
    for finding in order:
        place = _place(wb, finding)
        if place:
            marked.setdefault(place, []).append(finding)
    for (sheet, coordinate), found in marked.items():
        ws = _worksheet(wb, sheet)
        if ws is not None:
            cell: Cell | MergedCell = ws[coordinate]
            _mark(cell, found)
    _add_issue_sheet(wb, order, marked, note)
    select_first_sheet(wb)
    return wb


# ---- opening a department's file, inert ---------------------------------------------------------

def inert_formula(formula: str) -> bool:
    """True when `formula` only does arithmetic and text on this workbook's own cells.

    Anything that reaches outside (another file `[1]`, DDE `cmd|'...'!A0`) or calls a function
    not in the short list of plain ones (WEBSERVICE, HYPERLINK, INDIRECT, CALL...) is not inert.
    """
    code = _QUOTED.sub('""', formula)
    if "[" in code or "|" in code:
        return False
    return all(name.upper() in _INERT_FUNCTIONS for name in _FUNCTION_CALL.findall(code))


def _open(path: Path) -> Workbook | None:
    """The workbook with its live parts made inert, or None when openpyxl cannot open it."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions in files written by Excel/WPS
            wb = load_workbook(path, keep_links=False, keep_vba=False)
            if _make_inert(wb):
                _use_cached_values(wb, load_workbook(path, keep_links=False, data_only=True))
    except Exception:  # a broken file of any kind: the caller still gets a 问题清单
        return None
    return wb


def _make_inert(wb: Workbook) -> bool:
    """Drop names, validations, conditional formats and links that are not inert; True when a cell
    formula is not inert either (its cached value must replace it)."""
    for name in list(wb.defined_names):
        if not inert_formula(str(wb.defined_names[name].attr_text or "")):
            del wb.defined_names[name]
    live_cells = False
    for ws in wb.worksheets:
        for name in list(ws.defined_names):
            if not inert_formula(str(ws.defined_names[name].attr_text or "")):
                del ws.defined_names[name]
        ws.data_validations.dataValidation = [
            dv for dv in ws.data_validations.dataValidation
            if all(inert_formula(f or "") for f in (dv.formula1, dv.formula2))]
        for ranges in list(ws.conditional_formatting):
            ranges.rules[:] = [r for r in ranges.rules if all(inert_formula(f) for f in r.formula)]
            if not ranges.rules:
                del ws.conditional_formatting[str(ranges.sqref)]
        for cell in _cells(ws):
            if cell.hyperlink is not None and cell.hyperlink.target and not _SAFE_LINK.match(cell.hyperlink.target):
                cell.hyperlink = None
            if cell.data_type == "f" and not (isinstance(cell.value, str) and inert_formula(cell.value)):
                live_cells = True
    return live_cells


def _use_cached_values(wb: Workbook, values: Workbook) -> None:
    """Every formula that is not inert becomes the value Excel last computed for it (text stays text)."""
    for ws in wb.worksheets:
        cached = _worksheet(values, ws.title)
        for cell in _cells(ws):
            if (isinstance(cell, Cell) and cell.data_type == "f"
                    and not (isinstance(cell.value, str) and inert_formula(cell.value))):
                put(cell, cached[cell.coordinate].value if cached is not None else None)


def _worksheet(wb: Workbook, name: str) -> Worksheet | None:
    """The sheet called `name`, or None when it is a chart sheet (no cells)."""
    ws = wb[name]
    return ws if isinstance(ws, Worksheet) else None


def _cells(ws: Worksheet) -> Iterator[Cell | MergedCell]:
    for row in ws.iter_rows():
        yield from row


def _clear_old_marks(wb: Workbook) -> None:
    """A feedback copy sent back again: drop our old list, comments and highlights."""
    if FEEDBACK_SHEET in wb.sheetnames:
        wb.remove(wb[FEEDBACK_SHEET])
    ours = {fill.fgColor.rgb for fill in _SEVERITY_FILL.values()}
    for ws in wb.worksheets:
        for cell in _cells(ws):
            if cell.comment is not None and cell.comment.author == CREATOR:
                cell.comment = None
                if cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb in ours:
                    cell.fill = LOCKED_FILL if cell.protection.locked else PatternFill()


# ---- marking cells and listing the findings ------------------------------------------------------

def _cell_key(cell: str) -> tuple[int, int]:
    """(row, column) of `C7`; (0, 0) when it is not a cell inside Excel's grid."""
    match = _CELL.match(cell.upper())
    if not match:
        return (0, 0)
    letters, row = match.groups()
    column = column_number(letters)
    return (int(row), column) if column <= 16384 and int(row) <= 1048576 else (0, 0)


def _order(sheets: Sequence[str], f: Finding) -> tuple[int, int, str, tuple[int, int]]:
    index = sheets.index(f.sheet) if f.sheet in sheets else len(sheets)
    return (1 if f.sheet else 0, index, f.sheet, _cell_key(f.cell))


def _place(wb: Workbook, f: Finding) -> tuple[str, str] | None:
    if f.sheet not in wb.sheetnames or _cell_key(f.cell) == (0, 0):
        return None
    ws = _worksheet(wb, f.sheet)
    if ws is None:
        return None
    coordinate = f.cell.upper()
    cell: Cell | MergedCell = ws[coordinate]
    if isinstance(cell, MergedCell):
        merged = next((r for r in ws.merged_cells.ranges if coordinate in r), None)
        coordinate = merged.start_cell.coordinate if merged else coordinate
    return (f.sheet, coordinate)


def _mark(cell: Cell | MergedCell, found: Sequence[Finding]) -> None:
    worst = Severity.ERROR if has_errors(found) else Severity.WARNING
    cell.fill = _SEVERITY_FILL[worst]
    text = "\n".join(f"{f.message}。修改方法：{f.hint}" for f in found)
    if cell.comment is not None:
        text = f"{cell.comment.text}\n\n{text}"
    cell.comment = Comment(ILLEGAL_CHARACTERS_RE.sub("", text), CREATOR, height=140, width=280)


def _add_issue_sheet(wb: Workbook, order: Sequence[Finding], marked: Mapping[tuple[str, str], object],
                     note: str) -> None:
    ws: Worksheet = wb.create_sheet(FEEDBACK_SHEET, 0)
    error_count = len(errors(order))
    title = f"问题清单：共 {len(order)} 处（须修改 {error_count} 处，提示 {len(order) - error_count} 处）"
    write_title(ws, title + (f"。{note}，本反馈表只含问题清单，请对照清单修改原表。" if note else ""))
    for column, (text, width) in enumerate(zip(FEEDBACK_HEADERS, (16, 10, 24, 50, 50), strict=True), 1):
        write_header(cell_at(ws, HEADER_ROW, column), text)
        ws.column_dimensions[get_column_letter(column)].width = width
    for row, f in enumerate(order, FIRST_DATA_ROW):
        cells = [cell_at(ws, row, c) for c in range(1, 6)]
        where = f.cell or ("（整张表）" if f.sheet else "")
        values = (f.sheet or "（整个文件）", where, f.value, f.message, f.hint)
        for cell, value in zip(cells, values, strict=True):
            put(cell, value)
            cell.alignment = WRAP
        cells[3].fill = _SEVERITY_FILL[f.severity]
        place = _place(wb, f)
        if place is not None and place in marked:
            link = f"{quote_sheetname(place[0])}!{place[1]}"
            cells[1].hyperlink = Hyperlink(ref=cells[1].coordinate, location=link)
            cells[1].font = Font(color="0563C1", underline="single")
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
