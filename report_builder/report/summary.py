"""One checked department workbook → what the report needs of it (runs in the worker).

A year of 4,000 departments holds a million rows, but the report needs of each department only
its share of each figure (with the cells behind it, counted rows as ranges), its checklist
answers, its narrative paragraphs, and the rows of the lists the template prints. A summary is
small plain data: cheap to send back from a worker process, cheap to merge (report_builder.report.merge).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from report_builder.dates import chinese_date
from report_builder.schema import (
    Activity,
    Application,
    Case,
    ChecklistAnswer,
    DepartmentWorkbook,
    Placement,
)
from report_builder.tables import application_counts, case_counts, moe_counts
from report_builder.vocabulary import (
    ACTIVITIES,
    ACTIVITY_FIGURES,
    CHECKLIST,
    COLLECTED_LISTS,
    channel_figure,
)

__all__ = ["Answer", "DepartmentSummary", "Listed", "Source", "WrittenNarrative", "summarize_department"]


@dataclass(frozen=True, slots=True)
class Source:
    """Cells a figure was computed from: one cell ("C7") or counted rows as ranges ("F3:F40, F52")."""

    department: str  # "" for the office workbook
    file: str
    sheet: str
    cell: str
    value: str  # the cell's value, or "共 39 行" for several counted rows
    amount: int  # what these cells add to the figure


@dataclass(frozen=True, slots=True)
class Listed:
    """A row of a list the template prints, its fields already as report text (vocabulary.LISTS)."""

    date: dt.date | None  # the order of the merged list (清单 is in the office's order instead)
    fields: dict[str, str]


@dataclass(frozen=True, slots=True)
class Answer:
    """A 清单 item's status as its department answered it, and the Excel row of the answer."""

    number: int
    status: str
    row: int


@dataclass(frozen=True, slots=True)
class WrittenNarrative:
    """A narrative cell: its paragraph key, text, and where it is ("" department for the office)."""

    department: str
    file: str
    sheet: str
    cell: str
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class DepartmentSummary:
    """A department's part of the report."""

    file: str
    department: str
    info_sheet: str
    department_cell: str  # where the department's name is (for a duplicate submission)
    shares: dict[str, tuple[Source, ...]]  # figure name → this department's sources; amounts add up
    checklist: tuple[Answer, ...]  # in sheet order
    checklist_sheet: str
    checklist_column: str  # the letter of the status column
    narratives: tuple[WrittenNarrative, ...]  # in sheet order
    lists: dict[str, tuple[Listed, ...]]  # only the lists asked for; rows in sheet order


def summarize_department(wb: DepartmentWorkbook, lists: Iterable[str] = COLLECTED_LISTS) -> DepartmentSummary:
    """Reduce a checked department workbook; `lists` names the lists to keep (vocabulary.COLLECTED_LISTS)."""
    places = wb.places
    shares: dict[str, list[Source]] = {}

    def add(name: str, source: Source | None) -> None:
        if source is not None and source.amount:
            shares.setdefault(name, []).append(source)

    def count(name: str, key: str, field: str, indices: Sequence[int], first: str) -> None:
        add(name, counted(wb.info.department, wb.file, places[key], field, indices, first))

    info_place = places["info"]
    add("联络员人数", Source(wb.info.department, wb.file, info_place.sheet, info_place.cell(0, "liaison"),
                              wb.info.liaison, 1))
    for i, c in enumerate(wb.counts):
        cell = Source(wb.info.department, wb.file, places["counts"].sheet, places["counts"].cell(i, "count"),
                      str(c.count), c.count)
        add("主动公开条数", cell)
        add(channel_figure(c.channel), cell)
    for i, b in enumerate(wb.breakdown):  # the office's categories: `<分类>条数`
        add(channel_figure(b.category), Source(wb.info.department, wb.file, places["breakdown"].sheet,
                                               places["breakdown"].cell(i, "count"), str(b.count), b.count))
    for i, own in enumerate(wb.asked):  # the office's own figures: `<名称>` (咨询件数…)
        add(own.name, Source(wb.info.department, wb.file, places["asked"].sheet, places["asked"].cell(i, "count"),
                             str(own.count), own.count))
    apps = wb.applications
    window = (wb.info.window_start, wb.info.window_end)
    _count_rows(count, "applications", apps, [application_counts(a, window) + moe_counts(a, window) for a in apps])
    fees = places["applications"]
    for i, a in enumerate(apps):
        add("收费总额", Source(wb.info.department, wb.file, fees.sheet, fees.cell(i, "fee"), str(a.fee), a.fee))
    _count_rows(count, "cases", wb.cases, [case_counts(c) for c in wb.cases])
    _count_rows(count, "activities", wb.activities, [[(ACTIVITY_FIGURES[a.kind], "kind")] for a in wb.activities])

    checklist = places["checklist"]
    narratives = places["narratives"]
    return DepartmentSummary(
        file=wb.file,
        department=wb.info.department,
        info_sheet=info_place.sheet,
        department_cell=info_place.cell(0, "department"),
        shares={name: tuple(sources) for name, sources in shares.items()},
        checklist=tuple(Answer(a.number, a.status, checklist.rows[i]) for i, a in enumerate(wb.checklist)),
        checklist_sheet=checklist.sheet,
        checklist_column=checklist.letters.get("status", ""),
        narratives=tuple(WrittenNarrative(wb.info.department, wb.file, narratives.sheet, narratives.cell(i, "text"),
                                          n.key, n.text) for i, n in enumerate(wb.narratives)),
        lists=_lists(wb, set(lists)),
    )


