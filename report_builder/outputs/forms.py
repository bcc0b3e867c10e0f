"""The workbooks the office sends and fills: department templates (填报表) and the office workbook (年度总表).

Everything is derived from `schema` (SheetSpec / Column); the layout is the one of
docs/architecture.md, "Sheet layout". Values are written with `excel.put`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from report_builder import schema
from report_builder.dates import chinese_date, chinese_window
from report_builder.outputs.excel import (
    EMPTY_FILL,
    OK_FILL,
    WRAP,
    cell_at,
    fit_height,
    formula_rule,
    new_workbook,
    protect,
    put,
    select_first_sheet,
    text_width,
    write_header,
    write_title,
)
from report_builder.outputs.form_cells import (
    ANY_DATE,
    LISTS_SHEET,
    FormContext,
    column_width,
    describe,
    validation,
    write_input,
)
from report_builder.schema import FIRST_DATA_ROW, HEADER_ROW, TITLE_ROW, Column, SheetSpec

__all__ = ["ANY_DATE", "CHECK_BAD", "CHECK_CONFLICT", "CHECK_EMPTY", "CHECK_NOTHING", "CHECK_OK", "FORM_HEADERS",
           "LISTS_SHEET", "department_workbook", "office_workbook", "self_check_cell"]

FORM_HEADERS = ("项目", "填写内容", "说明")
CHECK_OK, CHECK_BAD = "✔ 本表必填项已填齐", "⚠ 本表有 {} 处必填项未填"
CHECK_EMPTY, CHECK_NOTHING = "⚠ 本表未填写：确实没有的请在右侧选“是”", "✔ 本部门本年度无此项"
CHECK_CONFLICT = "⚠ 选了“无此项”，表中却有内容"
NOTHING_PROMPT = "本表要报的事项本部门本年度确实没有时选“是”（条数按 0）；有的请在表中填写，不要选“是”。"


# ---- building sheets ---------------------------------------------------------------------------

def _finish(wb: Workbook) -> Workbook:
    """Hidden list sheet last, first sheet active, structure locked (no password)."""
    if LISTS_SHEET in wb.sheetnames:
        wb.move_sheet(LISTS_SHEET, len(wb.sheetnames) - 1 - wb.sheetnames.index(LISTS_SHEET))
    select_first_sheet(wb)
    wb.security = WorkbookProtection(lockStructure=True)
    return wb


def _self_check_column(spec: SheetSpec) -> int:
    if spec.layout == "form":
        return 3
    count = len(spec.columns)
    return count if count >= 3 else count + 1


def self_check_cell(spec: SheetSpec) -> str:
    """The row-1 cell holding the sheet's self-check formula."""
    return f"{get_column_letter(_self_check_column(spec))}{TITLE_ROW}"


def _self_check(ws: Worksheet, spec: SheetSpec, missing: str) -> None:
    """`missing` is a formula counting empty required cells; no macros, works in Excel, WPS, LibreOffice."""
    cell = cell_at(ws, TITLE_ROW, _self_check_column(spec))
    before, after = CHECK_BAD.split("{}")
    cell.value = f'=IF({missing}=0,"{CHECK_OK}","{before}"&{missing}&"{after}")'
    cell.font = Font(bold=True)
    cell.alignment = Alignment(vertical="center")
    ref = cell.coordinate
    ws.conditional_formatting.add(ref, formula_rule(f'LEFT({ref},1)="⚠"', EMPTY_FILL))
    ws.conditional_formatting.add(ref, formula_rule(f'LEFT({ref},1)="✔"', OK_FILL))


def _add_form(ctx: FormContext, spec: SheetSpec, values: Mapping[str, object]) -> None:
    ws: Worksheet = ctx.wb.create_sheet(spec.name)
    write_title(ws, spec.title)
    for column, text in enumerate(FORM_HEADERS, 1):
        write_header(cell_at(ws, HEADER_ROW, column), text)
    missing = []
    for row, col in enumerate(spec.columns, FIRST_DATA_ROW):
        label, value, note = (cell_at(ws, row, c) for c in (1, 2, 3))
        put(label, col.header)
        label.font = Font(bold=True, color="C00000" if col.required else None)
        write_input(value, col, values.get(col.field), locked=col.locked)
        help_text = describe(col, ctx)
        put(note, help_text)
        note.alignment = WRAP
        fit_height(ws, row, help_text, 60)
        ws.add_data_validation(dv := validation(col, ctx))
        dv.add(value.coordinate)
        if col.required:
            missing.append(f"(LEN(B{row})=0)*1")
            rule = formula_rule(f"LEN(B{row})=0", EMPTY_FILL)
            ws.conditional_formatting.add(value.coordinate, rule)
    _self_check(ws, spec, "(" + ("+".join(missing) or "0") + ")")
    widths = (max(text_width(c.header) for c in spec.columns) + 4, 40, 60)
    for letter, width in zip("ABC", widths, strict=True):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    protect(ws)


