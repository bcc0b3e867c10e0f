"""Checks before publication: the rendered report read back as a reader would see it.

`check_publication` reads the .docx it is given (report_builder.wordml) and the year's data, and
returns a `Publication`: findings, and the figures of the build's last line (`summary_line`).

- **Required parts**: each heading the format requires (report_builder.formats, `ReportFormat.parts`, with
  their accepted wordings), or that the template declares (本校格式), is a paragraph of the report, in order
  (report.parts). Missing or out of order: an error about the template; a declared part's ordinals that
  do not run 一、二、三…: a warning.
- **Year and window**: every "2017-2018学年度/年度/学年" of the text is the window's years or a year
  label the office wrote (年度, 下一学年…); every "2017年9月1日至2018年8月31日" is the window. A paragraph
  quoting another year or window is a warning naming its first words.
- **清单 table** (a table whose header row has 序号 and 公开事项): one row per item of the 清单 (an error
  naming the items missing or extra); each row whose status is 已公开 has an external hyperlink (a
  warning naming its 序号 and title).
- **Fees**: 收费总额 > 0 and no paragraph says 收费/费用 with the amount: a warning.
- **Identities** (report_builder.tables.identities): how many of the printed rules hold.
- **Deadline** (`publication_deadline`): a window ending on August 31 is published by October 31 of
  that year (教育部: 每年10月底前); one ending on December 31 by January 31 of the next year (政府信息
  公开条例 第五十条); any other window 61 days after its end. A deadline given by the caller wins.
  Past it: a warning.

`today` is an argument (tests set it); nothing here changes the report's bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from report_builder.dates import chinese_date, chinese_window
from report_builder.findings import OFFICE_FILE, Finding, Severity
from report_builder.findings import errors as errors_in
from report_builder.report.merge import ReportData
from report_builder.report.parts import numbering_findings, part_findings
from report_builder.tables import identities
from report_builder.vocabulary import CHECKLIST, CHECKLIST_ITEMS
from report_builder.wordml import Cell, read_document

__all__ = ["ChecklistTable", "Publication", "check_publication", "publication_deadline"]

PUBLISHED = "已公开"
FEE_FIGURE = "收费总额"
FIRST_WORDS = 16  # how much of a paragraph names it

_SPAN = re.compile(r"(?<!\d)(\d{4})\s*[-—–~～至到]\s*(\d{4})\s*(学年度|年度|学年)")
_YEAR = re.compile(r"(?<![\d\-—–~～])(\d{4})\s*年度")
_DATE = r"(\d{4})年(\d{1,2})月(\d{1,2})日"
_WINDOW = re.compile(_DATE + r"\s*[至到\-—–~～]\s*(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True)
class ChecklistTable:
    """The report's 清单 table: its item rows, the rows marked 已公开 and those of them with a link."""

    rows: int
    published: int
    linked: int


@dataclass(frozen=True)
class Publication:
    """What the checks before publication found, and the figures of the build's last line."""

    findings: tuple[Finding, ...]
    parts_found: int
    parts_required: int
    checklist: ChecklistTable | None  # None: the report has no 清单 table
    identities_passed: int
    identities_total: int
    deadline: dt.date
    days_left: int  # negative once the deadline has passed

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(errors_in(self.findings))

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    def summary_line(self, format_name: str) -> str:
        """"格式：八部分；应有部分 8/8；清单表 45/45 项有链接；勾稽 74/74 通过；距10月31日还有 12 天"."""
        parts = [f"格式：{format_name}"] if format_name else []
        if self.parts_required:
            parts.append(f"应有部分 {self.parts_found}/{self.parts_required}")
        if self.checklist is not None:
            parts.append(f"清单表 {self.checklist.linked}/{self.checklist.published} 项有链接")
        parts.append(f"勾稽 {self.identities_passed}/{self.identities_total} 通过")
        day = f"{self.deadline.month}月{self.deadline.day}日"
        if self.days_left > 0:
            parts.append(f"距{day}还有 {self.days_left} 天")
        elif self.days_left == 0:
            parts.append(f"今天（{day}）是公开期限")
        else:
            parts.append(f"已过公开期限（{self.deadline.year}年{day}）{-self.days_left} 天")
        return "；".join(parts)


