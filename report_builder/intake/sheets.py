"""Reading a workbook's sheets into models: found by name or headers, cell by cell, with findings.

The mechanics of the checks (intake.checks): which sheet is which, where each column is, every
cell parsed (intake.cells) and every row validated into its schema model. The domain rules a row
must also follow come in as `rules` (intake.rules). Nothing here raises on bad data; every row with
content is counted as accepted or rejected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from report_builder.findings import Finding, has_errors
from report_builder.intake.cells import is_blank, parse_cell, show
from report_builder.intake.reader import CellError, CellValue, RawSheet, RawWorkbook
from report_builder.ooxml import cell_name, column_letter
from report_builder.schema import (
    DEPARTMENT_SHEETS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    OFFICE_SHEETS,
    RESERVED_SHEETS,
    Column,
    Placement,
    Row,
    SheetSpec,
)

__all__ = ["IGNORED_SHEETS", "RowCheck", "SheetResult", "Tally", "match_header", "norm", "read_sheets", "read_table"]

IGNORED_SHEETS = RESERVED_SHEETS
MAX_OUTSIDE_WARNINGS = 20  # per sheet; the last one says how many more there were

#: The domain rules of one parsed row: (field, finding code, detail) for each problem.
RowCheck = Callable[[SheetSpec, Mapping[str, object]], list[tuple[str, str, str]]]


@dataclass(frozen=True)
class Tally:
    """Rows with content: read = accepted + rejected."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.read + other.read, self.accepted + other.accepted, self.rejected + other.rejected)


@dataclass(frozen=True)
class SheetResult:
    records: tuple[Row, ...]
    placement: Placement
    findings: tuple[Finding, ...]
    tally: Tally


def norm(text: object) -> str:
    """Header text compared loosely: full-width/half-width and spaces do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def read_sheets(raw: RawWorkbook, specs: Sequence[SheetSpec], rules: RowCheck, *,
                 taken_names: Iterable[str] = (), extra_sheets_ok: bool = False,
                 ) -> tuple[dict[str, SheetResult], list[Finding]]:
    """Find and read each sheet of `specs`; `taken_names` are sheets already read by an earlier call."""
    findings: list[Finding] = []
    by_name = {s.name.strip(): s for s in raw.sheets}
    taken = set(taken_names)
    results: dict[str, SheetResult] = {}
    for spec in specs:
        sheet = by_name.get(spec.name)
        if sheet is None:
            sheet = _find_renamed(raw.sheets, spec, taken | set(by_name) & _all_spec_names())
            if sheet is not None:
                findings.append(Finding("sheet-renamed", raw.file, sheet.name,
                                        detail=f"“{sheet.name}”已按“{spec.name}”读取"))
        if sheet is None and spec.required:
            findings.append(Finding("missing-sheet", raw.file, spec.name, detail=f"没有“{spec.name}”工作表"))
        if sheet is None:  # absent (an error above unless the sheet is optional): no records
            results[spec.key] = SheetResult((), Placement(sheet=spec.name, letters={}, rows=()), (), Tally())
            continue
        taken.add(sheet.name)
        reader = _read_form if spec.layout == "form" else read_table
        results[spec.key] = reader(raw.file, sheet, spec, rules)
        findings += _hidden_note(raw.file, sheet, results[spec.key])
    if not extra_sheets_ok:
        for sheet in raw.sheets:
            if sheet.name not in taken and sheet.name not in IGNORED_SHEETS and any(map(any, sheet.rows)):
                findings.append(Finding("unknown-sheet", raw.file, sheet.name))
    return results, findings


def _hidden_note(file: str, sheet: RawSheet, result: SheetResult) -> list[Finding]:
    """A hidden sheet or hidden rows whose content goes into the report: say so, nobody sees them in Excel."""
    if not result.records or not (sheet.hidden or sheet.hidden_rows):
        return []
    place = result.placement
    used = set(place.rows) | {int(cell[1:]) for cell in place.form_cells.values()
                              if not is_blank(sheet.value(int(cell[1:]) - 1, 1))}
    rows = sorted(used if sheet.hidden else used & sheet.hidden_rows)
    if not rows:
        return []
    listed = "、".join(map(str, rows[:10])) + (f" 等共 {len(rows)} 行" if len(rows) > 10 else "")
    detail = (f"该工作表为隐藏工作表，其中第 {listed} 行的内容已读取" if sheet.hidden
              else f"第 {listed} 行为隐藏行，其内容已读取")
    return [Finding("hidden-data", file, sheet.name, detail=detail)]


def _all_spec_names() -> set[str]:
    return {s.name for s in OFFICE_SHEETS + DEPARTMENT_SHEETS}


def _find_renamed(sheets: Iterable[RawSheet], spec: SheetSpec, taken: set[str]) -> RawSheet | None:
    """A sheet with another name whose headers (or form labels) are this spec's."""
    wanted = {norm(c.header) for c in spec.columns if c.required}
    for sheet in sheets:
        if sheet.name in taken or sheet.name in IGNORED_SHEETS:
            continue
        seen = {norm(v) for row in sheet.rows[:8] for v in row[:12] if isinstance(v, str)}
        if spec.layout == "form":
            seen = {norm(row[0]) for row in sheet.rows[:40] if row and isinstance(row[0], str)}
        if wanted <= seen:
            return sheet
    return None