def _add_table(ctx: FormContext, spec: SheetSpec, rows: Sequence[Mapping[str, object]]) -> None:
    ws: Worksheet = ctx.wb.create_sheet(spec.name)
    write_title(ws, spec.title)
    cols = _columns(spec, ctx.choices)
    first, last = FIRST_DATA_ROW, FIRST_DATA_ROW + len(rows) + spec.blank_rows - 1
    end = max(last, first)  # formulas need a range even when the sheet has no rows
    right = get_column_letter(len(cols))
    for index, col in enumerate(cols, 1):
        letter = get_column_letter(index)
        write_header(cell_at(ws, HEADER_ROW, index), col.header, col.required)
        ws.column_dimensions[letter].width = column_width(col)
        for row in range(first, last + 1):
            given = row - first < len(rows)
            value = rows[row - first].get(col.field) if given else None
            write_input(cell_at(ws, row, index), col, value, locked=col.locked and given)
        if last >= first:
            ws.add_data_validation(dv := validation(col, ctx))
            dv.add(f"{letter}{first}:{letter}{last}")
            if col.required:
                empty_in_used_row = f"AND(LEN({letter}{first})=0,COUNTA($A{first}:${right}{first})>0)"
                rule = formula_rule(empty_in_used_row, EMPTY_FILL)
                ws.conditional_formatting.add(f"{letter}{first}:{letter}{last}", rule)
    spans = [f"${x}${first}:${x}${end}" for x in map(get_column_letter, range(1, len(cols) + 1))]
    filled = "(" + "+".join(f"(LEN({span})>0)" for span in spans) + ">0)"
    empty = "+".join(f"(LEN({span})=0)" for span, c in zip(spans, cols, strict=True) if c.required)
    missing = f"SUMPRODUCT({filled}*({empty}))" if empty else "0"
    _self_check(ws, spec, missing)
    if spec.answered:  # a department's answer: content, or 本部门本年度无此项 (intake/completeness.py)
        typed = [span for span, c in zip(spans, cols, strict=True) if not c.locked]
        _nothing_control(ws, spec, missing, typed, counts=len(typed) < len(spans))
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    protect(ws)


def _nothing_control(ws: Worksheet, spec: SheetSpec, missing: str, typed: Sequence[str], *, counts: bool) -> None:
    """The sheet's 本部门本年度无此项 (label, then a 是/否 drop-down) right of its self-check cell, and the
    self-check saying what intake/completeness.py will: an unanswered sheet, 无此项 with content, or the counts."""
    column = _self_check_column(spec)
    label, choice = cell_at(ws, TITLE_ROW, column + 1), cell_at(ws, TITLE_ROW, column + 2)
    put(label, schema.NOTHING_LABEL)
    label.font = Font(bold=True, color="C00000")
    label.alignment = Alignment(horizontal="right", vertical="center")
    choice.protection = Protection(locked=False)
    choice.alignment = Alignment(horizontal="center", vertical="center")
    ws.column_dimensions[get_column_letter(column + 1)].width = max(
        ws.column_dimensions[get_column_letter(column + 1)].width or 0, text_width(schema.NOTHING_LABEL) + 2)
    ws.column_dimensions[get_column_letter(column + 2)].width = max(
        ws.column_dimensions[get_column_letter(column + 2)].width or 0, 8)
    dv = DataValidation(type="list", formula1='"' + ",".join(schema.NOTHING_CHOICES) + '"', allow_blank=True,
                        showInputMessage=True, showErrorMessage=True, promptTitle=schema.NOTHING_LABEL,
                        prompt=NOTHING_PROMPT, error="请从下拉列表中选择“是”或“否”。")
    ws.add_data_validation(dv)
    dv.add(choice.coordinate)
    ref = f"${get_column_letter(column + 2)}${TITLE_ROW}"
    anything = "+".join(f"SUMPRODUCT((LEN({span})>0)*1)" for span in typed) or "0"
    content = ("+".join(f"SUMPRODUCT((LEN({span})>0)*({span}<>0))" for span in typed) if counts else anything) or "0"
    check = cell_at(ws, TITLE_ROW, column)
    before, after = CHECK_BAD.split("{}")
    check.value = (f'=IF({ref}="是",IF(({content})>0,"{CHECK_CONFLICT}","{CHECK_NOTHING}"),'
                   f'IF(({anything})=0,"{CHECK_EMPTY}",IF({missing}=0,"{CHECK_OK}","{before}"&{missing}&"{after}")))')
    ws.conditional_formatting.add(choice.coordinate, formula_rule(f'LEFT({check.coordinate},1)="⚠"', EMPTY_FILL))


