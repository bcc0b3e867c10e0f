"""Check raw workbooks against the schema: raw rows → validated models + findings.

Nothing here raises on bad data. Every row with content is counted: it is either
accepted (it becomes a model) or rejected (it has at least one error finding), so
`read == accepted + rejected` for every file.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import ValidationError

from report_builder.dates import chinese_date, chinese_window
from report_builder.findings import Finding, Severity
from report_builder.intake.cells import CellValue, is_blank, parse_cell, show
from report_builder.intake.prefilled import check_channels, check_info
from report_builder.intake.reader import CellError, RawSheet, RawWorkbook, cell_name, column_letter
from report_builder.names import name_problem
from report_builder.schema import (
    DEPARTMENT_SHEETS,
    FIRST_DATA_ROW,
    HEADER_ROW,
    INSTRUCTIONS_SHEET,
    NEEDS_REASON,
    OFFICE_SHEETS,
    Application,
    ChecklistAnswer,
    ChecklistItem,
    Column,
    DepartmentWorkbook,
    OfficeWorkbook,
    Placement,
    Row,
    SheetSpec,
)

IGNORED_SHEETS = frozenset({INSTRUCTIONS_SHEET, "_lists", "问题清单"})
MAX_OUTSIDE_WARNINGS = 20  # per sheet; the last one says how many more there were


@dataclass(frozen=True)
class Tally:
    """Rows with content: read = accepted + rejected."""

    read: int = 0
    accepted: int = 0
    rejected: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.read + other.read, self.accepted + other.accepted, self.rejected + other.rejected)


@dataclass(frozen=True)
class Context:
    """What a department's rows are checked against (from the office workbook)."""

    window: tuple[dt.date, dt.date] | None = None
    checklist: Mapping[int, ChecklistItem] = field(default_factory=dict)
    department: str = ""
    ambiguous: frozenset[int] = frozenset()  # 清单 numbers the office gave twice: rows not compared
    numbers: Mapping[str, int] = field(default_factory=dict)  # 清单 title → its number


@dataclass(frozen=True)
class SheetResult:
    records: tuple[Row, ...]
    placement: Placement
    findings: tuple[Finding, ...]
    tally: Tally


@dataclass(frozen=True)
class Checked:
    """The outcome for one file."""

    file: str
    kind: Literal["office", "department"]
    workbook: OfficeWorkbook | DepartmentWorkbook | None
    findings: tuple[Finding, ...]
    tally: Tally

    @property
    def department(self) -> str:
        wb = self.workbook
        return wb.info.department if isinstance(wb, DepartmentWorkbook) else ""


def norm(text: object) -> str:
    """Header text compared loosely: full-width/half-width and spaces do not matter."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


# ---- the two kinds of workbook ------------------------------------------------------------------

def check_office(raw: RawWorkbook, year: str = "") -> Checked:
    """Check the office workbook (年度总表). `year` is the year folder's name, e.g. "2017-2018"."""
    if not _looks_like(raw, OFFICE_SHEETS):
        return _not_a_template(raw, "office", "年度总表")
    sheets, findings = _read_sheets(raw, OFFICE_SHEETS, Context())
    info = _single(sheets["info"])
    if info is not None:
        findings += _check_office_info(raw.file, sheets["info"], year)
    names = {d.name for d in sheets["departments"].records}  # type: ignore[attr-defined]
    findings += _check_item_departments(raw.file, sheets["checklist"], names)
    findings += _check_unique(raw.file, sheets["departments"], "name")
    findings += _check_names(raw.file, sheets["departments"], "name")
    findings += _check_lookalike_names(raw.file, sheets["departments"])
    findings += _check_unique(raw.file, sheets["checklist"], "number")
    return _finish(raw, "office", OfficeWorkbook, sheets, findings, complete=info is not None)


def check_department(raw: RawWorkbook, office: OfficeWorkbook | None, index: OfficeIndex | None = None) -> Checked:
    """Check one department workbook against the office workbook of the year.

    `index` is `OfficeIndex.of(office)`: pass it when checking many files against one office workbook."""
    if not _looks_like(raw, DEPARTMENT_SHEETS):
        return _not_a_template(raw, "department", "部门填报表")
    info_spec, *table_specs = DEPARTMENT_SHEETS
    info_sheets, findings = _read_sheets(raw, (info_spec,), Context(), extra_sheets_ok=True)
    info = _single(info_sheets["info"])
    context = Context()
    if office is not None:
        index = index if index is not None and index.office is office else OfficeIndex.of(office)
        listed = getattr(info, "department", "") in index.names
        context = Context(
            window=(office.info.window_start, office.info.window_end),
            checklist=index.items,
            ambiguous=index.ambiguous,
            numbers=index.numbers,
            department=getattr(info, "department", "") if listed else "",  # unknown: said once, not per item
        )
        findings += _check_department_info(raw, info_sheets["info"], index)
    info_sheet = info_sheets["info"].placement.sheet
    table_sheets, more = _read_sheets(raw, tuple(table_specs), context, taken_names={info_sheet})
    table_sheets["counts"] = _check_channel_rows(raw, table_sheets["counts"], more)
    return _finish(raw, "department", DepartmentWorkbook, {**info_sheets, **table_sheets},
                   findings + more, complete=info is not None)


