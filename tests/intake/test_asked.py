"""Figures the office asks every department for (年度总表 › 部门填报的数字, e.g. 咨询件数): a row each on the
departments' 其他数字 sheet, summed into a figure of that name; names and rows checked at their cells."""

from __future__ import annotations

from pathlib import Path

import years
from conftest import report_text
from factory import sample_office, write
from openpyxl import load_workbook
from years import E, plain_template, rows, the

from report_builder import pipeline, template_calls
from report_builder.outputs.filling import fill_department, set_form_value
from report_builder.schema import OFFICE_FILE, OfficeAsked

ASKED = (OfficeAsked(name="咨询件数", description="统计时间段内答复的信息公开咨询件数"),
         OfficeAsked(name="网上咨询件数"))
OFFICE = sample_office(asked=ASKED)


def test_asked_figures_are_filled_summed_rendered_and_sourced(tmp_path: Path) -> None:
    year = years.make_year(tmp_path, {"教务处.xlsx": rows("其他数字", {"count": 7}, {"count": 2}),
                                      "财务处.xlsx": rows("其他数字", {"count": 5})}, office=OFFICE)
    ws = load_workbook(year / "教务处.xlsx")["其他数字"]
    assert [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=4, max_col=3)] == [
        ["咨询件数", "统计时间段内答复的信息公开咨询件数", 7], ["网上咨询件数", None, 2]]
    used = plain_template(tmp_path, "答复咨询{{ 咨询件数 }}件，其中网上咨询{{ 网上咨询件数 }}件。")
    assert template_calls.check_report_template(used, year) == ()
    result = pipeline.build_report(year, tmp_path / "out", template=used)
    assert result.report is not None, [str(f) for f in (*result.check.findings, *result.render_findings)]
    assert report_text(result.report) == ["答复咨询12件，其中网上咨询2件。"]
    assert {r.name for r in template_calls.template_fields(year)} >= {"咨询件数", "网上咨询件数"}


def test_a_changed_or_missing_row_and_a_missing_sheet_are_errors_at_their_cells(tmp_path: Path) -> None:
    year = years.make_year(tmp_path, {"教务处.xlsx": rows("其他数字", {"name": "电话咨询件数", "count": 1})},
                           office=OFFICE)
    report = pipeline.check_submissions(year)
    changed = the(report, "asked-not-declared", "教务处.xlsx", "其他数字", "A3")
    assert changed.severity is E and "咨询件数、网上咨询件数" in changed.detail
    wb = sample_office().department_template("财务处")  # a form made before the office asked for them
    set_form_value(wb, "基本信息", "liaison", "张老师")
    fill_department(wb, "清单事项", [{"status": "已公开"}])
    write(wb, year / "财务处.xlsx")
    missing = the(pipeline.check_submissions(year), "missing-sheet", "财务处.xlsx", "其他数字", "")
    assert "咨询件数" in missing.detail


def test_an_asked_name_a_template_cannot_use_or_the_year_already_has_is_an_error(tmp_path: Path) -> None:
    office = sample_office(asked=(OfficeAsked(name="咨询件数"), OfficeAsked(name="主动公开条数"),
                                  OfficeAsked(name="1号信箱件数"), OfficeAsked(name="咨询件数")))
    year = tmp_path / "2017-2018"
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)
    found = {f.cell: f.detail for f in pipeline.load_office(year).findings if f.code == "asked-name-unusable"}
    assert found == {"A4": "报告中已有这个名称", "A5": "以数字开头", "A6": "与 A3 重复"}


def test_a_new_year_keeps_them_and_a_blank_one_has_the_sheet(tmp_path: Path) -> None:
    assert "部门填报的数字" in load_workbook(pipeline.start_year(tmp_path / "blank").written[0]).sheetnames
    year = years.make_year(tmp_path, office=OFFICE)
    [path] = pipeline.start_year(tmp_path / "next", year).written
    office = pipeline.load_office(path.parent).office
    assert office is not None and office.asked == ASKED
