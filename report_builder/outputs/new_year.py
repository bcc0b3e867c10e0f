"""Starting a year: the next year's office workbook (年度总表) from last year's, or a blank one.

What the office decided last year is carried over (school, self-noun, departments, 清单, channels and
categories); the window, the deadline and every year in the labels move on by one year; the office's
paragraphs are kept, each marked with `schema.LAST_YEAR_MARK` (the check warns until the office revises it
and removes the mark).
Every rule, prompt and instruction is then written for the new window by `forms.office_workbook`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

from openpyxl import Workbook

from report_builder.outputs.forms import office_workbook
from report_builder.schema import (
    CHANNELS,
    COMMON_CHANNELS,
    LAST_YEAR_MARK,
    OFFICE_NARRATIVE_KEYS,
    LastYearFigure,
    OfficeChannel,
    OfficeDisclosure,
    OfficeInfo,
    OfficeNarrative,
    OfficeWorkbook,
    columns,
)
from report_builder.tables import CARRIED_OUT
from report_builder.vocabulary import YEAR_TEXTS, declared_channels, figure_terms

__all__ = ["blank_office_workbook", "next_info", "next_office_workbook", "next_year_date", "next_year_label",
           "unshifted_labels"]


def next_year_date(day: dt.date) -> dt.date:
    """The same day a year later (29 February → 28 February); the last year a date can hold stays as it is."""
    if day.year >= dt.MAXYEAR:
        return day
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def next_year_label(label: str) -> str:
    """Every four-digit year of a label one later: "2017-2018年度" → "2018-2019年度", "2020年" → "2021年",
    "二〇一七至二〇一八年度" → "二〇一八至二〇一九年度" (the zero written as it was: 〇, ○ or 零)."""
    label = re.sub(r"(?<!\d)(\d{4})(?!\d)", lambda m: str(int(m.group(1)) + 1), label)
    return _CHINESE_YEAR.sub(lambda m: _chinese_next(m.group(0)), label)


_ZEROS = "〇○零"
_CHINESE_DIGITS = "一二三四五六七八九"
_DIGIT = f"[{_ZEROS}{_CHINESE_DIGITS}]"
_CHINESE_YEAR = re.compile(f"(?<!{_DIGIT}){_DIGIT}{{4}}(?!{_DIGIT})")


def _chinese_next(year: str) -> str:
    zero = next((ch for ch in year if ch in _ZEROS), "〇")
    digits = "".join("0" if ch in _ZEROS else str(_CHINESE_DIGITS.index(ch) + 1) for ch in year)
    return "".join(zero if d == "0" else _CHINESE_DIGITS[int(d) - 1] for d in f"{int(digits) + 1:04d}")


def unshifted_labels(info: OfficeInfo) -> list[tuple[str, str]]:
    """(the field's Chinese title, its label) of each year label with no year in it to move on."""
    fields = ["year_label", "next_year_label", *(t.field for t in YEAR_TEXTS)]
    headers = {c.field: c.header for c in columns(OfficeInfo)}
    labels = [(headers[f], getattr(info, f)) for f in dict.fromkeys(fields)]
    return [(title, label) for title, label in labels if label and next_year_label(label) == label]


def next_info(info: OfficeInfo) -> OfficeInfo:
    """Last year's 基本信息 for the next year: window, deadline and labels one year on."""
    changes: dict[str, Any] = {
        "year_label": next_year_label(info.year_label),
        "next_year_label": next_year_label(info.next_year_label),
        "window_start": next_year_date(info.window_start),
        "window_end": next_year_date(info.window_end),
        "deadline": next_year_date(info.deadline) if info.deadline else None,
        **{term.field: next_year_label(getattr(info, term.field)) for term in YEAR_TEXTS  # the office's spellings
           if getattr(info, term.field) is not None},
    }
    return dataclasses.replace(info, **changes)


def _marked(narrative: OfficeNarrative) -> OfficeNarrative:
    if narrative.text is None:  # a paragraph declared for the departments only: nothing to revise
        return narrative
    text = narrative.text if narrative.text.startswith(LAST_YEAR_MARK) else LAST_YEAR_MARK + narrative.text
    return dataclasses.replace(narrative, text=text)


def next_office_workbook(last: OfficeWorkbook) -> Workbook:
    """The next year's office workbook, carried over from last year's (checked) one."""
    channels = list(last.channels) or [OfficeChannel(name=name) for name in declared_channels(())]  # to edit
    blank = OfficeDisclosure() if last.disclosure else None  # this year's 表二 is typed anew, never carried
    return office_workbook(next_info(last.info), last.departments, last.checklist,
                           [_marked(n) for n in last.narratives], channels, last.categories, disclosure=blank,
                           asked=last.asked or None)  # the sheet even when empty: an office can start using it


def _typed_last_year(channels: tuple[str, ...]) -> list[str]:
    """The figures a blank 上年数字 lists: every figure but the single cells of the government tables (表三's
    applicant columns, 表四's results), except 结转下年度 by applicant (this year's 上年结转 column by column)."""
    return [t.name for t in figure_terms(channels) if "_" not in t.name or t.name.startswith(f"{CARRIED_OUT}_")]


def blank_office_workbook() -> Workbook:
    """An office workbook to fill from scratch: no school, no year, no window; the usual paragraphs and
    channels named (the nine defaults, then the common ones: 微博, 抖音…), and every figure on 上年数字 so
    the office can type last year's report (the first year built with this tool)."""
    channels = (*CHANNELS, *COMMON_CHANNELS)
    return office_workbook(None, (), (), [OfficeNarrative(key=key) for key in OFFICE_NARRATIVE_KEYS],
                           [OfficeChannel(name=name) for name in channels], (),
                           [LastYearFigure(name=name, value=None) for name in _typed_last_year(channels)],

                           disclosure=OfficeDisclosure(),  # 表二 of the government format, to type when used
                           asked=None)  # 部门填报的数字, empty: 咨询件数 and the like, to list when wanted
