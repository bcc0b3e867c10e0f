"""One cell of a generated form: its drop-down, date and number rules, its help text, how a value is written.

forms.py lays out sheets and workbooks; this module says, for one schema Column, what Excel enforces
(data validation), what the person filling it reads (the prompt and the instructions line) and how a
pre-filled value is written (locked or not, text stays text).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from report_builder.dates import chinese_window
from report_builder.outputs.excel import LOCKED_FILL, WRAP, cell_at, protect, put, text_width
from report_builder.schema import LISTS_SHEET, Column

__all__ = ["ANY_DATE", "LISTS_SHEET", "NUMBER_FORMATS", "FormContext", "column_width", "date_rule", "describe",
           "excel_date", "validation", "write_input"]

MAX_LIST = 255
ANY_DATE = (dt.date(2000, 1, 1), dt.date(2099, 12, 31))  # what the office's own date cells accept
NUMBER_FORMATS = {"date": "yyyy-mm-dd", "text": "@", "choice": "@", "int": "0"}


@dataclass
class FormContext:
    """What every sheet of one workbook shares: the window and the hidden list sheet."""

    wb: Workbook
    start: dt.date | None  # None: a blank office workbook (no window yet)
    end: dt.date | None
    bound: bool = True  # date cells must fall in the window (department workbooks), else any date (office)
    lists: dict[tuple[str, ...], str] = field(default_factory=dict)
    lists_sheet: Worksheet | None = None
    choices: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # "narratives.key" → a drop-down

    def list_formula(self, choices: tuple[str, ...]) -> str:
        joined = ",".join(choices)
        if len(joined) <= MAX_LIST and not any("," in c or '"' in c for c in choices):
            return f'"{joined}"'
        if choices not in self.lists:
            if self.lists_sheet is None:
                self.lists_sheet = lists_sheet(self.wb)
            ws = self.lists_sheet
            column = len(self.lists) + 1
            for row, choice in enumerate(choices, 1):
                put(cell_at(ws, row, column), choice)
            letter = get_column_letter(column)
            name = f"_list{column}"
            ref = f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(choices)}"
            self.wb.defined_names[name] = DefinedName(name, attr_text=ref)
            self.lists[choices] = name
        return self.lists[choices]


def lists_sheet(wb: Workbook) -> Worksheet:
    ws: Worksheet = wb.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    protect(ws)
    return ws


def describe(col: Column, ctx: FormContext) -> str:
    """The rule of one column in plain Chinese (instructions, input prompts, form help)."""
    parts = ["已预先填好，不能修改" if col.locked else ("必填" if col.required else "选填")]
    if col.help:
        parts.append(col.help)
    if col.kind == "choice":
        parts.append("从下拉列表中选择：" + "、".join(col.choices))
    elif col.kind == "int":
        low = col.minimum or 0
        parts.append(f"填写 {low} 到 {col.maximum} 之间的整数，不带单位" if col.maximum is not None
                     else f"填写不小于 {low} 的整数，不带单位")
    elif col.kind == "date":
        parts.append(date_rule(ctx, col.days_before_window))
    elif col.max_length:
        parts.append(f"不超过 {col.max_length} 字")
    return "；".join(parts) + "。"


def example_date(start: dt.date | None) -> str:
    return start.isoformat() if start else "YYYY-MM-DD（年-月-日）"


def date_rule(ctx: FormContext, days_before: int = 0) -> str:
    """How a date cell is filled: in the window (department workbooks; `days_before` it for applications
    carried over), or any date (the office's own)."""
    if ctx.bound and ctx.start and ctx.end:
        first = ctx.start - dt.timedelta(days=days_before)
        return f"按 {ctx.start.isoformat()} 的格式填写，须在{chinese_window(first, ctx.end)}之间"
    return f"按 {example_date(ctx.start)} 的格式填写"


def validation(col: Column, ctx: FormContext) -> DataValidation:
    dv = DataValidation(allow_blank=True, showInputMessage=True, showErrorMessage=True, errorStyle="stop",
                        promptTitle=col.header[:32], prompt=describe(col, ctx)[:255],
                        errorTitle=f"{col.header}填写有误"[:32])
    if col.kind == "choice":
        dv.type, dv.formula1, dv.error = "list", ctx.list_formula(col.choices), "请从下拉列表中选择。"
    elif col.kind == "int":
        low = col.minimum if col.minimum is not None else -(10**9)
        dv.type, dv.operator, dv.formula1 = "whole", "greaterThanOrEqual", str(low)
        dv.error = f"请填写不小于 {low} 的整数，不要带单位。"
        if col.maximum is not None:
            dv.operator, dv.formula2 = "between", str(col.maximum)
            dv.error = f"请填写 {low} 到 {col.maximum} 之间的整数，不要带单位。"
    elif col.kind == "date":
        dv.type, dv.operator = "date", "between"
        if ctx.bound and ctx.start and ctx.end:
            first = ctx.start - dt.timedelta(days=col.days_before_window)  # 收到日期: carried over from last year
            dv.formula1, dv.formula2 = excel_date(first), excel_date(ctx.end)
            dv.error = f"日期须在{chinese_window(first, ctx.end)}之间，请按 {ctx.start.isoformat()} 的格式填写。"
        else:  # the office's own dates (the window itself, the deadline): any real date
            dv.formula1, dv.formula2 = excel_date(ANY_DATE[0]), excel_date(ANY_DATE[1])
            dv.error = f"请按 {example_date(ctx.start)} 的格式填写日期。"
    elif col.max_length:
        dv.type, dv.operator, dv.formula1 = "textLength", "lessThanOrEqual", str(col.max_length)
        dv.error = f"内容不能超过 {col.max_length} 字。"
    return dv


def excel_date(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


def column_width(col: Column) -> float:
    content = {"date": 12, "int": 10}.get(col.kind)
    if content is None:
        content = max(map(text_width, col.choices)) if col.choices else min(col.max_length or 50, 50)
    return float(min(max(content + 2, text_width(col.header) + 4), 60))


def write_input(cell: Cell, col: Column, value: object, locked: bool) -> None:
    put(cell, value)
    cell.number_format = NUMBER_FORMATS[col.kind]
    cell.protection = Protection(locked=locked)
    cell.alignment = WRAP
    if locked:
        cell.fill = LOCKED_FILL
