"""A year folder made from the real generated templates, filled as a person would, for tests.

The sample office (tests/factory.py) lists 党政办公室, 教务处, 招生就业处, 财务处 (部门名单 A3:A6)
and a 清单 of five items (公开事项清单 rows 3–7; item 4 is 财务处's, item 5 教务处's).
`make_year` writes it (each department as `valid_department` fills it, the change made before its last step);
`check` checks it; `rows`, `form` and `steps` are edits of one workbook;
`the`, `places`, `error_codes` and `department` read a check's results. `template_with` is the bundled
Word template with one paragraph added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import docx
from conftest import ROOT
from factory import SampleOffice, sample_office, write

from report_builder import pipeline
from report_builder.checking import check_workbook
from report_builder.findings import Finding, Severity
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from report_builder.schema import OFFICE_FILE, DepartmentWorkbook

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"

E, W = Severity.ERROR, Severity.WARNING
OFFICE = sample_office()
WINDOW = "2017年9月1日至2018年8月31日"
Change = Callable[[Any], None]

APP: dict[str, object] = {"received": dt.date(2018, 3, 5), "summary": "申请公开专业设置论证材料",
                          "answered": dt.date(2018, 3, 16), "outcome": "予以公开", "on_time": "是", "fee": 0,
                              "applicant": "自然人"}
CASE: dict[str, object] = {"kind": "举报", "date": dt.date(2018, 4, 1), "summary": "反映收费信息未公开",
                           "result": "纠正"}
ACT: dict[str, object] = {"kind": "业务培训", "date": dt.date(2018, 5, 10), "summary": "信息公开联络员培训",
                          "people": 15}
ROW_OF = {"依申请公开": APP, "举报复议诉讼": CASE, "工作记录": ACT}


def app(**changes: object) -> dict[str, object]:
    return {**APP, **changes}


def case(**changes: object) -> dict[str, object]:
    return {**CASE, **changes}


def act(**changes: object) -> dict[str, object]:
    return {**ACT, **changes}


# ---- a year made from the real templates --------------------------------------------------------

def valid_department(office: SampleOffice, name: str) -> Any:
    """The department's generated template, filled just enough to pass: liaison, 清单 statuses, 0 typed in each
    count, 本部门本年度无此项 on the other sheets it answers."""
    wb = typed_department(office, name)
    answer_empty_sheets(wb)
    return wb


def typed_department(office: SampleOffice, name: str) -> Any:
    """valid_department before its last step (本部门本年度无此项 where nothing is typed): liaison, 清单, counts 0."""
    wb = office.department_template(name)
    set_form_value(wb, "基本信息", "liaison", "张老师")
    mine = [item for item in office.checklist if item.department == name]
    fill_department(wb, "清单事项", [{"status": "已公开"}] * len(mine))
    type_zeros(wb)
    return wb


def make_year(root: Path, changes: Mapping[str, Change] | None = None, *, office: SampleOffice = OFFICE,
              folder: str = "2017-2018") -> Path:
    """Office workbook + one valid workbook per listed department; `changes` edit a file before saving."""
    changes = changes or {}
    year = root / folder
    year.mkdir()
    wb = office.office_template()
    changes.get(OFFICE_FILE, lambda wb: None)(wb)
    write(wb, year / OFFICE_FILE)
    for entry in office.departments:
        file = f"{entry.name}.xlsx"
        wb = typed_department(office, entry.name)
        changes.get(file, lambda wb: None)(wb)
        answer_empty_sheets(wb)  # 本部门本年度无此项 where the change typed nothing
        write(wb, year / file)
    return year


def check(root: Path, changes: Mapping[str, Change] | None = None, **kwargs: Any) -> pipeline.CheckReport:
    return pipeline.check_submissions(make_year(root, changes, **kwargs))


def rows(sheet: str, *records: Mapping[str, object], first_row: int = 3) -> Change:
    return lambda wb: fill_department(wb, sheet, records, first_row=first_row)


def steps(*changes: Change) -> Change:
    """Several edits of one workbook, in order."""
    def run(wb: Any) -> None:
        for change in changes:
            change(wb)
    return run


def form(field: str, value: object) -> Change:
    return lambda wb: set_form_value(wb, "基本信息", field, value)


def places(report: pipeline.CheckReport, code: str) -> list[tuple[str, str, str]]:
    return [(f.file, f.sheet, f.cell) for f in report.findings if f.code == code]


def the(report: pipeline.CheckReport, code: str, file: str, sheet: str, cell: str) -> Finding:
    """The one finding with this code at this place (fails, listing what there is, otherwise)."""
    found = [f for f in report.findings if (f.code, f.file, f.sheet, f.cell) == (code, file, sheet, cell)]
    assert len(found) == 1, [str(f) for f in report.findings]
    return found[0]


def error_codes(report: pipeline.CheckReport) -> set[str]:
    return {f.code for f in report.findings if f.severity is E}


def department(report: pipeline.CheckReport, file: str) -> DepartmentWorkbook:
    """The department's rows as checked: file_checks.check_workbook on the same file and office workbook."""
    wb = check_workbook(report.year_dir / file, report.office, report.year_dir.name).workbook
    assert isinstance(wb, DepartmentWorkbook), file
    return wb


def template_with(tmp_path: Path, text: str) -> Path:
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph(style="Normal").add_run(text)
    path = tmp_path / "年度报告模板.docx"
    document.save(str(path))
    return path


def plain_template(folder: Path, *paragraphs: str) -> Path:
    """A Word template as an office would type it from scratch: one paragraph per line."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    path = folder / "模板.docx"
    document.save(str(path))
    return path
