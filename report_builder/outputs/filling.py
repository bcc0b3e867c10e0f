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
from report_builder.schema import FIRST_DATA_ROW, HEADER_ROW, SheetSpec

__all__ = ["TypedValue", "fill_department", "set_form_value"]

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
