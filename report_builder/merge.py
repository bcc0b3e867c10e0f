"""Merge the checked workbooks of a year into the report data.

Every figure keeps the cells it came from (`Source`), so a reviewer can follow
"近1000余条" down to each department's cell. Narrative paragraphs may name figures
as `{联络员人数}`; they are filled here, and an unknown name is an error finding.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import get_args

from report_builder.cells import chinese_date
from report_builder.findings import Finding
from report_builder.schema import (
    CHANNELS,
    NOT_APPLICABLE,
    Activity,
    ActivityKind,
    Application,
    Case,
    CaseKind,
    DepartmentNarrative,
    DepartmentNarrativeKey,
    DepartmentWorkbook,
    OfficeInfo,
    OfficeNarrative,
    OfficeNarrativeKey,
    OfficeWorkbook,
    Outcome,
    Placement,
    RefusalReason,
)

ACTIVITY_FIGURES = {"评议": "评议次数", "业务培训": "业务培训次数", "专项督查": "专项督查次数",
                    "校情发布会": "校情发布会次数", "制度建设": "制度建设项数", "平台建设": "平台建设项数",
                    "其他": "其他工作次数"}
NARRATIVE_KEYS: tuple[str, ...] = get_args(OfficeNarrativeKey) + get_args(DepartmentNarrativeKey)
_NAMED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Source:
    """One cell a figure was computed from."""

    department: str
    file: str
    sheet: str
    cell: str
    value: str


@dataclass(frozen=True)
class Figure:
    name: str
    value: int
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A dated row of a department, with where it came from."""

    department: str
    record: Application | Case | Activity
    source: Source


@dataclass(frozen=True)
class ReportData:
    info: OfficeInfo
    departments: tuple[str, ...]
    figures: dict[str, Figure]
    texts: dict[str, str]
    narratives: dict[str, tuple[str, ...]]
    applications: tuple[Event, ...] = ()
    cases: tuple[Event, ...] = ()
    activities: tuple[Event, ...] = ()
    used_figures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # narrative key → names it uses
    narrative_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → texts before filling

    @property
    def values(self) -> dict[str, str]:
        """What `{名称}` in a narrative can name: the texts and the figures."""
        return {**self.texts, **{name: str(f.value) for name, f in self.figures.items()}}


def merge_year(office: OfficeWorkbook, submissions: Sequence[DepartmentWorkbook],
               sent_files: Iterable[str] = ()) -> tuple[ReportData, list[Finding]]:
    """Combine the office workbook and the department workbooks (in any order).

    `sent_files` are the names of files that could not be checked far enough to know their
    department: a file named after a department means it did submit (its errors say the rest).
    """
    findings: list[Finding] = []
    by_name = _unique_departments(submissions, findings)
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
        applications=_events(known, "applications", "received"),
        cases=_events(known, "cases", "date"),
        activities=_events(known, "activities", "date"),
        used_figures=used,
        narrative_sources=raw,
    )
    return data, findings


def _unique_departments(submissions: Sequence[DepartmentWorkbook], findings: list[Finding],
                        ) -> dict[str, DepartmentWorkbook]:
    by_name: dict[str, DepartmentWorkbook] = {}
    # The file named exactly after its department is the one kept ("教务处.xlsx" over "教务处(1).xlsx").
    for wb in sorted(submissions, key=lambda w: (Path(w.file).stem != w.info.department, w.file)):
        first = by_name.setdefault(wb.info.department, wb)
        if first is not wb:
            findings.append(Finding("duplicate-department", wb.file, wb.places["info"].sheet,
                                    wb.places["info"].cell(0, "department"), wb.info.department,
                                    f"已有“{first.file}”"))
    return by_name


def _missing_departments(office: OfficeWorkbook, sent: set[str]) -> list[Finding]:
    place = office.places["departments"]
    return [Finding("missing-department", office.file, place.sheet, place.cell(i, "name"), d.name)
            for i, d in enumerate(office.departments) if d.name not in sent]


def _source(wb: DepartmentWorkbook, key: str, index: int, field_name: str, value: object) -> Source:
    place = wb.places[key]
    return Source(wb.info.department, wb.file, place.sheet, place.cell(index, field_name), str(value))


def _figure(name: str, sources: Iterable[tuple[int, Source]]) -> Figure:
    pairs = list(sources)
    return Figure(name, sum(v for v, _ in pairs), tuple(s for _, s in pairs))


