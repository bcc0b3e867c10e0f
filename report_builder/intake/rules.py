"""The domain rules a workbook follows beyond each cell's type: of one row, and across rows and sheets.

Row rules see a row's parsed values (dates in the office's window, 答复 after 收到, a 清单 answer that
matches the office's item); sheet rules see whole sheets (known departments, each channel once, the
breakdown's total); the names the office gives are intake.name_rules'. Each gives findings; intake.checks
applies them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from report_builder.dates import chinese_date, chinese_window
from report_builder.findings import Finding
from report_builder.intake.name_rules import check_names
from report_builder.intake.prefilled import check_channels
from report_builder.intake.reader import RawWorkbook
from report_builder.intake.sheets import RowCheck, SheetResult, Tally, match_header
from report_builder.schema import (
    CARRIED_OVER_DAYS,
    CHANNELS,
    DEPARTMENT_SHEETS,
    LAST_YEAR_MARK,
    NEEDS_REASON,
    Application,
    AskedCount,
    CategoryCount,
    ChannelCount,
    ChecklistAnswer,
    ChecklistItem,
    DepartmentNarrative,
    Row,
    SheetSpec,
)

__all__ = ["ROW_RULES", "Context", "check_breakdown_total", "check_channel_rows", "check_item_departments",
           "check_last_year_text", "check_office_info", "row_check"]


@dataclass(frozen=True)
class Context:
    """What a department's rows are checked against (from the office workbook)."""

    window: tuple[dt.date, dt.date] | None = None
    checklist: Mapping[int, ChecklistItem] = field(default_factory=dict)
    department: str = ""
    ambiguous: frozenset[int] = frozenset()  # 清单 numbers the office gave twice: rows not compared
    numbers: Mapping[str, int] = field(default_factory=dict)  # 清单 title → its number
    paragraphs: tuple[str, ...] = ()  # the 段落 a department may write (vocabulary.department_narratives)
    channels: tuple[str, ...] = ()  # the office's 公开渠道 (vocabulary.declared_channels)
    categories: tuple[str, ...] | None = None  # the office's 公开分类 (None: no office workbook to compare)
    asked: tuple[str, ...] | None = None  # the figures the office asks for (None: no office workbook to compare)
    links_required: bool = False  # the office's format prints each 已公开 item's link (formats.links_required)


# ---- rules of one row ----------------------------------------------------------------------------

RowRule = Callable[[Mapping[str, object], Context], list[tuple[str, str, str]]]


