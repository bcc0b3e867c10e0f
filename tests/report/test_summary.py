"""Department summaries (made in the worker) and what the merged report data keeps of them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from years import APP, CASE, OFFICE, act, app, case, check, department, make_year, rows, steps, template_with

from report_builder import pipeline
from report_builder.report.render import template_lists
from report_builder.report.summary import Source, cell_ranges, summarize_department
from report_builder.vocabulary import ACTIVITY_LISTS, COLLECTED_LISTS

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"


def test_cell_ranges_join_consecutive_rows_and_stop_at_the_limit() -> None:
    assert cell_ranges("F", [3, 4, 5, 9, 11, 12]) == "F3:F5, F9, F11:F12"
    assert cell_ranges("A", [7]) == "A7"
    long = cell_ranges("B", list(range(3, 400, 2)), limit=40)
    assert long.endswith(", …") and len(long) <= 40 + 3


def test_a_summary_counts_rows_as_ranges_and_sums_cells_one_by_one(tmp_path: Path) -> None:
    report = check(tmp_path, {"教务处.xlsx": steps(
        rows("依申请公开", APP, app(received=dt.date(2018, 3, 6)),
             app(outcome="部分公开", reason="保护第三方合法权益", fee=12), app(fee=5, on_time="否")),
        rows("举报复议诉讼", CASE),
        rows("工作记录", act(kind="评议"), act(), act(kind="评议", date=dt.date(2017, 9, 2))))})
    assert report.ok, [str(f) for f in report.findings]
    summary = summarize_department(department(report, "教务处.xlsx"))
    shares = summary.shares
    # 依申请公开 columns: A 收到日期, D 处理结果, E 理由, F 按期, G 收费, H 申请人类型; rows 3–6.
    assert shares["依申请公开件数"] == (Source("教务处", "教务处.xlsx", "依申请公开", "A3:A6", "共 4 行", 4),)
    assert shares["予以公开件数"] == (Source("教务处", "教务处.xlsx", "依申请公开", "D3:D4, D6", "共 3 行", 3),)
    assert shares["部分公开件数"] == (Source("教务处", "教务处.xlsx", "依申请公开", "D5", "部分公开", 1),)
    assert shares["保护第三方合法权益理由件数"] == (Source("教务处", "教务处.xlsx", "依申请公开", "E5",
                                              "保护第三方合法权益", 1),)
    assert shares["按期答复件数"][0].cell == "F3:F5"
    assert shares["收费总额"] == (Source("教务处", "教务处.xlsx", "依申请公开", "G5", "12", 12),
                                 Source("教务处", "教务处.xlsx", "依申请公开", "G6", "5", 5))
    assert shares["评议次数"][0].amount == 2 and "行政诉讼件数" not in shares
    assert set(summary.lists) == set(COLLECTED_LISTS)
    assert [r.fields["日期"] for r in summary.lists["工作记录.评议"]] == ["2018年5月10日", "2017年9月2日"]

    assert report.data is not None
    figures = report.data.figures
    assert figures["依申请公开件数"].value == 4 and figures["收费总额"].value == 17
    assert figures["联络员人数"].value == len(OFFICE.departments)
    assert sum(s.amount for s in figures["已公开事项数"].sources) == figures["已公开事项数"].value


def test_only_the_lists_asked_for_travel_and_merged_lists_are_by_date(tmp_path: Path) -> None:
    year_changes = {"教务处.xlsx": rows("工作记录", act(kind="评议", date=dt.date(2018, 5, 1))),
                    "财务处.xlsx": steps(rows("工作记录", act(kind="评议", date=dt.date(2017, 10, 1)),
                                              act(kind="评议", date=dt.date(2018, 5, 1))),
                                         rows("举报复议诉讼", case()))}
    plain = check(tmp_path, year_changes)
    assert plain.data is not None and plain.data.lists == {}  # `check` needs no list
    asked = pipeline.check_submissions(plain.year_dir, lists={"工作记录.评议"})
    assert asked.data is not None and set(asked.data.lists) == {"工作记录.评议"}
    listed = [(r["部门"], r["日期"]) for r in asked.data.lists["工作记录.评议"]]
    # By date; on the same day in the office's department order (教务处 before 财务处).
    assert listed == [("财务处", "2017年10月1日"), ("教务处", "2018年5月1日"), ("财务处", "2018年5月1日")]
    assert asked.data.figures == plain.data.figures


def test_the_default_template_asks_for_its_two_lists() -> None:
    assert template_lists(TEMPLATE) == {"案件", "工作记录.评议"}


@pytest.mark.parametrize(("text", "wanted"), [
    ("{% for a in 申请 %}{{ a.摘要 }}{% endfor %}", {"申请"}),
    ("{{ 工作记录['业务培训'] | length }}", {"工作记录.业务培训"}),
    ("{% for kind, rows in 工作记录.items() %}{{ kind }}{% endfor %}", set(ACTIVITY_LISTS)),  # every kind
    ("{% set all = 工作记录 %}{{ all.评议 | length }}", set(ACTIVITY_LISTS)),
])
def test_a_template_asks_for_the_lists_it_uses(tmp_path: Path, text: str, wanted: set[str]) -> None:
    assert template_lists(template_with(tmp_path, text)) == {"案件", "工作记录.评议"} | wanted


def test_a_template_that_lists_every_application_gets_them_all(tmp_path: Path) -> None:
    june = app(received=dt.date(2018, 6, 1), answered=None, outcome=None, on_time=None)
    year = make_year(tmp_path, {"教务处.xlsx": rows("依申请公开", june, APP),
                                "财务处.xlsx": rows("依申请公开", app(summary="申请公开<收费>&标准"))})
    template = template_with(tmp_path, "{%p for a in 申请 %}")
    document = docx.Document(str(template))
    document.add_paragraph("{{ a.收到日期 }}：{{ a.部门 }}，{{ a.摘要 }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(template))
    result = pipeline.build_report(year, tmp_path / "out", template=template)
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    texts = [p.text for p in docx.Document(str(result.report)).paragraphs]
    assert texts[-3:] == ["2018年3月5日：教务处，申请公开专业设置论证材料",
                          "2018年3月5日：财务处，申请公开<收费>&标准",
                          "2018年6月1日：教务处，申请公开专业设置论证材料"]