def _figures(office: OfficeWorkbook, known: Sequence[DepartmentWorkbook],
             findings: list[Finding]) -> dict[str, Figure]:
    figs: list[Figure] = []
    dept_place = office.places["departments"]
    figs.append(_figure("部门数", ((1, Source("", office.file, dept_place.sheet, dept_place.cell(i, "name"), d.name))
                                   for i, d in enumerate(office.departments))))
    figs.append(_figure("联络员人数", ((1, _source(wb, "info", 0, "liaison", wb.info.liaison)) for wb in known)))
    counts = [(c, _source(wb, "counts", i, "count", c.count)) for wb in known for i, c in enumerate(wb.counts)]
    figs.append(_figure("主动公开条数", ((c.count, s) for c, s in counts if c.count)))
    figs += [_figure(f"{ch}条数", ((c.count, s) for c, s in counts if c.channel == ch and c.count)) for ch in CHANNELS]
    figs += _checklist_figures(office, known, findings)
    apps = [(a, _source(wb, "applications", i, "outcome", a.outcome))
            for wb in known for i, a in enumerate(wb.applications)]
    figs.append(_figure("依申请公开件数", ((1, s) for _, s in apps)))
    figs += [_figure(f"{o}件数", ((1, s) for a, s in apps if a.outcome == o)) for o in get_args(Outcome)]
    figs += [_figure(f"{r}理由件数", ((1, s) for a, s in apps if a.reason == r)) for r in get_args(RefusalReason)]
    figs.append(_figure("按期答复件数", ((1, s) for a, s in apps if a.on_time == "是")))
    figs.append(_figure("收费总额", ((a.fee, s) for a, s in apps if a.fee)))
    cases = [(c, _source(wb, "cases", i, "kind", c.kind)) for wb in known for i, c in enumerate(wb.cases)]
    figs += [_figure(f"{k}件数", ((1, s) for c, s in cases if c.kind == k)) for k in get_args(CaseKind)]
    acts = [(a, _source(wb, "activities", i, "kind", a.kind)) for wb in known for i, a in enumerate(wb.activities)]
    figs += [_figure(ACTIVITY_FIGURES[k], ((1, s) for a, s in acts if a.kind == k)) for k in get_args(ActivityKind)]
    return {f.name: f for f in figs}


def _checklist_figures(office: OfficeWorkbook, known: Sequence[DepartmentWorkbook],
                       findings: list[Finding]) -> list[Figure]:
    """The status of each 清单 item is answered by its responsible department."""
    answers: dict[int, Source] = {}
    status: dict[int, str] = {}
    for wb in known:
        for i, answer in enumerate(wb.checklist):
            source = _source(wb, "checklist", i, "status", answer.status)
            if answer.number in answers:
                findings.append(Finding("duplicate-row", wb.file, source.sheet, source.cell, answer.status,
                                        f"第 {answer.number} 项填写了两次"))
                continue
            answers[answer.number], status[answer.number] = source, answer.status
    submitted = {wb.info.department for wb in known}
    place = office.places["checklist"]
    for i, item in enumerate(office.checklist):
        if item.number not in status and item.department in submitted:
            findings.append(Finding("checklist-item-unanswered", office.file, place.sheet, place.cell(i, "title"),
                                    item.title, f"第 {item.number} 项应由{item.department}填写"))
    office_items = ((1, Source("", office.file, place.sheet, place.cell(i, "number"), str(item.number)))
                    for i, item in enumerate(office.checklist))
    mine = [(status[n], answers[n]) for n in sorted(status)]
    return [
        _figure("清单事项数", office_items),
        _figure("已公开事项数", ((1, s) for st, s in mine if st == "已公开")),
        _figure("暂未涉及事项数", ((1, s) for st, s in mine if st == "暂未涉及")),
        _figure("暂未开展事项数", ((1, s) for st, s in mine if st == "暂未开展")),
        _figure("未公开事项数", ((1, s) for st, s in mine if st in NOT_APPLICABLE)),
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


def _narratives(office: OfficeWorkbook, known: Sequence[DepartmentWorkbook], values: dict[str, str],
                findings: list[Finding],
                ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    paragraphs: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    raw: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    used: dict[str, list[str]] = {key: [] for key in NARRATIVE_KEYS}
    writers: dict[str, str] = {}
    sources: list[tuple[str, Placement, str, OfficeNarrative | DepartmentNarrative]]
    sources = [(office.file, office.places["narratives"], "", n) for n in office.narratives]
    sources += [(wb.file, wb.places["narratives"], wb.info.department, n) for wb in known for n in wb.narratives]
    index_in: Counter[str] = Counter()
    for file, place, department, narrative in sources:
        i = index_in[file]
        index_in[file] += 1
        cell = place.cell(i, "text")
        if department and writers.setdefault(narrative.key, department) != department:
            findings.append(Finding("duplicate-narrative", file, place.sheet, cell, narrative.key,
                                    f"“{narrative.key}”也由{writers[narrative.key]}填写"))
        text, names, unknown = fill_named(narrative.text, values)
        findings += [Finding("unknown-figure", file, place.sheet, cell, "{" + n + "}",
                             f"没有名为“{n}”的数据") for n in unknown]
        used[narrative.key] += names
        raw[narrative.key].append(narrative.text)
        paragraphs[narrative.key] += [p.strip() for p in text.splitlines() if p.strip()]
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


def _events(known: Sequence[DepartmentWorkbook], key: str, date_field: str) -> tuple[Event, ...]:
    """Rows of one sheet of every department, by date (department order within a day)."""
    events = [Event(wb.info.department, record, _source(wb, key, i, date_field, getattr(record, date_field)))
              for wb in known for i, record in enumerate(getattr(wb, key))]
    return tuple(sorted(events, key=lambda e: getattr(e.record, date_field)))
