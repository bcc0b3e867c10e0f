"""Merge a year: the office workbook and the departments' summaries → the report data.

Every figure keeps the cells it came from (`Source`), so a reviewer can follow
"近1000余条" down to each department's cells. Narrative paragraphs may name figures
as `{联络员人数}`; they are filled here, and an unknown name is an error finding.
The departments' summaries are made in the worker processes (report_builder.report.summary).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from report_builder.dates import chinese_date
from report_builder.findings import Finding
from report_builder.report.government import carried_in, disclosure_sources, identity_findings
from report_builder.report.summary import (
    DepartmentSummary,
    Listed,
    Source,
    WrittenNarrative,
    counted,
    counted_rows,
)
from report_builder.report.year_on_year import LastYear, last_year_values
from report_builder.schema import OfficeInfo, OfficeWorkbook
from report_builder.vocabulary import (
    CHECKLIST,
    CHECKLIST_FIGURES,
    CHECKLIST_ITEMS,
    COLLECTED_LISTS,
    DEPARTMENT_COUNT,
    EVENT_FIGURES,
    TEXTS,
    asked_terms,
    category_terms,
    count_terms,
    declared_asked,
    declared_categories,
    declared_channels,
    declared_narratives,
)

__all__ = ["Figure", "Filled", "LastYear", "ReportData", "Source", "fill_named", "merge_year"]

_NAMED = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


@dataclass(frozen=True, slots=True)
class Filled:
    """A narrative text with its `{名称}` filled, the names it used and the unknown names."""

    text: str
    used: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Figure:
    name: str
    value: int
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, slots=True)
class ReportData:
    """The year's report data, under the names of report_builder.vocabulary."""

    info: OfficeInfo
    departments: tuple[str, ...]
    figures: dict[str, Figure]
    texts: dict[str, str]
    narratives: dict[str, tuple[str, ...]]
    lists: dict[str, tuple[dict[str, str], ...]] = field(default_factory=dict)  # "申请", "工作记录.评议"…
    used_figures: dict[str, tuple[str, ...]] = field(default_factory=dict)  # narrative key → names it uses
    narrative_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → texts before filling
    last_year: LastYear | None = None  # last year's figures (build --from), for `上年.…` and `增减.…`
    channels: tuple[str, ...] = ()  # the office's 公开渠道 (vocabulary.declared_channels), in its order
    channel_identifiers: dict[str, str] = field(default_factory=dict)  # a channel's 名称或地址, when given

    @property
    def values(self) -> dict[str, str]:
        """What `{名称}` in a narrative can name: the texts, the figures, `上年.…` and `增减.…`."""
        plain = {name: f.value for name, f in self.figures.items()}
        return {**self.texts, **{k: str(v) for k, v in plain.items()}, **last_year_values(plain, self.last_year)}