@dataclass(frozen=True, slots=True)
class OfficeIndex:
    """The office's department names and 清单 items by number, made once per office workbook (not once
    per department file: with 4,000 departments that was 4,000 × 4,000 steps)."""

    office: OfficeWorkbook
    names: frozenset[str]
    items: dict[int, ChecklistItem]
    ambiguous: frozenset[int]  # 清单 numbers used by more than one item
    numbers: dict[str, int]  # 清单 item title → its (first) number

    @classmethod
    def of(cls, office: OfficeWorkbook) -> OfficeIndex:
        counts = Counter(item.number for item in office.checklist)
        return cls(office, frozenset(d.name for d in office.departments),
                   {item.number: item for item in office.checklist},
                   frozenset(number for number, count in counts.items() if count > 1),
                   {item.title: item.number for item in reversed(office.checklist)})


def _looks_like(raw: RawWorkbook, specs: Sequence[SheetSpec]) -> bool:
    """Whether some sheet carries a header (or form label) of one of `specs`: a workbook of ours."""
    headers = {norm(c.header) for spec in specs for c in spec.columns}
    return any(isinstance(v, str) and norm(v) in headers
               for sheet in raw.sheets if sheet.name not in IGNORED_SHEETS
               for row in sheet.rows[:8] for v in row[:12])


def _not_a_template(raw: RawWorkbook, kind: Literal["office", "department"], what: str) -> Checked:
    sheets = "、".join(s.name for s in raw.sheets[:5])
    finding = Finding("not-a-template", raw.file, detail=f"找不到{what}的表头（文件中的工作表：{sheets}）")
    return Checked(raw.file, kind, None, (finding,), Tally())


def _finish(raw: RawWorkbook, kind: Literal["office", "department"], model: type[Any],
            sheets: dict[str, SheetResult], findings: list[Finding], *, complete: bool) -> Checked:
    tally = sum((s.tally for s in sheets.values()), Tally())
    workbook = None
    if complete:
        data: dict[str, Any] = {key: s.records for key, s in sheets.items()}
        data["info"] = _single(sheets["info"])
        workbook = model(file=raw.file, places={k: s.placement for k, s in sheets.items()}, **data)
    all_findings = tuple(findings) + tuple(f for s in sheets.values() for f in s.findings)
    return Checked(raw.file, kind, workbook, all_findings, tally)


def _single(result: SheetResult) -> Row | None:
    return result.records[0] if result.records else None


# ---- locating sheets ----------------------------------------------------------------------------