def _dates_in_window(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    if context.window is None:
        return []
    start, end = context.window
    return [(name, "date-outside-window", f"统计时间段为{chinese_window(start, end)}")
            for name, value in values.items()
            if isinstance(value, dt.date) and not start <= value <= end]


def _application(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    """An application received in the window, or carried over from last year (received in the year before
    and still open at the window's start); answered after it was received; an outcome when answered."""
    found = []
    received, answered, outcome = values.get("received"), values.get("answered"), values.get("outcome")
    if isinstance(received, dt.date) and isinstance(answered, dt.date) and answered < received:
        found.append(("answered", "answer-before-received", f"收到日期为{chinese_date(received)}"))
    finished = isinstance(answered, dt.date)
    if context.window is not None:
        start, end = context.window
        earliest = start - dt.timedelta(days=CARRIED_OVER_DAYS)  # carried over: received within the year before
        if isinstance(received, dt.date) and not earliest <= received <= end:
            found.append(("received", "date-outside-window", f"统计时间段为{chinese_window(start, end)}；"
                          f"上年结转的申请须在{chinese_date(earliest)}以后收到"))
        if isinstance(answered, dt.date) and answered < start:
            found.append(("answered", "answered-last-year", f"统计时间段为{chinese_window(start, end)}"))
        finished = isinstance(answered, dt.date) and answered <= end
    if outcome is not None and answered is None:
        found.append(("answered", "answer-required", f"处理结果为“{outcome}”"))
    if finished and outcome is None:
        found.append(("outcome", "outcome-required", f"答复日期为{chinese_date(answered)}"))  # type: ignore[arg-type]
    if finished and values.get("on_time") is None:
        found.append(("on_time", "on-time-required", f"答复日期为{chinese_date(answered)}"))  # type: ignore[arg-type]
    if outcome in NEEDS_REASON and values.get("reason") is None:
        found.append(("reason", "reason-required", f"处理结果为“{outcome}”"))
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


_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+", re.IGNORECASE)


def _checklist_link(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    """An 已公开 item's column link, when the report prints it: given, and a web address (else plain text)."""
    link = values.get("link")
    if isinstance(link, str) and link.strip() and not _WEB_ADDRESS.match(link.strip()):
        return [("link", "checklist-link-not-web", "应以 http:// 或 https:// 开头")]
    if context.links_required and values.get("status") == "已公开" and not (isinstance(link, str) and link.strip()):
        return [("link", "checklist-link-missing", "本年度报告附清单事项公开情况表，须逐项附栏目链接")]
    return []


def _paragraph(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    key = values.get("key")
    if not context.paragraphs or not isinstance(key, str) or key in context.paragraphs:
        return []
    return [("key", "narrative-not-declared", "可选：" + "、".join(context.paragraphs))]


def _channel(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    channel = values.get("channel")
    if not context.channels or not isinstance(channel, str) or channel in context.channels:
        return []
    return [("channel", "channel-not-declared", "本年度的渠道：" + "、".join(context.channels))]


def _asked(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    name = values.get("name")
    if context.asked is None or not isinstance(name, str) or name in context.asked:
        return []
    return [("name", "asked-not-declared", f"本年度要填报的数字：{'、'.join(context.asked)}" if context.asked
             else "本年度没有要各部门另外填报的数字")]


def _category(values: Mapping[str, object], context: Context) -> list[tuple[str, str, str]]:
    category = values.get("category")
    if context.categories is None or not isinstance(category, str) or category in context.categories:
        return []
    listed = "、".join(context.categories)
    return [("category", "category-not-declared", f"本年度的分类：{listed}" if listed else "本年度不按分类统计")]


ROW_RULES: dict[type[Row], tuple[RowRule, ...]] = {
    ChannelCount: (_channel,),
    CategoryCount: (_category,),
    AskedCount: (_asked,),
    Application: (_application,),
    ChecklistAnswer: (_checklist_answer, _checklist_link),
    DepartmentNarrative: (_paragraph,),
}


def row_check(context: Context) -> RowCheck:
    """The rules of one row of a sheet, checked against `context`."""
    def check(spec: SheetSpec, values: Mapping[str, object]) -> list[tuple[str, str, str]]:
        rules = ROW_RULES.get(spec.model, (_dates_in_window,))
        return [problem for rule in rules for problem in rule(values, context)]

    return check


# ---- rules across sheets ------------------------------------------------------------------------

WINDOW_YEARS = (1990, 2999)  # the years a window may lie in (dates near 1 or 9999 have no year before or after)


def check_office_info(file: str, result: SheetResult, year: str = "") -> list[Finding]:
    """基本信息 of the office workbook: a window that ends after it starts, a label of the window's years.

    `year` (the year folder's name) is not compared: a folder named 2019-2020 may hold a year labelled 2020年."""
    info: Any = result.records[0]
    found = []
    where = result.placement
    if info.window_end <= info.window_start:
        found.append(Finding("window-invalid", file, where.sheet, where.cell(0, "window_end"),
                             info.window_end.isoformat(), f"起始日期为{chinese_date(info.window_start)}"))
    for field_name in ("window_start", "window_end"):  # 9999-08-31: no next year, no deadline after it
        day = getattr(info, field_name)
        if not WINDOW_YEARS[0] <= day.year <= WINDOW_YEARS[1]:
            found.append(Finding("window-invalid", file, where.sheet, where.cell(0, field_name), day.isoformat(),
                                 f"年份应在 {WINDOW_YEARS[0]} 至 {WINDOW_YEARS[1]} 之间"))
    # The year folder's name is just a folder: the office workbook defines the year. Its label's years
    # (any spelling: "2019-2020学年度", "2020年") must lie in its own window: a copied workbook half updated.
    years = range(info.window_start.year, info.window_end.year + 1)
    stray = [y for y in re.findall(r"(?<!\d)\d{4}(?!\d)", info.year_label) if int(y) not in years]
    if stray and info.window_start < info.window_end:
        found.append(Finding("year-label-window", file, where.sheet, where.cell(0, "year_label"), info.year_label,
                             f"统计时间段为{chinese_window(info.window_start, info.window_end)}"))
    return found + check_names(file, result, "school_name", "year_label")


def check_last_year_text(file: str, result: SheetResult) -> list[Finding]:
    """Paragraphs `new-year` carried over from last year and not yet revised (still opening with the mark)."""
    texts = [getattr(record, "text", None) or "" for record in result.records]  # None: declared for departments
    return [Finding("last-year-text", file, result.placement.sheet, result.placement.cell(i, "text"),
                    text, f"段落“{getattr(record, 'key', '')}”")
            for i, (record, text) in enumerate(zip(result.records, texts, strict=True))
            if text.startswith(LAST_YEAR_MARK)]


def check_channel_rows(raw: RawWorkbook, result: SheetResult, findings: list[Finding],
                       channels: tuple[str, ...] = CHANNELS, key: str = "counts") -> SheetResult:
    """Each pre-filled channel once (findings appended to `findings`); a channel's second row is rejected.
    With `key` "breakdown": each of the office's categories once on 主动公开分类."""
    sheet = next((s for s in raw.sheets if s.name == result.placement.sheet), None)
    spec = next(s for s in DEPARTMENT_SHEETS if s.key == key)
    field_name, what = {"counts": ("channel", "渠道"), "breakdown": ("category", "分类"),
                        "asked": ("name", "数字")}[key]
    if sheet is None:
        return result
    header0, col_of, _ = match_header(raw.file, sheet, spec)
    if field_name not in col_of:
        return result  # a missing-column error already
    found, repeated = check_channels(raw.file, sheet, header0, col_of[field_name], channels, what)
    findings += found
    if not repeated:
        return result
    kept = [i for i, row in enumerate(result.placement.rows) if row not in repeated]
    placement = dataclasses.replace(result.placement, rows=tuple(result.placement.rows[i] for i in kept))
    dropped = len(result.records) - len(kept)
    tally = Tally(result.tally.read, result.tally.accepted - dropped, result.tally.rejected + dropped)
    return SheetResult(tuple(result.records[i] for i in kept), placement, result.findings, tally)


def check_breakdown_total(file: str, counts: SheetResult, breakdown: SheetResult) -> list[Finding]:
    """The office's categories add up to the department's channels (both sheets read without errors)."""
    place = breakdown.placement
    if not place.letters:
        return [Finding("missing-sheet", file, place.sheet,
                        detail=f"年度总表列出了公开分类，须填写“{place.sheet}”工作表")]
    if counts.tally.rejected or breakdown.tally.rejected or not breakdown.records:
        return []
    total = sum(getattr(r, "count", 0) for r in counts.records)
    parts = sum(getattr(r, "count", 0) for r in breakdown.records)
    if total == parts:
        return []
    return [Finding("breakdown-mismatch", file, place.sheet, place.cell(len(breakdown.records) - 1, "count"),
                    str(parts), f"各分类合计 {parts} 条，“{counts.placement.sheet}”表各渠道合计 {total} 条")]


def check_item_departments(file: str, result: SheetResult, names: set[str]) -> list[Finding]:
    found = []
    for i, item in enumerate(result.records):
        department = getattr(item, "department", "")
        if department not in names:
            found.append(Finding("unknown-department", file, result.placement.sheet,
                                 result.placement.cell(i, "department"), department))
    return found