def merge_year(office: OfficeWorkbook, summaries: Sequence[DepartmentSummary],
               sent_files: Iterable[str] = (), last_year: LastYear | None = None,
               ) -> tuple[ReportData, list[Finding]]:
    """Combine the office workbook and the departments' summaries (in any order).

    `sent_files` are the names of files that could not be checked far enough to know their
    department: a file named after a department means it did submit (its errors say the rest).
    `last_year` gives `{上年.名称}` and `{增减.名称}` their values ("未知" without it).
    """
    findings: list[Finding] = []
    by_name = _unique_departments(summaries, findings)
    order = [d.name for d in office.departments]
    sent = set(by_name) | {Path(name).stem for name in sent_files}
    findings += _missing_departments(office, sent)
    known = [by_name[name] for name in order if name in by_name]
    figures = _figures(office, known, findings)
    if (carried := carried_in(last_year)) is not None:  # 表三 row 二 is last year's row 四
        figures.update({name: _figure(name, sources) for name, sources in carried.items()})
    findings += identity_findings(figures, office.file)
    texts = _texts(office.info)
    plain = {k: f.value for k, f in figures.items()}
    values = {**texts, **{k: str(v) for k, v in plain.items()}, **last_year_values(plain, last_year)}
    narratives, used, raw = _narratives(office, known, values, findings)
    data = ReportData(
        info=office.info,
        departments=tuple(order),
        figures=figures,
        texts=texts,
        narratives=narratives,
        lists=_lists(office, known),
        used_figures=used,
        narrative_sources=raw,
        last_year=last_year,
        channels=declared_channels(office.channels),
        channel_identifiers={c.name: c.identifier for c in office.channels if c.identifier},
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
    counts = [t.name for t in (*count_terms(declared_channels(office.channels)),  # the office's channels
                               *category_terms(declared_categories(office.categories)),
                               *asked_terms(declared_asked(office.asked)))]
    shares: dict[str, list[Source]] = {name: [] for name in (*counts, *EVENT_FIGURES)}
    for summary in known:
        for name, sources in summary.shares.items():
            shares[name] += sources  # a name not among the year's figures is a bug (intake rejects it): KeyError
    first = office.departments[0].name if office.departments else ""
    figs = [_figure(DEPARTMENT_COUNT, [counted("", office.file, office.places["departments"], "name",
                                       range(len(office.departments)), first)])]
    figs += [_figure(name, shares[name]) for name in counts]
    figs += _checklist_figures(office, known, findings)
    figs += [_figure(name, shares[name]) for name in EVENT_FIGURES]
    figs += [_figure(name, sources) for name, sources in disclosure_sources(office).items()]
    return {f.name: f for f in figs}


def _checklist_figures(office: OfficeWorkbook, known: Sequence[DepartmentSummary],
                       findings: list[Finding]) -> list[Figure]:
    """The status of each 清单 item is answered by its responsible department."""
    status: dict[int, str] = {}
    rows: dict[tuple[int, str], list[int]] = {}  # (index into known, status) → Excel rows
    for k, summary in enumerate(known):
        for answer in summary.checklist:
            if answer.number in status:
                cell = f"{summary.checklist_column}{answer.row}"
                findings.append(Finding("duplicate-row", summary.file, summary.checklist_sheet, cell, answer.status,
                                        f"第 {answer.number} 项填写了两次"))
                continue
            status[answer.number] = answer.status
            rows.setdefault((k, answer.status), []).append(answer.row)
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
    return [_figure(CHECKLIST_ITEMS, [items]),
            *(_figure(name, answered(states)) for name, states in CHECKLIST_FIGURES.items())]


def _texts(info: OfficeInfo) -> dict[str, str]:
    """vocabulary.TEXTS: fields of the office's 基本信息, dates as 2017年9月1日; a blank year spelling
    (vocabulary.YEAR_TEXTS) derived from the window."""
    def text(value: object) -> str:
        return chinese_date(value) if isinstance(value, dt.date) else str(value)

    return {term.name: term.derived(info) if term.derived and getattr(info, term.field) is None
            else text(getattr(info, term.field)) for term in TEXTS}


def _narratives(office: OfficeWorkbook, known: Sequence[DepartmentSummary], values: dict[str, str],
                findings: list[Finding],
                ) -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, ...]], dict[str, tuple[str, ...]]]:
    declared = declared_narratives(office.narratives)  # every year's names, then the office's own
    paragraphs: dict[str, list[str]] = {key: [] for key in declared}
    raw: dict[str, list[str]] = {key: [] for key in declared}
    used: dict[str, list[str]] = {key: [] for key in declared}
    writers: dict[str, str] = {}
    opened = {n.key for n in office.narratives if n.by_departments == "是"}  # meant for several departments
    place = office.places["narratives"]
    written = [WrittenNarrative("", office.file, place.sheet, place.cell(i, "text"), n.key, n.text)
               for i, n in enumerate(office.narratives) if n.text is not None]
    written += [narrative for s in known for narrative in s.narratives]
    for n in written:
        if n.department and n.key not in opened and writers.setdefault(n.key, n.department) != n.department:
            findings.append(Finding("duplicate-narrative", n.file, n.sheet, n.cell, n.key,
                                    f"“{n.key}”也由{writers[n.key]}填写"))
        filled = fill_named(n.text, values)
        findings += [Finding("unknown-figure", n.file, n.sheet, n.cell, "{" + name + "}", f"没有名为“{name}”的数据")
                     for name in filled.unknown]
        used.setdefault(n.key, []).extend(filled.used)  # a name intake let through is kept, never a KeyError
        raw.setdefault(n.key, []).append(n.text)
        paragraphs.setdefault(n.key, []).extend(p.strip() for p in filled.text.splitlines() if p.strip())
    return ({k: tuple(v) for k, v in paragraphs.items()},
            {k: tuple(dict.fromkeys(v)) for k, v in used.items() if v},
            {k: tuple(v) for k, v in raw.items()})


def fill_named(text: str, values: dict[str, str]) -> Filled:
    """Replace `{名称}` by its value; `{{`/`}}` are literal braces."""
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

    filled = _NAMED.sub(replace, text)
    return Filled(filled, tuple(used), tuple(unknown))


def _lists(office: OfficeWorkbook, known: Sequence[DepartmentSummary]) -> dict[str, tuple[dict[str, str], ...]]:
    """Each list asked for (vocabulary.COLLECTED_LISTS): by date, department order within a day (the
    sort is stable); 清单 in the office's order."""
    lists = {}
    for name in COLLECTED_LISTS:
        rows = [row for s in known for row in s.lists.get(name, ())]
        if not rows and not any(name in s.lists for s in known):
            continue
        if name == CHECKLIST:
            lists[name] = _checklist_rows(office, rows)
        else:
            rows.sort(key=lambda row: row.date or dt.date.min)
            lists[name] = tuple(row.fields for row in rows)
    return lists


def _checklist_rows(office: OfficeWorkbook, answers: Sequence[Listed]) -> tuple[dict[str, str], ...]:
    """Every item of the office's 清单 with its department's answer (the first one; blank when none).
    栏目链接 is the link's text here; render makes it a hyperlink (report.links)."""
    by_number: dict[str, dict[str, str]] = {}
    for answer in answers:
        by_number.setdefault(answer.fields["序号"], answer.fields)

    def answered(item: int, field: str) -> str:
        return by_number.get(str(item), {}).get(field, "")

    return tuple({"序号": str(item.number), "类别": item.category, "公开事项": item.title,
                  "牵头落实单位": item.department, "公开状态": answered(item.number, "公开状态"),
                  "公开栏目链接": answered(item.number, "公开栏目链接"),
                  "栏目链接": answered(item.number, "公开栏目链接")}
                 for item in office.checklist)