def _read_form(file: str, sheet: RawSheet, spec: SheetSpec, rules: RowCheck) -> SheetResult:
    """Label in column A, value in column B, one field a row."""
    rows_by_label = {norm(row[0]): i for i, row in enumerate(sheet.rows) if row and not is_blank(row[0])}
    findings: list[Finding] = []
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for column in spec.columns:
        index = rows_by_label.get(norm(column.header))
        if index is None:  # an optional row added in a later version may be absent: it reads as blank
            if column.required:
                findings.append(Finding("missing-column", file, sheet.name, detail=f"没有“{column.header}”一行"))
            continue
        rows[column.field] = index + 1
        findings += _parse_into(values, _at(sheet.rows[index], 1), column, file, sheet.name, index, 1)
    labels = {norm(c.header) for c in spec.columns}
    for i, row in enumerate(sheet.rows[HEADER_ROW:], start=HEADER_ROW):
        if row and not is_blank(row[0]) and norm(row[0]) not in labels and not is_blank(_at(row, 1)):
            findings.append(Finding("data-outside-table", file, sheet.name, cell_name(i, 1), show(row[1])))
    findings += _outside(file, sheet, first_row=0, allowed={0, 1, 2})
    cells = {name: f"B{r}" for name, r in rows.items()}
    record = None
    if not has_errors(findings):
        record = _build(spec, values, file, sheet.name, cells, findings)
    placement = Placement(sheet=sheet.name, letters={}, rows=(), form_cells=cells)
    tally = Tally(1, 1, 0) if record else Tally(1, 0, 1)
    return SheetResult((record,) if record else (), placement, tuple(findings), tally)


def read_table(file: str, sheet: RawSheet, spec: SheetSpec, rules: RowCheck) -> SheetResult:
    """One record a row below the header row; columns found by their header text."""
    header_index, col_of, findings = match_header(file, sheet, spec)
    columns = [c for c in spec.columns if c.field in col_of]
    letters = {c.field: column_letter(col_of[c.field]) for c in columns}
    used_cols = set(col_of.values()) | _unknown_header_cols(sheet, header_index, col_of)
    records: list[Row] = []
    rows: list[int] = []
    read = 0
    readable = not any(c.required and c.field not in col_of for c in spec.columns)
    at = [(c, col_of[c.field]) for c in columns]
    for r in range(header_index + 1, len(sheet.rows)):
        row = sheet.rows[r]
        width = len(row)
        cells = [row[j] if j < width else None for _, j in at]
        if all(is_blank(v) for v in cells):
            continue
        read += 1
        if not readable:
            continue  # a required column is missing (one missing-column error): the row is rejected
        values: dict[str, object] = {}
        row_findings: list[Finding] = []
        for (c, j), raw in zip(at, cells, strict=True):
            row_findings += _parse_into(values, raw, c, file, sheet.name, r, j)
        cell_of = _RowCells(letters, r + 1)
        unreadable = {f.cell for f in row_findings if f.is_error}  # not also "missing"
        for name, code, detail in rules(spec, values):
            if cell_of.get(name, "") not in unreadable:
                shown = show(values.get(name))  # type: ignore[arg-type]
                row_findings.append(Finding(code, file, sheet.name, cell_of.get(name, ""), shown, detail))
        record = None
        if not has_errors(row_findings):
            record = _build(spec, values, file, sheet.name, cell_of, row_findings)
        findings += row_findings
        if record is not None:
            records.append(record)
            rows.append(r + 1)
    findings += _outside(file, sheet, first_row=header_index + 1, allowed=used_cols)
    placement = Placement(sheet=sheet.name, letters=letters, rows=tuple(rows))
    tally = Tally(read, len(records), read - len(records))
    return SheetResult(tuple(records), placement, tuple(findings), tally)


