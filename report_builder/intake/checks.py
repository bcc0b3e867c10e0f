"""Check raw workbooks against the schema: raw rows → validated models + findings.

The two kinds of workbook (年度总表, 部门填报表): their sheets read by intake.sheets (the mechanics),
then the rules of intake.rules applied.

Nothing here raises on bad data. Every row with content is counted: it is either
accepted (it becomes a model) or rejected (it has at least one error finding), so
`read == accepted + rejected` for every file.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from report_builder.findings import Finding
from report_builder.formats import links_required
from report_builder.intake.completeness import check_answered
from report_builder.intake.name_rules import (
    check_asked_names,
    check_channel_names,
    check_last_year_names,
    check_lookalike_names,
    check_names,
    check_narrative_names,
    check_unique,
)
from report_builder.intake.prefilled import check_info
from report_builder.intake.reader import RawWorkbook
from report_builder.intake.rules import (
    Context,
    check_breakdown_total,
    check_channel_rows,
    check_item_departments,
    check_last_year_text,
    check_office_info,
    row_check,
)
from report_builder.intake.sheets import IGNORED_SHEETS, SheetResult, Tally, norm, read_sheets
from report_builder.schema import (
    CHANNELS,
    DEPARTMENT_SHEETS,
    OFFICE_SHEETS,
    ChecklistItem,
    DepartmentWorkbook,
    OfficeWorkbook,
    Row,
    SheetSpec,
)
from report_builder.vocabulary import (
    channel_figure,
    context_names,
    declared_asked,
    declared_categories,
    declared_channels,
    department_narratives,
    figure_terms,
)

__all__ = ["Checked", "Tally", "check_department", "check_office"]


@dataclass(frozen=True)
class Checked:
    """The outcome for one file."""

    file: str
    kind: Literal["office", "department"]
    workbook: OfficeWorkbook | DepartmentWorkbook | None
    findings: tuple[Finding, ...]
    tally: Tally

    @property
    def department(self) -> str:
        wb = self.workbook
        return wb.info.department if isinstance(wb, DepartmentWorkbook) else ""


def check_office(raw: RawWorkbook, year: str = "") -> Checked:
    """Check the office workbook (年度总表). `year` is the year folder's name, e.g. "2017-2018"."""
    if not _looks_like(raw, OFFICE_SHEETS):
        return _not_a_template(raw, "office", "年度总表")
    sheets, findings = read_sheets(raw, OFFICE_SHEETS, row_check(Context()))
    info = _single(sheets["info"])
    if info is not None:
        findings += check_office_info(raw.file, sheets["info"], year)
    names = {d.name for d in sheets["departments"].records}  # type: ignore[attr-defined]
    findings += check_item_departments(raw.file, sheets["checklist"], names)
    findings += check_unique(raw.file, sheets["departments"], "name")
    findings += check_names(raw.file, sheets["departments"], "name")
    findings += check_lookalike_names(raw.file, sheets["departments"])
    findings += _check_emails(raw.file, sheets["departments"])
    findings += check_unique(raw.file, sheets["checklist"], "number")
    findings += check_narrative_names(raw.file, sheets["narratives"])
    findings += check_last_year_text(raw.file, sheets["narratives"])
    # One namespace: a channel's or category's figure is neither a name of the vocabulary nor another's figure.
    fixed = {name: f"模板中已有的名称“{name}”" for name in context_names(())} | {
        t.name: f"数字“{t.name}”" for t in figure_terms(())}
    findings += check_channel_names(raw.file, sheets["channels"], fixed)
    channels = declared_channels(sheets["channels"].records)  # type: ignore[arg-type]
    findings += check_channel_names(raw.file, sheets["categories"],
                                    {**{channel_figure(c): f"公开渠道“{c}”" for c in channels}, **fixed})
    categories = [getattr(r, "name", "") for r in sheets["categories"].records]
    findings += check_asked_names(raw.file, sheets["asked"], context_names(channels, categories))
    asked = [getattr(r, "name", "") for r in sheets["asked"].records]
    figures = [t.name for t in figure_terms(channels, categories, asked)]
    findings += check_last_year_names(raw.file, sheets["last_year"], figures)
    findings += check_unique(raw.file, sheets["last_year"], "name")
    return _finish(raw, "office", OfficeWorkbook, sheets, findings, complete=info is not None)


