"""Filling a generated template the way a department does: by field name, values exactly as typed.

The counterpart of `forms`: the sample year (scripts/make_sample_inputs.py), the benchmarks'
synthetic years and the tests fill real templates with it. Values are written into cells as
given, like a person typing: a str "2017.9.1" stays a string and a str "=1+1" becomes a
formula (not `put`, which would keep it text), so callers can simulate human input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from report_builder import schema
from report_builder.outputs.excel import cell_at
from report_builder.schema import FIRST_DATA_ROW, HEADER_ROW, NOTHING_LABEL, TITLE_ROW, SheetSpec

__all__ = ["TypedValue", "answer_empty_sheets", "fill_department", "nothing_cell", "set_form_value", "set_nothing",
           "type_zeros"]

TypedValue = str | float | dt.date | dt.time | None  # what a person can type into a cell (int and bool included)


def _sheet(wb: Workbook, name: str, specs: Sequence[SheetSpec]) -> tuple[Worksheet, SheetSpec]:
    ws = wb[name]
    if not isinstance(ws, Worksheet):
        raise TypeError(f"{name} is not a worksheet")
    return ws, next(s for s in specs if s.name == name)


def fill_department(wb: Workbook, sheet: str, rows: Sequence[Mapping[str, TypedValue]], *,
                    first_row: int = FIRST_DATA_ROW,
                    specs: Sequence[SheetSpec] = schema.DEPARTMENT_SHEETS) -> None:
    """Write rows into a table sheet by field name, from `first_row` down; only the given fields change."""
    ws, spec = _sheet(wb, sheet, specs)
    header_columns = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
    for offset, row in enumerate(rows):
        for name, value in row.items():
            column = header_columns[spec.column(name).header]
            cell_at(ws, first_row + offset, column).value = value


def set_form_value(wb: Workbook, sheet: str, field: str, value: TypedValue, *,
                   specs: Sequence[SheetSpec] = schema.DEPARTMENT_SHEETS) -> None:
    """Write the value of one field of a form sheet (label in column A, value in column B)."""
    ws, spec = _sheet(wb, sheet, specs)
    label = spec.column(field).header
    row = next(r for r in range(FIRST_DATA_ROW, ws.max_row + 1) if ws.cell(r, 1).value == label)
    cell_at(ws, row, 2).value = value


def nothing_cell(ws: Worksheet) -> str:
    """The cell of a sheet's 本部门本年度无此项 choice (right of its label in the first row); "" when it has none."""
    for cell in ws[TITLE_ROW]:
        if cell.value == NOTHING_LABEL:
            return cell.offset(0, 1).coordinate
    return ""


def set_nothing(wb: Workbook, sheet: str, value: TypedValue = "是") -> None:
    """Choose 本部门本年度无此项 on a sheet ("是"), or another value (None clears it)."""
    ws = wb[sheet]
    assert isinstance(ws, Worksheet) and nothing_cell(ws), f"{sheet} has no {NOTHING_LABEL}"
    ws[nothing_cell(ws)].value = value


def answer_empty_sheets(wb: Workbook, specs: Sequence[SheetSpec] = schema.DEPARTMENT_SHEETS) -> list[str]:
    """What a department with nothing more to report does last: 本部门本年度无此项 on each sheet that has the
    choice and nothing typed in its cells a department fills. Returns the sheets chosen."""
    chosen = []
    for spec in specs:
        ws = wb[spec.name] if spec.answered and spec.name in wb.sheetnames else None
        if not isinstance(ws, Worksheet) or not nothing_cell(ws):
            continue
        headers = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
        typed = [headers[c.header] for c in spec.columns if not c.locked and c.header in headers]
        if all(ws.cell(r, c).value in (None, "") for r in range(FIRST_DATA_ROW, ws.max_row + 1) for c in typed):
            ws[nothing_cell(ws)].value = "是"
            chosen.append(spec.name)
    return chosen


def type_zeros(wb: Workbook, specs: Sequence[SheetSpec] = schema.DEPARTMENT_SHEETS) -> None:
    """0 typed in each blank count of a pre-filled row (主动公开, 主动公开分类, 其他数字): what a department
    with nothing on those rows types (the form asks for each count; it never assumes 0)."""
    for spec in specs:
        ws = wb[spec.name] if spec.name in wb.sheetnames else None
        fields = {c.field: c for c in spec.columns}
        if not isinstance(ws, Worksheet) or "count" not in fields:
            continue
        headers = {ws.cell(HEADER_ROW, c).value: c for c in range(1, ws.max_column + 1)}
        count = headers[fields["count"].header]
        name = headers[spec.columns[0].header]
        for row in range(FIRST_DATA_ROW, ws.max_row + 1):
            if ws.cell(row, name).value not in (None, "") and ws.cell(row, count).value in (None, ""):
                cell_at(ws, row, count).value = 0