def _add_instructions(ctx: FormContext, lines: Sequence[str]) -> None:
    ws: Worksheet = ctx.wb.create_sheet(schema.INSTRUCTIONS_SHEET)
    ws.column_dimensions["A"].width = 90
    for row, line in enumerate(lines, 1):
        cell = cell_at(ws, row, 1)
        put(cell, line)
        cell.alignment = WRAP
        if row == 1 or (line[:1] in "一二三四" and line[1:2] == "、"):
            cell.font = Font(bold=True, size=14 if row == 1 else 12)
        fit_height(ws, row, line, 90)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    protect(ws)


def _columns(spec: SheetSpec, choices: Mapping[str, tuple[str, ...]]) -> tuple[Column, ...]:
    """The sheet's columns; a text column given choices (the office's paragraph names) becomes a drop-down."""
    return tuple(dataclasses.replace(c, kind="choice", choices=choices[f"{spec.key}.{c.field}"], max_length=None)
                 if f"{spec.key}.{c.field}" in choices else c for c in spec.columns)


def _sheet_lines(specs: Sequence[SheetSpec], ctx: FormContext) -> list[str]:
    lines = []
    for spec in specs:
        lines.append(f"【{spec.name}】{spec.title}")
        lines += [f"　　· {c.header}：{describe(c, ctx)}" for c in _columns(spec, ctx.choices)]
    return lines


def _rules(start: dt.date | None) -> list[str]:
    return [
        f"1. 日期请按 {start.isoformat()} 的格式（年-月-日）填写。" if start
        else "1. 日期请按 YYYY-MM-DD（年-月-日）的格式填写。",
        "2. 数字只填阿拉伯数字，不带单位，例如填 12，不要填“12条”。",
        "3. 带下拉箭头的单元格，请从下拉列表中选择；选中单元格时会显示填写提示。",
        "4. 灰色底纹的单元格已预先填好，不能修改；红色表头的列为必填项。",
        "5. 不要删除、插入、移动或改名工作表、表头和预先列出的行；表格下方已留好空行，从上往下依次填写即可。",
        f"6. 每张表第一行右侧有自查提示：显示“{CHECK_OK}”即可；显示“{CHECK_BAD.format('N')}”时，"
        "请补填浅红色的单元格。",
        f"7. 要报的表（第一行右侧有“{schema.NOTHING_LABEL}”的）都要答复：有的如实填写，条数没有的填 0；"
        f"本部门本年度确实没有的（例如没有收到信息公开申请），在该处下拉选“是”。没有填写也没有选“是”的表会被退回。",
    ]


def _instruction_lines(info: schema.OfficeInfo | None, what: str, first: Sequence[str],
                       specs: Sequence[SheetSpec], ctx: FormContext) -> list[str]:
    if info is None:  # a blank office workbook: no school and no year of anyone's
        title, window = "信息公开工作年度报告", "1. 统计时间段：在“基本信息”表中填写统计起始日期和统计截止日期。"
    else:
        title = f"{info.school_name}{info.year_label}信息公开工作年度报告"
        window = f"1. 统计时间段：{chinese_window(info.window_start, info.window_end)}。只填写这一时间段内的事项。"
    return [
        f"{title}　{what}　填表说明", "", first[0], window, *first[1:], "",
        "二、填写规则", *_rules(ctx.start), "",
        "三、各工作表填写什么", *_sheet_lines(specs, ctx),
    ]


def _department_lines(info: schema.OfficeInfo, department: str, ctx: FormContext,
                      specs: Sequence[SheetSpec]) -> list[str]:
    send = (f"2. 请于{chinese_date(info.deadline)}前把填好的本文件交回。" if info.deadline
            else "2. 请按通知要求的时间把填好的本文件交回。")
    ask = f"3. 有问题请联系：{info.contact}。" if info.contact else "3. 有问题请联系下发本表的部门。"
    save = "4. 请保存为 Excel 工作簿（.xlsx）格式交回，不要另存为 .xls，不要设置密码，不要修改文件名。"
    return _instruction_lines(info, f"{department}填报表", ["一、报送要求", send, ask, save],
                              specs, ctx)