def check_publication(docx: bytes, data: ReportData, required_parts: Sequence[str], today: dt.date,
                      deadline: dt.date | None = None, *, template: str = "", declared: bool = False) -> Publication:
    """Read the rendered report `docx` back and check it before publication (see the module docstring).

    `template` names the template file: the findings about the report's text are about it. `declared`: the
    required parts are the template's own headings (本校格式), not a bundled format's.
    """
    paragraphs, found_tables = read_document(docx)  # one read of the report for every check
    findings, found = part_findings(paragraphs, required_parts, data.info.self_noun, template, declared=declared)
    if declared:
        findings += numbering_findings(required_parts, template)
    findings += _year_findings(paragraphs, data, template)
    checklist, checklist_findings = _checklist_table(found_tables, data, template)
    findings += checklist_findings
    findings += _fee_findings(paragraphs, data, template)
    values = {name: figure.value for name, figure in data.figures.items()}
    rules = identities()
    due = deadline or publication_deadline(data.info.window_end)
    days_left = (due - today).days
    if days_left < 0:
        findings.append(Finding("publication-deadline-passed", OFFICE_FILE,  # its window sets the deadline
                                detail=f"公开期限为{chinese_date(due)}，已过 {-days_left} 天"))
    return Publication(tuple(findings), found, len(required_parts), checklist,
                       sum(rule.holds(values) for rule in rules), len(rules), due, days_left)


def publication_deadline(window_end: dt.date) -> dt.date:
    """The day the report must be public by, from the window's last day (the rule in the module docstring)."""
    if (window_end.month, window_end.day) == (8, 31):
        return dt.date(window_end.year, 10, 31)
    if (window_end.month, window_end.day) == (12, 31):
        return dt.date(window_end.year + 1, 1, 31)
    return window_end + dt.timedelta(days=61)


def _plain(text: str) -> str:
    """Full-width forms folded (NFKC), spaces of every kind removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _year_findings(paragraphs: Sequence[str], data: ReportData, template: str) -> list[Finding]:
    """A warning for each paragraph whose years or window differ from the office's."""
    info = data.info
    spans = {(info.window_start.year, info.window_end.year)}
    for text in data.texts.values():  # the labels the office wrote: 年度, 下一学年, 学年度…
        spans |= {(int(a), int(b)) for a, b, _ in _SPAN.findall(_plain(text))}
    one_year = info.window_start.year == info.window_end.year
    window = (info.window_start, info.window_end)
    findings = []
    for number, paragraph in enumerate(paragraphs, start=1):
        text = _plain(paragraph)
        other = [m.group(0) for m in _SPAN.finditer(text) if (int(m[1]), int(m[2])) not in spans]
        if one_year:
            other += [m.group(0) for m in _YEAR.finditer(text) if int(m[1]) != info.window_end.year]
        other += [m.group(0) for m in _WINDOW.finditer(text) if _window_of(m) != window]
        if other:
            detail = (f"第{number}段“{paragraph.strip()[:FIRST_WORDS]}…”写的是“{'”“'.join(dict.fromkeys(other))}”，"
                      f"本年度为{info.year_label}（{chinese_window(*window)}）")
            findings.append(Finding("publication-other-year", template, value=paragraph.strip()[:FIRST_WORDS],
                                    detail=detail))
    return findings


def _window_of(match: re.Match[str]) -> tuple[dt.date, dt.date] | None:
    """The two days of "2017年9月1日至2018年8月31日" (the second year may be left out); None if no such day."""
    year, month, day, end_year, end_month, end_day = match.groups()
    try:
        return (dt.date(int(year), int(month), int(day)),
                dt.date(int(end_year or year), int(end_month), int(end_day)))
    except ValueError:
        return None


def _checklist_table(found: Sequence[Sequence[Sequence[Cell]]], data: ReportData,
                     template: str) -> tuple[ChecklistTable | None, list[Finding]]:
    """The first table whose header has 序号 and 公开事项, checked against the 清单."""
    for table in found:
        header = next((i for i, row in enumerate(table[:3]) if _columns(row) is not None), None)
        if header is not None:
            return _check_checklist(table[header], table[header + 1:], data, template)
    return None, []


