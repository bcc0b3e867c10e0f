"""The sample year end to end: workbooks → checked → merged → the published 2017-2018 report."""

from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
import sys
from pathlib import Path

import make_sample_inputs
from conftest import ROOT, edit_workbook, report_text

from report_builder import pipeline
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from report_builder.outputs.forms import department_workbook
from report_builder.schema import OFFICE_FILE, OFFICE_SHEETS

REFERENCE = ROOT / "tests" / "data" / "2017-2018-report.txt"  # the published report
COMPARE = ROOT / "tests" / "data" / "compare_report.py"


def build(year: Path, out: Path) -> Path:
    result = pipeline.build_report(year, out)
    assert result.check.ok, [str(f) for f in result.check.findings]
    assert result.report is not None
    return result.report


def test_sample_year_gives_the_published_report(sample_year: Path, tmp_path: Path) -> None:
    report = build(sample_year, tmp_path / "out")
    done = subprocess.run([sys.executable, str(COMPARE), str(report), str(REFERENCE)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
    assert "same text" in done.stdout


def test_bundled_inputs_and_template_are_what_the_scripts_make(tmp_path: Path) -> None:
    fresh = tmp_path / "2017-2018"
    make_sample_inputs.write_year(fresh)
    bundled = ROOT / "inputs" / "2017-2018"
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in bundled.iterdir())
    for path in fresh.iterdir():
        assert path.read_bytes() == (bundled / path.name).read_bytes(), f"{path.name} is stale: run scripts/"
    import make_report_template
    assert make_report_template.make_template() == (ROOT / "templates" / "年度报告模板.docx").read_bytes()


def test_same_inputs_give_the_same_bytes(sample_year: Path, tmp_path: Path) -> None:
    first = build(sample_year, tmp_path / "a").read_bytes()
    second = build(sample_year, tmp_path / "b").read_bytes()
    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_rebuild_without_changes_writes_nothing_new(sample_year: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = pipeline.build_report(sample_year, out)
    again = pipeline.build_report(sample_year, out)
    assert not first.unchanged and again.unchanged
    assert again.report == first.report
    assert len(list((out / "2017-2018").glob("*.docx"))) == 1


def text_after_edit(year: Path, out: Path, file: str, change: object) -> str:
    edit_workbook(year / file, change)  # type: ignore[arg-type]
    return "\n".join(report_text(build(year, out)))


def test_an_application_replaces_the_zero_sentence(sample_year: Path, tmp_path: Path) -> None:
    text = text_after_edit(sample_year, tmp_path, "教务处.xlsx", lambda wb: fill_department(wb, "依申请公开", [
        {"received": dt.date(2018, 3, 5), "summary": "申请公开2017年专业设置论证材料", "answered": dt.date(2018, 3, 16),
         "outcome": "部分公开", "reason": "保护第三方合法权益", "on_time": "是", "fee": 0, "applicant": "自然人"},
        {"received": dt.date(2018, 4, 2), "summary": "申请公开实训室建设经费", "answered": dt.date(2018, 4, 9),
         "outcome": "予以公开", "on_time": "是", "applicant": "自然人"},
    ]))
    assert "没有申请公开信息办理情况" not in text
    assert ("2017-2018年度学院共受理信息公开申请2件；办结2件，其中予以公开1件、部分公开1件；"
            "按期答复2件，未收取任何费用。不予公开和部分公开的理由为：保护第三方合法权益1件。") in text


def test_applications_carried_in_and_out_are_told(sample_year: Path, tmp_path: Path) -> None:
    text = text_after_edit(sample_year, tmp_path, "教务处.xlsx", lambda wb: fill_department(wb, "依申请公开", [
        {"received": dt.date(2017, 8, 25), "summary": "申请公开实训基地建设方案", "answered": dt.date(2017, 9, 8),
         "outcome": "无法提供（本单位不掌握相关信息）", "on_time": "是", "applicant": "商业企业"},
        {"received": dt.date(2018, 8, 28), "summary": "申请公开后勤服务合同", "applicant": "法律服务机构"},
    ]))
    assert ("2017-2018年度学院共受理信息公开申请1件，另有上年结转1件；办结1件，其中无法提供1件，"
            "结转下年度继续办理1件；按期答复1件，未收取任何费用。") in text


def test_one_more_item_not_started(sample_year: Path, tmp_path: Path) -> None:
    def mark(wb: object) -> None:
        fill_department(wb, "清单事项", [{"status": "暂未开展"}])
    text = text_after_edit(sample_year, tmp_path, "财务处.xlsx", mark)
    assert "共列出45项公开事项，目前为止因业务范畴暂未涉及和暂未开展的工作6项外" in text


def test_a_new_department_counts_its_liaison_and_items(sample_year: Path, tmp_path: Path) -> None:
    info = make_sample_inputs.INFO
    wb = department_workbook(info, "图书馆", [])
    set_form_value(wb, "基本信息", "liaison", "钱敏")
    fill_department(wb, "主动公开", [{"count": 12}], first_row=4)  # the pre-filled 部门网站 row
    type_zeros(wb)  # 0 on the other channels
    answer_empty_sheets(wb)  # 本部门本年度无此项 on the sheets it has nothing for
    (sample_year / "图书馆.xlsx").write_bytes(save_workbook(wb))
    sheet = OFFICE_SHEETS[1].name
    text = text_after_edit(sample_year, tmp_path, OFFICE_FILE,
                           lambda wb: fill_department(wb, sheet, [{"name": "图书馆"}], first_row=18,
                                                      specs=OFFICE_SHEETS))
    assert "信息公开联络员16人组成" in text
    assert "主动向校内和社会公开信息近1012余条" in text


def test_an_evaluation_and_a_lawsuit_are_reported(sample_year: Path, tmp_path: Path) -> None:
    edit_workbook(sample_year / "党政办公室.xlsx", lambda wb: fill_department(wb, "工作记录", [
        {"kind": "评议", "date": dt.date(2018, 5, 10), "summary": "邀请师生代表对学院信息公开工作进行评议，满意率96%"},
    ], first_row=8))
    text = text_after_edit(sample_year, tmp_path, "纪检监察室.xlsx", lambda wb: fill_department(wb, "举报复议诉讼", [
        {"kind": "行政诉讼（复议后起诉）", "date": dt.date(2018, 6, 1), "summary": "申请人不服答复提起诉讼",
         "result": "维持"},
    ]))
    assert "2017-2018年度学院共开展信息公开评议1次。" in text
    assert "2018年5月10日，邀请师生代表对学院信息公开工作进行评议，满意率96%。" in text
    assert "因信息公开工作受到举报0件、行政复议0件、行政诉讼1件。" in text
    assert "2018年6月1日，行政诉讼（复议后起诉）：申请人不服答复提起诉讼。结果：维持。" in text
    assert text.count("无。") == 0


def test_named_figures_in_narrative_follow_the_data(sample_year: Path, tmp_path: Path) -> None:
    text = text_after_edit(sample_year, tmp_path, "党政办公室.xlsx",
                           lambda wb: fill_department(wb, "主动公开", [{"count": 110}]))
    assert "近1006余条" in text  # 党政办公室 had 104 on the first channel


def test_bad_input_is_reported_with_its_cell_and_no_report(sample_year: Path, tmp_path: Path) -> None:
    edit_workbook(sample_year / "教务处.xlsx", lambda wb: fill_department(wb, "依申请公开", [
        {"received": "2016.5.1", "summary": "x", "outcome": "予以公开", "on_time": "是", "applicant": "自然人"}]))
    done = subprocess.run([sys.executable, "-m", "report_builder", "build", str(sample_year),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "教务处.xlsx › 依申请公开!A3" in done.stdout
    assert "统计时间段为2017年9月1日至2018年8月31日" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert not (tmp_path / "out").exists()


def test_one_marked_rendering_gives_the_report_and_its_sources(sample_year: Path) -> None:
    from report_builder.report.render import render_report, strip_marks

    edit_workbook(sample_year / "教务处.xlsx", lambda wb: fill_department(wb, "依申请公开", [
        {"received": dt.date(2018, 3, 5), "summary": "申请公开专业设置材料", "outcome": "予以公开", "on_time": "是",
         "applicant": "自然人"}]))
    data = pipeline.check_submissions(sample_year).data
    assert data is not None
    template = ROOT / "templates" / "年度报告模板.docx"
    marked = render_report(data, template, marked=True)
    assert marked != render_report(data, template)
    assert strip_marks(marked) == render_report(data, template)