def _office_lines(info: schema.OfficeInfo | None, ctx: FormContext, specs: Sequence[SheetSpec]) -> list[str]:
    return _instruction_lines(info, "年度总表", [
        "一、用途",
        "2. 本表由负责信息公开工作的办公室填写：学校与年度的基本信息、须报送的部门名单、"
        "信息公开事项清单和报告的文字材料。",
        "3. 部门名单中的部门名称须与各部门填报表的文件名一致；清单事项的牵头落实单位须是名单中的部门。",
    ], specs, ctx)


def _build(ctx: FormContext, specs: Sequence[SheetSpec], lines: Sequence[str], data: Mapping[str, object]) -> Workbook:
    _add_instructions(ctx, lines)
    for spec in specs:
        if spec.layout == "form":
            _add_form(ctx, spec, _as_mapping(data.get(spec.key)))
        else:
            rows = data.get(spec.key) or ()
            _add_table(ctx, spec, [_as_mapping(r) for r in rows] if isinstance(rows, Sequence) else [])
    return _finish(ctx.wb)


def _as_mapping(item: object) -> Mapping[str, object]:
    if isinstance(item, schema.Row):
        return {name: getattr(item, name) for name in schema.field_names(type(item))}
    return item if isinstance(item, Mapping) else {}


# ---- public builders ---------------------------------------------------------------------------

def office_workbook(info: schema.OfficeInfo | None, departments: Sequence[schema.DepartmentEntry],
                    checklist: Sequence[schema.ChecklistItem],
                    narratives: Sequence[schema.OfficeNarrative],
                    channels: Sequence[schema.OfficeChannel] = (),
                    categories: Sequence[schema.OfficeCategory] = (),
                    last_year: Sequence[schema.LastYearFigure] = (),
                    disclosure: schema.OfficeDisclosure | None = None,
                    asked: Sequence[schema.OfficeAsked] | None = ()) -> Workbook:
    """The office's 年度总表, filled with the given data (`info` None and empty sequences: a blank one).

    Its date cells accept any date (they define the window); the window only appears in its texts.
    The 公开渠道 sheet is written only with `channels` (without it, the year uses schema.CHANNELS), the
    公开分类 sheet only with `categories`, 上年数字 only with `last_year`, 政府信息数据 only with `disclosure`,
    部门填报的数字 only with `asked` (None: the sheet, empty)."""
    data = {"info": info, "departments": departments, "checklist": checklist, "narratives": narratives,
            "channels": channels, "categories": categories, "last_year": last_year, "disclosure": disclosure,
            "asked": [] if asked is None else asked}
    start, end = (info.window_start, info.window_end) if info else (None, None)
    ctx = FormContext(new_workbook(), start, end, bound=False)
    specs = tuple(s for s in schema.OFFICE_SHEETS
                  if s.required or data.get(s.key) or (s.key == "asked" and asked is None))
    return _build(ctx, specs, _office_lines(info, ctx, specs), data)


def department_workbook(info: schema.OfficeInfo, department: str, items: Sequence[schema.ChecklistItem],
                        paragraphs: Sequence[str] = schema.DEPARTMENT_NARRATIVE_KEYS,
                        channels: Sequence[str] = schema.CHANNELS, categories: Sequence[str] = (),
                        asked: Sequence[schema.OfficeAsked] = ()) -> Workbook:
    """One department's template: instructions, pre-filled and locked where the office decides;
    `paragraphs` are the 段落 it may write (vocabulary.department_narratives of the office workbook),
    `channels` one pre-filled 主动公开 row each (vocabulary.declared_channels); `categories` (the office's
    breakdown, vocabulary.declared_categories) one row each on a 主动公开分类 sheet, written only with them;
    `asked` (the figures the office asks for) one row each on an 其他数字 sheet, written only with them."""
    data = {
        "info": {"department": department, "year_label": info.year_label,
                 "window_start": info.window_start, "window_end": info.window_end},
        "counts": [{"channel": channel} for channel in channels],  # each count asked, never assumed (0 is typed)
        "breakdown": [{"category": category} for category in categories],
        "asked": [{"name": a.name, "description": a.description} for a in asked],
        "checklist": [{"number": i.number, "category": i.category, "title": i.title}
                      for i in items if i.department == department],
    }
    ctx = FormContext(new_workbook(), info.window_start, info.window_end,
                   choices={"narratives.key": tuple(paragraphs), "counts.channel": tuple(channels)})
    specs = tuple(s for s in schema.DEPARTMENT_SHEETS if s.required or data.get(s.key))
    return _build(ctx, specs, _department_lines(info, department, ctx, specs), data)