def match_header(file: str, sheet: RawSheet, spec: SheetSpec) -> tuple[int, dict[str, int], list[Finding]]:
    """Find the header row (normally row 2) and the column of each field."""
    wanted = {norm(c.header): c.field for c in spec.columns}
    best, best_hits = HEADER_ROW - 1, -1
    for i, row in enumerate(sheet.rows[:8]):
        hits = sum(1 for v in row if isinstance(v, str) and norm(v) in wanted)
        if hits > best_hits:
            best, best_hits = i, hits
    col_of: dict[str, int] = {}
    findings: list[Finding] = []
    header = sheet.rows[best] if best < len(sheet.rows) else ()
    for j, value in enumerate(header):
        if is_blank(value):
            continue
        field_name = wanted.get(norm(value))
        if field_name is not None and field_name not in col_of:
            col_of[field_name] = j
        else:
            findings.append(Finding("unknown-column", file, sheet.name, cell_name(best, j), show(value)))
    for c in spec.columns:
        if c.field not in col_of and c.required:
            where = cell_name(max(best, HEADER_ROW - 1), 0)
            findings.append(Finding("missing-column", file, sheet.name, where, detail=f"没有“{c.header}”列"))
    return (best if best_hits > 0 else FIRST_DATA_ROW - 2), col_of, findings


def _unknown_header_cols(sheet: RawSheet, header_index: int, col_of: Mapping[str, int]) -> set[int]:
    header = sheet.rows[header_index] if header_index < len(sheet.rows) else ()
    return {j for j, v in enumerate(header) if not is_blank(v) and j not in col_of.values()}


def _outside(file: str, sheet: RawSheet, *, first_row: int, allowed: set[int]) -> list[Finding]:
    """Warn about content in cells that belong to no column of the sheet."""
    found: list[Finding] = []
    extra = 0
    for i in range(first_row, len(sheet.rows)):
        for j, value in enumerate(sheet.rows[i]):
            if j in allowed or is_blank(value):
                continue
            if len(found) < MAX_OUTSIDE_WARNINGS:
                seen = show(value)[:50]
                found.append(Finding("data-outside-table", file, sheet.name, cell_name(i, j), seen))
            else:
                extra += 1
    if extra:
        found.append(Finding("data-outside-table", file, sheet.name, detail=f"另有 {extra} 个单元格未列出"))
    return found


def _at(row: Sequence[CellValue], j: int) -> CellValue:
    return row[j] if j < len(row) else None


_NONE: list[Finding] = []  # shared, never changed: most cells have no finding


def _parse_into(values: dict[str, object], raw: CellValue, column: Column, file: str, sheet: str,
                row0: int, col0: int) -> list[Finding]:
    """Parse `raw` into values[column.field]; return the findings (a blank required cell is one)."""
    if type(raw) is CellError:  # parse_cell never sees one: it is not a blank, nor a wrong type
        kind = "cell-error-value" if raw.text else "formula-no-value"
        return [Finding(kind, file, sheet, cell_name(row0, col0), str(raw), f"“{column.header}”")]
    value, code, detail = parse_cell(raw, column)
    if value is not None:
        values[column.field] = value
        if not code:
            return _NONE
    if code:
        return [Finding(code, file, sheet, cell_name(row0, col0), show(raw),
                        f"“{column.header}”" + (f"，{detail}" if detail else ""))]
    if column.required:
        return [Finding("required", file, sheet, cell_name(row0, col0), detail=f"“{column.header}”")]
    return _NONE


class _RowCells(Mapping[str, str]):
    """The cell of each field on one row ("F7"), made only when a finding needs it."""

    def __init__(self, letters: Mapping[str, str], row: int) -> None:
        self.letters, self.row = letters, row

    def __getitem__(self, field: str) -> str:
        return f"{self.letters[field]}{self.row}"

    def __iter__(self) -> Iterator[str]:
        return iter(self.letters)

    def __len__(self) -> int:
        return len(self.letters)


def _build(spec: SheetSpec, values: dict[str, object], file: str, sheet: str,
           cell_of: Mapping[str, str], findings: list[Finding]) -> Row | None:
    """Make the model from values `parse_cell` has checked; a required field without a value (its column or
    form row absent) is a finding at its cell."""
    missing = [c for c in spec.columns if c.required and c.field not in values]
    for c in missing:
        findings.append(Finding("required", file, sheet, cell_of.get(c.field, ""),
                                detail=f"“{c.header}”" if c.field in cell_of else ""))
    return None if missing else spec.model(**values)
