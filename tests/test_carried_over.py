"""An application open at the end of one year is 上年结转 of the next (`build --from`), and must be reported again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, report_text
from make_sample_inputs import channel_counts

from report_builder import pipeline
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from report_builder.results import BuildResult

LAST = ROOT / "inputs" / "2022-2023"
CARRIED = {"received": dt.date(2023, 8, 21), "summary": "申请公开2023年单独招生各专业录取分数",
           "answered": dt.date(2023, 9, 12), "outcome": "予以公开", "on_time": "是", "applicant": "自然人"}


@pytest.fixture(scope="module")
def last_year(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    built = pipeline.build_report(LAST, tmp_path_factory.mktemp("out"))
    assert built.report is not None and built.check.data is not None
    return built


def next_year(root: Path, last: BuildResult, *, reported: bool) -> Path:
    """The next year, every department filling its form; the one with last year's open application lists it
    again with this year's outcome when `reported`."""
    assert last.check.data is not None
    [open_at] = {s.department for s in last.check.data.figures["结转下年度件数"].sources}
    new = root / "2023-2024"
    assert pipeline.start_year(new, LAST).written
    for path in pipeline.make_templates(new, root / "forms").written:
        wb = openpyxl.load_workbook(path)
        set_form_value(wb, "基本信息", "liaison", "联络员")
        counts = channel_counts(10)
        fill_department(wb, "主动公开", counts)
        fill_department(wb, "主动公开分类", [{"count": sum(int(c["count"]) for c in counts)}])  # the first category
        fill_department(wb, "清单事项", [{"number": row[0].value, "category": row[1].value, "title": row[2].value,
                                          "status": "已公开"} for row in wb["清单事项"].iter_rows(min_row=3)
                                         if row[0].value])
        if reported and path.stem == open_at:
            fill_department(wb, "依申请公开", [CARRIED])
        type_zeros(wb)  # the other categories: 0 typed
        answer_empty_sheets(wb)
        (new / path.name).write_bytes(save_workbook(wb))
    return new


def test_last_year_s_open_application_is_this_year_s_carried_over(last_year: BuildResult, tmp_path: Path) -> None:
    new = next_year(tmp_path, last_year, reported=True)
    built = pipeline.build_report(new, tmp_path / "out", last_year=last_year.report)
    assert built.report is not None, [str(f) for f in built.check.findings + built.render_findings]
    assert built.check.data is not None
    carried = built.check.data.figures["上年结转件数"]
    assert carried.value == 1 and carried.sources[0].file == last_year.report.name  # from last year's report
    assert built.check.data.figures["上年结转件数_自然人"].value == 1
    assert "共受理信息公开申请0件，另有上年结转1件；办结1件，其中予以公开1件；" in "\n".join(report_text(built.report))


def test_a_carried_over_application_left_out_stops_the_build(last_year: BuildResult, tmp_path: Path) -> None:
    new = next_year(tmp_path, last_year, reported=False)
    built = pipeline.build_report(new, tmp_path / "out", last_year=last_year.report)
    assert built.report is None
    broken = [f for f in built.check.findings if f.code == "table-identity"]
    assert {(f.sheet, f.detail.split("（")[0]) for f in broken} >= {("表三", "表三“一 + 二 = 三")}
    assert any("（自然人栏）" in f.detail and last_year.report.name in f.detail for f in broken)
    assert "上年结转" in broken[0].message  # the hint says what to do
