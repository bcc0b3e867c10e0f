"""Merge a year: the office workbook and the departments' summaries → the report data.

Every figure keeps the cells it came from (`Source`), so a reviewer can follow
"近1000余条" down to each department's cells. Narrative paragraphs may name figures
as `{联络员人数}`; they are filled here, and an unknown name is an error finding.
The departments' summaries are made in the worker processes (report_builder.report.summary).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from report_builder.dates import chinese_date
from report_builder.findings import Finding
from report_builder.report.summary import (
    COUNT_FIGURES,
    DEPARTMENT_FIGURES,
    EVENT_FIGURES,
    LIST_NAMES,
    DepartmentSummary,
    Source,
    counted,
    counted_rows,
)
from report_builder.schema import (
    NOT_APPLICABLE,
    DepartmentNarrativeKey,
    OfficeInfo,
    OfficeNarrativeKey,
    OfficeWorkbook,
)

__all__ = ["Figure", "ReportData", "Source", "fill_named", "merge_year"]

NARRATIVE_KEYS: tuple[str, ...] = get_args(OfficeNarrativeKey) + get_args(DepartmentNarrativeKey)
_NAMED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class ReportData:
    info: OfficeInfo
    departments: tuple[str, ...]
    figures: dict[str, Figure]
    texts: dict[str, str]
    narratives: dict[str, tuple[str, ...]]
    lists: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)  # "申请", "工作记录.评议"… by date
    used_figures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # narrative key → names it uses
    narrative_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → texts before filling

    @property
    def values(self) -> dict[str, str]:
        """What `{名称}` in a narrative can name: the texts and the figures."""
        return {**self.texts, **{name: str(f.value) for name, f in self.figures.items()}}


def merge_year(office: OfficeWorkbook, summaries: Sequence[DepartmentSummary],
               sent_files: Iterable[str] = ()) -> tuple[ReportData, list[Finding]]:
    """Combine the office workbook and the departments' summaries (in any order).

    `sent_files` are the names of files that could not be checked far enough to know their
    department: a file named after a department means it did submit (its errors say the rest).
    """
    findings: list[Finding] = []
    by_name = _unique_departments(summaries, findings)
    order = [d.name for d in office.departments]
    sent = set(by_name) | {Path(name).stem for name in sent_files}
    findings += _missing_departments(office, sent)
    known = [by_name[name] for name in order if name in by_name]
    figures = _figures(office, known, findings)
    texts = _texts(office.info)
    narratives, used, raw = _narratives(office, known, {**texts, **{k: str(f.value) for k, f in figures.items()}},
                                        findings)
    data = ReportData(
        info=office.info,
        departments=tuple(order),
        figures=figures,
        texts=texts,
        narratives=narratives,
        lists=_lists(known),
        used_figures=used,
        narrative_sources=raw,
    )
    return data, findings


def _unique_departments(summaries: Sequence[DepartmentSummary], findings: list[Finding],
                        ) -> dict[str, DepartmentSummary]:
    by_name: dict[str, DepartmentSummary] = {}
    # The file named exactly after its department is the one kept ("教务处.xlsx" over "教务处(1).xlsx").
    for s in sorted(summaries, key=lambda s: (Path(s.file).stem != s.department, s.file)):
        first = by_name.setdefault(s.department, s)
        if first is not s:
            findings.append(Finding("duplicate-department", s.file, s.info_sheet, s.department_cell, s.department,
                                    f"已有“{first.file}”"))
    return by_name


def _missing_departments(office: OfficeWorkbook, sent: set[str]) -> list[Finding]:
    place = office.places["departments"]
    return [Finding("missing-department", office.file, place.sheet, place.cell(i, "name"), d.name)
            for i, d in enumerate(office.departments) if d.name not in sent]


def _figure(name: str, sources: Iterable[Source | None]) -> Figure:
    found = tuple(s for s in sources if s is not None)
    return Figure(name, sum(s.amount for s in found), found)


def _figures(office: OfficeWorkbook, known: Sequence[DepartmentSummary],
             findings: list[Finding]) -> dict[str, Figure]:
    shares: dict[str, list[Source]] = {name: [] for name in DEPARTMENT_FIGURES}
    for summary in known:
        for name, sources in summary.shares.items():
            shares[name] += sources
    first = office.departments[0].name if office.departments else ""
    figs = [_figure("部门数", [counted("", office.file, office.places["departments"], "name",
                                       range(len(office.departments)), first)])]
    figs += [_figure(name, shares[name]) for name in COUNT_FIGURES]
    figs += _checklist_figures(office, known, findings)
    figs += [_figure(name, shares[name]) for name in EVENT_FIGURES]
    return {f.name: f for f in figs}


def _checklist_figures(office: OfficeWorkbook, known: Sequence[DepartmentSummary],
                       findings: list[Finding]) -> list[Figure]:
    """The status of each 清单 item is answered by its responsible department."""
    status: dict[int, str] = {}
    rows: dict[tuple[int, str], list[int]] = {}  # (index into known, status) → Excel rows
    for k, summary in enumerate(known):
        for number, answer, row in summary.checklist:
            if number in status:
                cell = f"{summary.checklist_column}{row}"
                findings.append(Finding("duplicate-row", summary.file, summary.checklist_sheet, cell, answer,
                                        f"第 {number} 项填写了两次"))
                continue
            status[number] = answer
            rows.setdefault((k, answer), []).append(row)
    submitted = {s.department for s in known}
    place = office.places["checklist"]
    for i, item in enumerate(office.checklist):
        if item.number not in status and item.department in submitted:
            findings.append(Finding("checklist-item-unanswered", office.file, place.sheet, place.cell(i, "title"),
                                    item.title, f"第 {item.number} 项应由{item.department}填写"))

    def answered(states: tuple[str, ...]) -> list[Source]:
        """Per department, its answers with one of `states`, as ranges."""
        found = []
        for k, s in enumerate(known):
            numbers = sorted(row for state in states for row in rows.get((k, state), ()))
            if numbers:
                first = next(state for state in states if (k, state) in rows)
                found.append(counted_rows(s.department, s.file, s.checklist_sheet, s.checklist_column, numbers, first))
        return found

    first = str(office.checklist[0].number) if office.checklist else ""
    items = counted("", office.file, place, "number", range(len(office.checklist)), first)
    return [
        _figure("清单事项数", [items]),
        _figure("已公开事项数", answered(("已公开",))),
        _figure("暂未涉及事项数", answered(("暂未涉及",))),
        _figure("暂未开展事项数", answered(("暂未开展",))),
        _figure("未公开事项数", answered(NOT_APPLICABLE)),
    ]


def _texts(info: OfficeInfo) -> dict[str, str]:
    return {
        "学校名称": info.school_name,
        "自称": info.self_noun,
        "年度": info.year_label,
        "下一学年": info.next_year_label,
        "起始日期": chinese_date(info.window_start),
        "截止日期": chinese_date(info.window_end),
    }


def _narratives(office: OfficeWorkbook, known: Sequence[DepartmentSummary], values: dict[str, str],
                findings: list[Finding],
                ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    paragraphs: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    raw: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    used: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    writers: dict[str, str] = {}
    place = office.places["narratives"]
    sources: list[tuple[str, str, str, str, str, str]]
    sources = [(office.file, "", n.key, n.text, place.sheet, place.cell(i, "text"))
               for i, n in enumerate(office.narratives)]
    sources += [(s.file, s.department, *narrative) for s in known for narrative in s.narratives]
    for file, department, key, text, sheet, cell in sources:
        if department and writers.setdefault(key, department) != department:
            findings.append(Finding("duplicate-narrative", file, sheet, cell, key, f"“{key}”也由{writers[key]}填写"))
        filled, names, unknown = fill_named(text, values)
        findings += [Finding("unknown-figure", file, sheet, cell, "{" + n + "}", f"没有名为“{n}”的数据")
                     for n in unknown]
        used[key] += names
        raw[key].append(text)
        paragraphs[key] += [p.strip() for p in filled.splitlines() if p.strip()]
    return ({k: tuple(v) for k, v in paragraphs.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in used.items() if v},
            {k: tuple(v) for k, v in raw.items()})


def fill_named(text: str, values: dict[str, str]) -> tuple[str, list[str], list[str]]:
    """Replace `{名称}` by its value; `{{`/`}}` are literal braces. Returns text, names used, unknown names."""
    used: list[str] = []
    unknown: list[str] = []

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1).strip()
        if name in values:
            used.append(name)
            return values[name]
        unknown.append(name)
        return token

    return _NAMED.sub(replace, text), used, unknown


def _lists(known: Sequence[DepartmentSummary]) -> dict[str, tuple[dict[str, str], ...]]:
    """Each list of every department, by date (department order within a day; sort is stable)."""
    lists = {}
    for name in LIST_NAMES:
        rows = [row for s in known for row in s.lists.get(name, ())]
        if rows or any(name in s.lists for s in known):
            rows.sort(key=lambda row: row.date)
            lists[name] = tuple(row.fields for row in rows)
    return lists