def _read_sheets(raw: RawWorkbook, specs: Sequence[SheetSpec], context: Context, *,
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
        if sheet is None:
            findings.append(Finding("missing-sheet", raw.file, spec.name, detail=f"没有“{spec.name}”工作表"))
            results[spec.key] = SheetResult((), Placement(sheet=spec.name, letters={}, rows=()), (), Tally())
            continue
        taken.add(sheet.name)
        reader = _read_form if spec.layout == "form" else _read_table
        results[spec.key] = reader(raw.file, sheet, spec, context)
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


# ---- forms and tables ---------------------------------------------------------------------------

def _read_form(file: str, sheet: RawSheet, spec: SheetSpec, context: Context) -> SheetResult:
    """Label in column A, value in column B, one field a row."""
    rows_by_label = {norm(row[0]): i for i, row in enumerate(sheet.rows) if row and not is_blank(row[0])}
    findings: list[Finding] = []
    values: dict[str, object] = {}
    rows: dict[str, int] = {}
    for column in spec.columns:
        index = rows_by_label.get(norm(column.header))
        if index is None:
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
    if not any(f.severity is Severity.ERROR for f in findings):
        record = _build(spec, values, file, sheet.name, cells, findings)
    placement = Placement(sheet=sheet.name, letters={}, rows=(), form_cells=cells)
    tally = Tally(1, 1, 0) if record else Tally(1, 0, 1)
    return SheetResult((record,) if record else (), placement, tuple(findings), tally)


def _read_table(file: str, sheet: RawSheet, spec: SheetSpec, context: Context) -> SheetResult:
    """One record a row below the header row; columns found by their header text."""
    header_index, col_of, findings = _match_header(file, sheet, spec)
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
        row_findings += _row_rules(spec, values, context, file, sheet.name, cell_of)
        record = None
        if not any(f.severity is Severity.ERROR for f in row_findings):
            record = _build(spec, values, file, sheet.name, cell_of, row_findings)
        findings += row_findings
        if record is not None:
            records.append(record)
            rows.append(r + 1)
    findings += _outside(file, sheet, first_row=header_index + 1, allowed=used_cols)
    placement = Placement(sheet=sheet.name, letters=letters, rows=tuple(rows))
    tally = Tally(read, len(records), read - len(records))
    return SheetResult(tuple(records), placement, tuple(findings), tally)


def _match_header(file: str, sheet: RawSheet, spec: SheetSpec) -> tuple[int, dict[str, int], list[Finding]]:
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
    """Make the model; a validation error pydantic still finds is mapped back to its cell."""
    try:
        return spec.model.model_validate(values)
    except ValidationError as error:
        for e in error.errors():
            name = str(e["loc"][0]) if e["loc"] else ""
            code = "not-in-list" if e["type"] == "literal_error" else "required"
            findings.append(Finding(code, file, sheet, cell_of.get(name, ""),
                                    show(values.get(name)),  # type: ignore[arg-type]
                                    detail=f"“{spec.column(name).header}”" if name in cell_of else ""))
        return None


# ---- rules across cells -------------------------------------------------------------------------

RowRule = Callable[[Mapping[str, object], Context], list[tuple[str, str, str]]]


def _dates_in_window(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    if context.window is None:
        return []
    start, end = context.window
    return [(name, "date-outside-window", f"统计时间段为{chinese_window(start, end)}")
            for name, value in values.items()
            if isinstance(value, dt.date) and not start <= value <= end]


def _application(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    found = []
    received, answered = values.get("received"), values.get("answered")
    if isinstance(received, dt.date) and isinstance(answered, dt.date) and answered < received:
        found.append(("answered", "answer-before-received", f"收到日期为{chinese_date(received)}"))
    if values.get("outcome") in NEEDS_REASON and values.get("reason") is None:
        found.append(("reason", "reason-required", f"处理结果为“{values.get('outcome')}”"))
    return found


def _checklist_answer(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    number = values.get("number")
    if not context.checklist or not isinstance(number, int):
        return []
    item = context.checklist.get(number)
    if item is None:
        return [("number", "checklist-unknown-item", f"年度总表的清单中没有第 {number} 项")]
    if context.department and item.department != context.department:
        return [("number", "checklist-wrong-department", f"第 {number} 项由{item.department}负责")]
    if number in context.ambiguous:
        return []  # the office's list has the number twice (an error there): nothing to compare with
    title = values.get("title", item.title)
    if title != item.title and isinstance(title, str) and title in context.numbers:
        return [("number", "prefilled-changed", f"“{title}”的序号应为：{context.numbers[title]}")]
    return [(name, "prefilled-changed", f"应为：{expected}")  # the office's words for item `number`
            for name, expected in (("category", item.category), ("title", item.title))
            if values.get(name, expected) != expected]


ROW_RULES: dict[type[Row], tuple[RowRule, ...]] = {
    Application: (_dates_in_window, _application),
    ChecklistAnswer: (_checklist_answer,),
}


def _row_rules(spec: SheetSpec, values: Mapping[str, object], context: Context, file: str, sheet: str,
               cell_of: Mapping[str, str]) -> list[Finding]:
    rules = ROW_RULES.get(spec.model, (_dates_in_window,))
    return [Finding(code, file, sheet, cell_of.get(name, ""), show(values.get(name)), detail)  # type: ignore[arg-type]
            for rule in rules for name, code, detail in rule(values, context)]


# ---- rules across sheets ------------------------------------------------------------------------

def _check_office_info(file: str, result: SheetResult, year: str) -> list[Finding]:
    info: Any = result.records[0]
    found = []
    where = result.placement
    if info.window_end <= info.window_start:
        found.append(Finding("window-invalid", file, where.sheet, where.cell(0, "window_end"),
                             info.window_end.isoformat(), f"起始日期为{chinese_date(info.window_start)}"))
    folder_years = re.findall(r"\d{4}", year)
    if folder_years and re.findall(r"\d{4}", info.year_label) != folder_years:
        found.append(Finding("wrong-year", file, where.sheet, where.cell(0, "year_label"), info.year_label,
                             f"年度文件夹为“{year}”"))
    return found + _check_names(file, result, "school_name", "year_label")


def _check_names(file: str, result: SheetResult, *fields: str) -> list[Finding]:
    """Values our file names are made of (学校名称, 年度名称, 部门名称) that cannot be part of a name."""
    found = []
    for i, record in enumerate(result.records):
        for name in fields:
            value = getattr(record, name, "")
            problem = name_problem(value) if isinstance(value, str) else None
            if problem:
                found.append(Finding("name-unusable", file, result.placement.sheet, result.placement.cell(i, name),
                                     value, problem))
    return found


def _check_department_info(raw: RawWorkbook, result: SheetResult, index: OfficeIndex) -> list[Finding]:
    """The pre-filled cells of 基本信息, each compared even when another cell of the form is wrong."""
    sheet = next((s for s in raw.sheets if s.name == result.placement.sheet), None)
    if sheet is None:
        return []
    return check_info(raw.file, sheet, result.placement.form_cells, index.office.info, index.names)


def _check_channel_rows(raw: RawWorkbook, result: SheetResult, findings: list[Finding]) -> SheetResult:
    """Each pre-filled channel once (findings appended to `findings`); a channel's second row is rejected."""
    sheet = next((s for s in raw.sheets if s.name == result.placement.sheet), None)
    spec = next(s for s in DEPARTMENT_SHEETS if s.key == "counts")
    if sheet is None:
        return result
    header0, col_of, _ = _match_header(raw.file, sheet, spec)
    if "channel" not in col_of:
        return result  # a missing-column error already
    found, repeated = check_channels(raw.file, sheet, header0, col_of["channel"])
    findings += found
    if not repeated:
        return result
    kept = [i for i, row in enumerate(result.placement.rows) if row not in repeated]
    placement = result.placement.model_copy(update={"rows": tuple(result.placement.rows[i] for i in kept)})
    dropped = len(result.records) - len(kept)
    tally = Tally(result.tally.read, result.tally.accepted - dropped, result.tally.rejected + dropped)
    return SheetResult(tuple(result.records[i] for i in kept), placement, result.findings, tally)


def _check_item_departments(file: str, result: SheetResult, names: set[str]) -> list[Finding]:
    found = []
    for i, item in enumerate(result.records):
        department = getattr(item, "department", "")
        if department not in names:
            found.append(Finding("unknown-department", file, result.placement.sheet,
                                 result.placement.cell(i, "department"), department))
    return found


def _check_unique(file: str, result: SheetResult, field_name: str) -> list[Finding]:
    """A department listed twice, or two 清单 items with one number: the second is an error."""
    first: dict[object, str] = {}
    found = []
    for i, record in enumerate(result.records):
        key, cell = getattr(record, field_name), result.placement.cell(i, field_name)
        if key in first:
            found.append(Finding("duplicate-row", file, result.placement.sheet, cell, str(key),
                                 f"与 {first[key]} 重复"))
        first.setdefault(key, cell)
    return found


def _check_lookalike_names(file: str, result: SheetResult) -> list[Finding]:
    """A department name with invisible characters (Unicode Cf: U+200B, U+FEFF…), or equal to another
    once width, spaces and invisible characters are ignored: files would not match it, or match twice."""
    first: dict[str, tuple[str, str]] = {}
    found = []
    for i, record in enumerate(result.records):
        name, cell = getattr(record, "name", ""), result.placement.cell(i, "name")
        invisible = sorted({ch for ch in name if unicodedata.category(ch) == "Cf"})
        key = "".join(ch for ch in norm(name) if unicodedata.category(ch) != "Cf")
        other, other_cell = first.setdefault(key, (name, cell))
        problems = ["含不可见字符 " + "、".join(f"U+{ord(ch):04X}" for ch in invisible)] if invisible else []
        if other != name:  # the very same name twice is a duplicate-row error already
            problems.append(f"与 {other_cell} 的“{_visible(other)}”几乎相同")
        if problems:
            found.append(Finding("department-name-lookalike", file, result.placement.sheet, cell,
                                 _visible(name), "；".join(problems)))
    return found


def _visible(text: str) -> str:
    """Invisible characters written out, so a message shows them: "教务处[U+200B]"."""
    return "".join(f"[U+{ord(ch):04X}]" if unicodedata.category(ch) == "Cf" else ch for ch in text)