def _count_rows(count: Callable[[str, str, str, Sequence[int], str], None], key: str, records: Sequence[object],
                counts: Sequence[Sequence[tuple[str, str]]]) -> None:
    """Count rows into figures: `counts[i]` names the figures row i adds 1 to, each with the field it is
    counted by (tables.application_counts); the cells of that field become the figure's source."""
    groups: dict[tuple[str, str], list[int]] = {}
    for i, pairs in enumerate(counts):
        for pair in pairs:
            groups.setdefault(pair, []).append(i)
    for (name, field), indices in groups.items():
        value = getattr(records[indices[0]], field)
        count(name, key, field, indices, chinese_date(value) if isinstance(value, dt.date) else str(value or ""))


def counted(department: str, file: str, place: Placement, field: str, indices: Sequence[int],
            first: str) -> Source | None:
    """Rows (by index into the sheet's records) counted into a figure, as one source; `first` is the
    value of the first row, shown when it is the only one."""
    if not indices:
        return None
    return counted_rows(department, file, place.sheet, place.letters.get(field, ""),
                        [place.rows[i] for i in indices], first)


def counted_rows(department: str, file: str, sheet: str, column: str, rows: Sequence[int], first: str) -> Source:
    """Excel rows of one column counted into a figure: "F3:F40, F52", "共 39 行" (or the value of a lone row)."""
    value = first if len(rows) == 1 else f"共 {len(rows)} 行"
    return Source(department, file, sheet, cell_ranges(column, rows), value, len(rows))


def cell_ranges(column: str, rows: Sequence[int], limit: int = 200) -> str:
    """Column F, rows 3, 4, 5, 9 → "F3:F5, F9" (cut with "…" past `limit` characters)."""
    parts: list[str] = []
    start = previous = rows[0]
    for n in [*rows[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
        if n is not None:
            start = previous = n
    text = ", ".join(parts)
    return text if len(text) <= limit else text[:limit].rsplit(",", 1)[0] + ", …"


# ---- the lists the template prints ---------------------------------------------------------------

def _lists(wb: DepartmentWorkbook, wanted: set[str]) -> dict[str, tuple[Listed, ...]]:
    found: dict[str, list[Listed]] = {name: [] for name in COLLECTED_LISTS if name in wanted}
    department = wb.info.department
    if "申请" in found:
        found["申请"] = [application_row(department, a) for a in wb.applications]
    if "案件" in found:
        found["案件"] = [case_row(department, c) for c in wb.cases]
    if CHECKLIST in found:
        found[CHECKLIST] = [checklist_row(a) for a in wb.checklist]
    for a in wb.activities:
        if (name := f"{ACTIVITIES}.{a.kind}") in found:
            found[name].append(activity_row(department, a))
    return {name: tuple(rows) for name, rows in found.items()}


def application_row(department: str, a: Application) -> Listed:
    return Listed(a.received, {"部门": department, "收到日期": chinese_date(a.received), "摘要": a.summary,
                               "答复日期": chinese_date(a.answered) if a.answered else "", "结果": a.outcome or "",
                               "理由": a.reason or "", "按期": a.on_time or "", "申请人": a.applicant})


def case_row(department: str, c: Case) -> Listed:
    return Listed(c.date, {"部门": department, "类型": c.kind, "日期": chinese_date(c.date),
                           "事由": sentence(c.summary), "结果": c.result})


def activity_row(department: str, a: Activity) -> Listed:
    return Listed(a.date, {"部门": department, "日期": chinese_date(a.date), "内容": sentence(a.summary)})


def checklist_row(a: ChecklistAnswer) -> Listed:
    """A department's answer to a 清单 item: merge adds the item's other fields from the office's 清单."""
    return Listed(None, {"序号": str(a.number), "公开状态": a.status, "公开栏目链接": a.link or ""})


def sentence(text: str) -> str:
    """A department's short text as a sentence of the report: ends with 。 unless it has an end mark."""
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；", ".", "”")) else text + "。"
