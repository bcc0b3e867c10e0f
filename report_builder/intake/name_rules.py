"""The names the office gives, one namespace: usable in file names and templates, listed once, not another's.

A department, school or year name our file names are made of; a paragraph (段落), channel (公开渠道),
category (公开分类) or asked figure a template writes as a name; last year's figure names (上年数字); and
look-alike department names that would make two departments one file. Each gives findings at its cell.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence

from report_builder.findings import Finding
from report_builder.intake.sheets import SheetResult, norm
from report_builder.names import name_problem, safe_stem
from report_builder.naming import channel_name_problem, close_name, narrative_name_problem
from report_builder.schema import CHANNELS, COMMON_CHANNELS
from report_builder.vocabulary import channel_figure

__all__ = ["check_asked_names", "check_channel_names", "check_last_year_names", "check_lookalike_names",
           "check_names", "check_narrative_names", "check_unique", "last_year_name_problem"]


def check_names(file: str, result: SheetResult, *fields: str) -> list[Finding]:
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


def check_narrative_names(file: str, result: SheetResult) -> list[Finding]:
    """The office's paragraph names (段落), each usable as `文字.<名称>` in a template."""
    found = []
    for i, record in enumerate(result.records):
        name = getattr(record, "key", "")
        problem = narrative_name_problem(name)
        if problem:
            found.append(Finding("narrative-name-unusable", file, result.placement.sheet,
                                 result.placement.cell(i, "key"), name, problem))
    return found


def check_channel_names(file: str, result: SheetResult, taken: Mapping[str, str] | None = None) -> list[Finding]:
    """The office's channels (公开渠道) or categories (公开分类), each usable as `<名称>条数` in a template,
    once only, and not the figure of a name in `taken` (figure → what it is, "公开渠道“微博”")."""
    found = []
    first: dict[str, tuple[str, str]] = {}
    for i, record in enumerate(result.records):
        name, cell = getattr(record, "name", ""), result.placement.cell(i, "name")
        problem = channel_name_problem(name)
        other, other_cell = first.setdefault(channel_figure(name), (name, cell))
        if problem is None and channel_figure(name) in (taken or {}):
            problem = f"与{(taken or {})[channel_figure(name)]}在模板中同名（{channel_figure(name)}）"
        elif problem is None and other_cell != cell:
            problem = (f"与 {other_cell} 重复" if other == name
                       else f"与 {other_cell} 的“{other}”在模板中同名（{channel_figure(name)}）")
        if problem:
            found.append(Finding("channel-name-unusable", file, result.placement.sheet, cell, name, problem))
    return found


def check_asked_names(file: str, result: SheetResult, taken: Iterable[str]) -> list[Finding]:
    """The figures the office asks departments for: each a name a template can write, listed once, not a name
    the year already has (`taken`: vocabulary.context_names)."""
    found: list[Finding] = []
    first: dict[str, str] = {}
    names = frozenset(taken)
    for i, record in enumerate(result.records):
        name, cell = getattr(record, "name", ""), result.placement.cell(i, "name")
        problem = narrative_name_problem(name)
        if problem is None and name in names:
            problem = "报告中已有这个名称"
        elif problem is None and first.setdefault(name, cell) != cell:
            problem = f"与 {first[name]} 重复"
        if problem:
            found.append(Finding("asked-name-unusable", file, result.placement.sheet, cell, name, problem))
    return found


def check_last_year_names(file: str, result: SheetResult, figures: Sequence[str]) -> list[Finding]:
    """A name on 上年数字 that is not a figure of this year's report is a warning (its row is not used), and
    only when a value was typed: a blank new-year lists every default channel's `<渠道>条数`, which the office
    may replace with its own (last_year_name_problem)."""
    found = []
    for i, record in enumerate(result.records):
        name = getattr(record, "name", "")
        if name not in figures and getattr(record, "value", None) is not None:
            found.append(Finding("last-year-unknown-name", file, result.placement.sheet,
                                 result.placement.cell(i, "name"), name, last_year_name_problem(name, figures)))
    return found


def last_year_name_problem(name: str, figures: Sequence[str]) -> str:
    """Why a 上年数字 name is not this year's figure, and the one it may stand for when there is a close one."""
    channel = next((c for c in (*CHANNELS, *COMMON_CHANNELS) if channel_figure(c) == name), None)
    if channel is not None:
        return f"本年度年度总表“公开渠道”表中没有“{channel}”"
    near = close_name(name, figures)
    return f"是不是要写：{near}？" if near else "请写报告中的数字名称，如“主动公开条数”"


def check_unique(file: str, result: SheetResult, field_name: str) -> list[Finding]:
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


def check_lookalike_names(file: str, result: SheetResult) -> list[Finding]:
    """A department name with invisible characters (Unicode Cf: U+200B, U+FEFF…), or equal to another
    once width, spaces and invisible characters are ignored: files would not match it, or match twice."""
    first: dict[str, tuple[str, str]] = {}
    by_file: dict[str, tuple[str, str]] = {}  # "教务处" and "教务处.": one file name (names.safe_stem), one upload
    found = []
    for i, record in enumerate(result.records):
        name, cell = getattr(record, "name", ""), result.placement.cell(i, "name")
        invisible = sorted({ch for ch in name if unicodedata.category(ch) == "Cf"})
        key = "".join(ch for ch in norm(name) if unicodedata.category(ch) != "Cf")
        other, other_cell = first.setdefault(key, (name, cell))
        same_file, file_cell = by_file.setdefault(safe_stem(name), (name, cell))
        problems = ["含不可见字符 " + "、".join(f"U+{ord(ch):04X}" for ch in invisible)] if invisible else []
        if other != name:  # the very same name twice is a duplicate-row error already
            problems.append(f"与 {other_cell} 的“{_visible(other)}”几乎相同")
        elif same_file != name:
            problems.append(f"与 {file_cell} 的“{_visible(same_file)}”几乎相同"
                            f"（填报表的文件名都是“{safe_stem(name)}.xlsx”）")
        if problems:
            found.append(Finding("department-name-lookalike", file, result.placement.sheet, cell,
                                 _visible(name), "；".join(problems)))
    return found


def _visible(text: str) -> str:
    """Invisible characters written out, so a message shows them: "教务处[U+200B]"."""
    return "".join(f"[U+{ord(ch):04X}]" if unicodedata.category(ch) == "Cf" else ch for ch in text)
