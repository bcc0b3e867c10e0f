"""The government format's tables in the year's data: 表二 from the office, 上年结转, and the identities.

表三's row 二 (上年结转) is last year's row 四 (结转下年度) when last year is known (`build --from`, or the
office's 上年数字): the departments list those applications again with their outcome this year, and
一 + 二 = 三 + 四 then checks that none was forgotten. Without last year, row 二 counts the rows received
before the window. Every identity of report_builder.tables that fails is an error naming the table, the
row, the column and the departments whose cells are in it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from report_builder.findings import Finding
from report_builder.report.summary import Source
from report_builder.report.year_on_year import LastYear
from report_builder.schema import OfficeWorkbook, field_names
from report_builder.tables import (
    APPLICANTS,
    CARRIED_IN,
    CARRIED_OUT,
    DISCLOSURE_ROWS,
    identities,
    per_applicant,
)

__all__ = ["carried_in", "disclosure_sources", "identity_findings"]


class _Figure(Protocol):  # merge.Figure (merge imports this module, not the other way round)
    @property
    def value(self) -> int: ...
    @property
    def sources(self) -> tuple[Source, ...]: ...


def disclosure_sources(office: OfficeWorkbook) -> dict[str, tuple[Source, ...]]:
    """表二's figures, typed by the office on 政府信息数据 (absent or blank: 0, no source)."""
    if not office.disclosure:
        return {row.figure: () for row in DISCLOSURE_ROWS}
    record, place = office.disclosure[0], office.places["disclosure"]
    found: dict[str, tuple[Source, ...]] = {}
    for row, field in zip(DISCLOSURE_ROWS, field_names(type(record)), strict=True):
        value = getattr(record, field)
        found[row.figure] = (Source("", office.file, place.sheet, place.cell(0, field), str(value), value),) \
            if value else ()
    return found


def carried_in(last_year: LastYear | None) -> dict[str, tuple[Source, ...]] | None:
    """Row 二 in every column from last year's row 四, or None when last year did not have it."""
    if last_year is None or last_year.figures.get(CARRIED_OUT) is None:
        return None
    found: dict[str, tuple[Source, ...]] = {}
    for applicant in (*APPLICANTS, None):
        value = last_year.figures.get(per_applicant(CARRIED_OUT, applicant)) or 0
        where = f"上年报告（{last_year.report}）的“{per_applicant(CARRIED_OUT, applicant)}”"
        found[per_applicant(CARRIED_IN, applicant)] = (Source("", last_year.report, "", "", where, value),) \
            if value else ()
    return found


def identity_findings(figures: Mapping[str, _Figure], file: str) -> list[Finding]:
    """An error for each printed rule of 表三/表四 the year's figures break (`file`: the office workbook)."""
    values = {name: f.value for name, f in figures.items()}
    found = []
    for rule in identities():
        if rule.holds(values):
            continue
        left, right = (sum(values.get(n, 0) for n in side) for side in (rule.left, rule.right))
        departments = _departments(figures, (*rule.left, *rule.right))
        detail = (f"{rule.table}“{rule.row}”（{rule.column}栏）：左边 {'+'.join(rule.left)} = {left}，"
                  f"右边 {'+'.join(rule.right)} = {right}")
        if departments:
            detail += "；涉及：" + "、".join(departments)
        found.append(Finding("table-identity", file, rule.table, "", str(left - right), detail))
    return found


def _departments(figures: Mapping[str, _Figure], names: Sequence[str]) -> list[str]:
    """The departments (or last year's report) whose cells are behind these figures, in order."""
    found: dict[str, None] = {}
    for name in names:
        for source in figures[name].sources if name in figures else ():
            found.setdefault(source.department or source.file, None)
    return list(found)