def _columns(row: Sequence[Cell]) -> dict[str, int] | None:
    """Column of 序号, 公开事项, the status and the link in a header row; None when it is not one."""
    texts = [_plain(c.text) for c in row]
    number = next((i for i, t in enumerate(texts) if t == "序号"), None)
    title = next((i for i, t in enumerate(texts) if "公开事项" in t), None)
    if number is None or title is None:
        return None
    columns = {"number": number, "title": title}
    for key, word in (("status", "状态"), ("link", "链接")):
        at = next((i for i, t in enumerate(texts) if word in t), None)
        if at is not None:
            columns[key] = at
    return columns


def _cell(row: Sequence[Cell], at: int | None) -> Cell:
    return row[at] if at is not None and at < len(row) else Cell("")


def _check_checklist(header: Sequence[Cell], rows: Sequence[Sequence[Cell]], data: ReportData,
                     template: str) -> tuple[ChecklistTable, list[Finding]]:
    columns = _columns(header) or {}
    items = [r for r in rows if _plain(_cell(r, columns.get("number")).text)]
    findings = _row_count_findings([_plain(_cell(r, columns["number"]).text) for r in items], data, template)
    published = linked = 0
    unlinked: list[tuple[str, str]] = []
    for row in items:
        status = _cell(row, columns.get("status")).text if "status" in columns else "".join(c.text for c in row)
        if PUBLISHED not in _plain(status):
            continue
        published += 1
        links = _cell(row, columns.get("link")).links if "link" in columns else tuple(x for c in row for x in c.links)
        if links:
            linked += 1
            continue
        number, title = (_cell(row, columns.get(k)).text.strip() for k in ("number", "title"))
        unlinked.append((number, title))
    if unlinked:
        findings.append(Finding("publication-link-missing", template, value=f"{len(unlinked)} 项",
                                detail=_by_department(unlinked, data)))
    return ChecklistTable(len(items), published, linked), findings


def _by_department(items: Sequence[tuple[str, str]], data: ReportData) -> str:
    """"教务处：序号 5、6；财务处：序号 13": the items grouped by the department that answers them (the
    titles only when one item is missing: forty titles would hide the departments)."""
    department = {row.get("序号", ""): row.get("牵头落实单位", "") for row in data.lists.get(CHECKLIST, ())}
    groups: dict[str, list[str]] = {}
    for number, title in items:
        groups.setdefault(department.get(number, ""), []).append(
            f"{number}“{title}”" if len(items) == 1 else number)
    return "；".join(f"{name + '：' if name else ''}序号 {'、'.join(found)}" for name, found in groups.items())


def _row_count_findings(numbers: Sequence[str], data: ReportData, template: str) -> list[Finding]:
    """An error when the table's items are not the 清单's: the items missing or extra, by 序号 and title."""
    figure = data.figures.get(CHECKLIST_ITEMS)
    expected = figure.value if figure is not None else len(numbers)
    listed: Mapping[str, str] = {_plain(item.get("序号", "")): item.get("公开事项", "")
                                 for item in data.lists.get(CHECKLIST, ())}
    missing = [f"{n}“{t}”" for n, t in listed.items() if n not in numbers]
    extra = [n for n in numbers if listed and n not in listed]
    if len(numbers) == expected and not missing and not extra:
        return []
    detail = f"清单有 {expected} 项，表中有 {len(numbers)} 行"
    if missing:
        detail += "；缺少序号 " + "、".join(missing)
    if extra:
        detail += "；多出序号 " + "、".join(extra)
    return [Finding("publication-checklist-rows", template, value=str(len(numbers)), detail=detail)]


def _fee_findings(paragraphs: Sequence[str], data: ReportData, template: str) -> list[Finding]:
    """A warning when fees were charged but no paragraph says so with the amount."""
    figure = data.figures.get(FEE_FIGURE)
    if figure is None or figure.value <= 0:
        return []
    amounts = {str(figure.value), f"{figure.value:,}"}
    for paragraph in paragraphs:
        text = _plain(paragraph)
        if ("收费" in text or "费用" in text) and any(a in text for a in amounts):
            return []
    return [Finding("publication-fee-unexplained", template, value=str(figure.value),
                    detail=f"依申请公开收取费用 {figure.value} 元，报告正文中没有说明收费（收费或费用及金额）")]