def check_department(raw: RawWorkbook, office: OfficeWorkbook | None, index: OfficeIndex | None = None) -> Checked:
    """Check one department workbook against the office workbook of the year.

    `index` is `OfficeIndex.of(office)`: pass it when checking many files against one office workbook."""
    office_sheets = sorted(OFFICE_ONLY_SHEETS & {s.name for s in raw.sheets})
    if len(office_sheets) >= 2:  # the office's own workbook (a copy, or uploaded on a department's page)
        shown = "、".join(office_sheets)
        finding = Finding("office-as-department", raw.file, detail=f"文件中有年度总表的工作表：{shown}")
        return Checked(raw.file, "department", None, (finding,), Tally())
    if not _looks_like(raw, DEPARTMENT_SHEETS):
        return _not_a_template(raw, "department", "部门填报表")
    info_spec, *table_specs = DEPARTMENT_SHEETS
    info_sheets, findings = read_sheets(raw, (info_spec,), row_check(Context()), extra_sheets_ok=True)
    info = _single(info_sheets["info"])
    context = Context()
    if office is not None:
        index = index if index is not None and index.office is office else OfficeIndex.of(office)
        listed = getattr(info, "department", "") in index.names
        context = Context(
            window=(office.info.window_start, office.info.window_end),
            checklist=index.items,
            ambiguous=index.ambiguous,
            numbers=index.numbers,
            department=getattr(info, "department", "") if listed else "",  # unknown: said once, not per item
            paragraphs=index.paragraphs,
            channels=index.channels,
            categories=index.categories,
            asked=index.asked,
            links_required=links_required(office.info.report_format),
        )
        findings += _check_department_info(raw, info_sheets["info"], index)
    info_sheet = info_sheets["info"].placement.sheet
    table_sheets, more = read_sheets(raw, tuple(table_specs), row_check(context), taken_names={info_sheet})
    table_sheets, answered = check_answered(raw, table_sheets, row_check(context))  # empty is not done
    more += answered
    channels = index.channels if office is not None and index is not None else CHANNELS
    table_sheets["counts"] = check_channel_rows(raw, table_sheets["counts"], more, channels)
    if office is not None and index is not None and index.categories:  # the office's breakdown
        table_sheets["breakdown"] = check_channel_rows(raw, table_sheets["breakdown"], more, index.categories,
                                                       "breakdown")
        more += check_breakdown_total(raw.file, table_sheets["counts"], table_sheets["breakdown"])
    if office is not None and index is not None and index.asked:  # the office's own figures (咨询件数…)
        table_sheets["asked"] = check_channel_rows(raw, table_sheets["asked"], more, index.asked, "asked")
        if not table_sheets["asked"].placement.letters:  # a form made before the office asked for them
            more.append(Finding("missing-sheet", raw.file, table_sheets["asked"].placement.sheet,
                                detail=f"年度总表列出了要各部门填报的数字（{'、'.join(index.asked)}），须填写该工作表"))
    return _finish(raw, "department", DepartmentWorkbook, {**info_sheets, **table_sheets},
                   findings + more, complete=info is not None)


@dataclass(frozen=True, slots=True)
class OfficeIndex:
    """The office's department names and 清单 items by number, made once per office workbook (not once
    per department file: with 4,000 departments that was 4,000 × 4,000 steps)."""

    office: OfficeWorkbook
    names: frozenset[str]
    items: dict[int, ChecklistItem]
    ambiguous: frozenset[int]  # 清单 numbers used by more than one item
    numbers: dict[str, int]  # 清单 item title → its (first) number
    paragraphs: tuple[str, ...] = ()  # the 段落 departments may write (vocabulary.department_narratives)
    channels: tuple[str, ...] = CHANNELS  # the office's 公开渠道 (vocabulary.declared_channels)
    categories: tuple[str, ...] = ()  # the office's 公开分类 (vocabulary.declared_categories)
    asked: tuple[str, ...] = ()  # the figures the office asks for (vocabulary.declared_asked)

    @classmethod
    def of(cls, office: OfficeWorkbook) -> OfficeIndex:
        counts = Counter(item.number for item in office.checklist)
        return cls(office, frozenset(d.name for d in office.departments),
                   {item.number: item for item in office.checklist},
                   frozenset(number for number, count in counts.items() if count > 1),
                   {item.title: item.number for item in reversed(office.checklist)},
                   department_narratives(office.narratives), declared_channels(office.channels),
                   declared_categories(office.categories), declared_asked(office.asked))


OFFICE_ONLY_SHEETS = frozenset(s.name for s in OFFICE_SHEETS) - frozenset(s.name for s in DEPARTMENT_SHEETS)


def _looks_like(raw: RawWorkbook, specs: Sequence[SheetSpec]) -> bool:
    """Whether some sheet carries a header (or form label) of one of `specs`: a workbook of ours."""
    headers = {norm(c.header) for spec in specs for c in spec.columns}
    return any(isinstance(v, str) and norm(v) in headers
               for sheet in raw.sheets if sheet.name not in IGNORED_SHEETS
               for row in sheet.rows[:8] for v in row[:12])


def _not_a_template(raw: RawWorkbook, kind: Literal["office", "department"], what: str) -> Checked:
    sheets = "、".join(s.name for s in raw.sheets[:5])
    finding = Finding("not-a-template", raw.file, detail=f"找不到{what}的表头（文件中的工作表：{sheets}）")
    return Checked(raw.file, kind, None, (finding,), Tally())


def _finish(raw: RawWorkbook, kind: Literal["office", "department"], model: type[Any],
            sheets: dict[str, SheetResult], findings: list[Finding], *, complete: bool) -> Checked:
    tally = sum((s.tally for s in sheets.values()), Tally())
    workbook = None
    if complete:
        data: dict[str, Any] = {key: s.records for key, s in sheets.items()}
        data["info"] = _single(sheets["info"])
        workbook = model(file=raw.file, places={k: s.placement for k, s in sheets.items()}, **data)
    all_findings = tuple(findings) + tuple(f for s in sheets.values() for f in s.findings)
    return Checked(raw.file, kind, workbook, all_findings, tally)


_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


def _check_emails(file: str, result: SheetResult) -> list[Finding]:
    """A liaison's address (部门名单 › 联络员邮箱, optional) that cannot be one: a warning (reminders skip it)."""
    found = []
    for i, entry in enumerate(result.records):
        email = getattr(entry, "email", None)
        if email and not _EMAIL.fullmatch(email.strip()):
            found.append(Finding("email-invalid", file, result.placement.sheet, result.placement.cell(i, "email"),
                                 email, "应是一个邮箱地址，如 zhang@xx.edu.cn"))
    return found


def _single(result: SheetResult) -> Row | None:
    return result.records[0] if result.records else None


def _check_department_info(raw: RawWorkbook, result: SheetResult, index: OfficeIndex) -> list[Finding]:
    """The pre-filled cells of 基本信息, each compared even when another cell of the form is wrong."""
    sheet = next((s for s in raw.sheets if s.name == result.placement.sheet), None)
    if sheet is None:
        return []
    return check_info(raw.file, sheet, result.placement.form_cells, index.office.info, index.names)
