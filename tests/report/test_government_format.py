"""The government-format template (templates/政府格式模板.docx): its tables, read back from the rendered report."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import docx
import pytest
from conftest import ROOT
from docx.shared import Length
from docx.table import Table
from years import app, case, make_year, rows, steps

from report_builder import check_report_template, list_formats, pipeline
from report_builder.schema import OFFICE_FILE, OFFICE_SHEETS, field_names
from report_builder.tables import APPLICANTS, APPLICATION_ROWS, CASE_COLUMNS, CASE_ROWS, identities, per_applicant

TEMPLATE = ROOT / "templates" / "政府格式模板.docx"
HEADINGS = ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")
DISCLOSURE = (0, 0, 0, 2, 1, 5, 3, 0, 0, 12345)  # 表二 as the office types it; the fee in 元
d = dt.date


def disclosure(wb: Any) -> None:
    """The office fills the optional 政府信息数据 form (label in column A, value in column B)."""
    spec = next(s for s in OFFICE_SHEETS if s.key == "disclosure")
    ws = wb.create_sheet(spec.name)
    ws.cell(1, 1).value = spec.name
    for row, (field, value) in enumerate(zip(field_names(spec.model), DISCLOSURE, strict=True), start=3):
        ws.cell(row, 1).value = spec.column(field).header
        ws.cell(row, 2).value = value


CHANGES = {
    OFFICE_FILE: disclosure,
    "教务处.xlsx": rows(
        "依申请公开", app(applicant="自然人"), app(applicant="商业企业", outcome="部分公开", reason="国家秘密"),
        app(applicant="科研机构", outcome="不予公开", reason="保护第三方合法权益"),
        app(applicant="其他组织", outcome="无法提供（本单位不掌握相关信息）"),
        app(applicant="自然人", received=d(2017, 8, 20), answered=d(2017, 9, 10)),  # carried over
        app(applicant="法律服务机构", received=d(2018, 8, 20), answered=None, outcome=None, on_time=None)),  # open
    "财务处.xlsx": steps(
        rows("依申请公开", app(applicant="社会公益组织", outcome="不予处理（重复申请）"),
             app(applicant="自然人", outcome="其他处理（其他）", fee=20)),
        rows("举报复议诉讼", case(), case(kind="行政复议", result="维持"),
             case(kind="行政诉讼（未经复议直接起诉）", result="尚未审结"),
             case(kind="行政诉讼（复议后起诉）", result="纠正"))),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[docx.document.Document, dict[str, int]]:
    """A year with applications of every applicant type and cases on every path, built in this format."""
    root = tmp_path_factory.mktemp("gov")
    result = pipeline.build_report(make_year(root, CHANGES), root / "out", template=TEMPLATE)
    assert result.report is not None and result.manifest is not None, [str(f) for f in result.render_findings]
    figures = json.loads(result.manifest.read_text(encoding="utf-8"))["figures"]
    return docx.Document(str(result.report)), {name: f["value"] for name, f in figures.items()}


def table_with(document: docx.document.Document, text: str) -> Table:
    return next(t for t in document.tables if t.cell(0, 0).text == text)


def application_cells(document: docx.document.Document) -> dict[str, int]:
    """表三 read back: each cell's figure name (by its row label and column) → the number printed there."""
    table = table_with(document, "申请人情况")
    by_label = {row.cells[0].text: row for row in table.rows[2:]}
    return {per_applicant(r.figure, a): int(by_label[r.label].cells[c].text)
            for r in APPLICATION_ROWS for c, a in enumerate((*APPLICANTS, None), start=1)}


def case_cells(document: docx.document.Document) -> dict[str, int]:
    """表四 read back: the one row of figures under the column headings."""
    table = table_with(document, CASE_ROWS[0].label)
    names = [name for r in CASE_ROWS for name in (*r.parts, r.figure)]
    assert [c.text for c in table.rows[2].cells] == list(CASE_COLUMNS) * len(CASE_ROWS)
    return {name: int(cell.text) for name, cell in zip(names, table.rows[3].cells, strict=True)}


def test_table_three_prints_every_figure_in_its_cell(built: tuple[Any, dict[str, int]]) -> None:
    document, figures = built
    cells = application_cells(document)
    assert cells == {name: figures[name] for name in cells}
    assert cells["依申请公开件数"] == 7 and cells["上年结转件数_自然人"] == 1  # counted by hand from CHANGES
    assert cells["不予公开_保护第三方合法权益件数_科研机构"] == 1 and cells["结转下年度件数_法律服务机构"] == 1
    assert cells["其他处理_其他件数_自然人"] == 1 and cells["办结件数"] == 7


def test_table_three_is_laid_out_as_the_format_prints_it(built: tuple[Any, dict[str, int]]) -> None:
    table = table_with(built[0], "申请人情况")
    assert [c.text for c in table.rows[0].cells] == ["申请人情况", "自然人", *["法人或其他组织"] * 5, "总计"]
    organizations = ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert [c.text for c in table.rows[1].cells][2:7] == organizations
    labels = [row.cells[0].text for row in table.rows[2:]]
    assert labels == [APPLICATION_ROWS[0].label, APPLICATION_ROWS[1].label, "三、本年度办理结果",
                      *(r.label for r in APPLICATION_ROWS[2:])]


def test_every_printed_rule_holds_when_read_from_the_tables(built: tuple[Any, dict[str, int]]) -> None:
    document, _ = built
    values = {**application_cells(document), **case_cells(document)}
    for rule in identities():
        assert all(name in values for name in (*rule.left, *rule.right)), rule
        assert rule.holds(values), rule


def test_table_four_counts_each_path_by_result(built: tuple[Any, dict[str, int]]) -> None:
    cells = case_cells(built[0])
    assert cells["行政复议_维持件数"] == cells["行政复议件数"] == 1
    assert cells["直接起诉_尚未审结件数"] == cells["直接起诉件数"] == 1
    assert cells["复议后起诉_纠正件数"] == cells["复议后起诉件数"] == 1
    header = table_with(built[0], "行政复议")
    assert {c.text for c in header.rows[0].cells} == {"行政复议", "行政诉讼"}
    assert [c.text for c in header.rows[1].cells][5::5] == ["未经复议直接起诉", "复议后起诉"]


def test_table_two_prints_the_office_figures_and_the_fee_in_wan_yuan(built: tuple[Any, dict[str, int]]) -> None:
    table = table_with(built[0], "第二十条第（一）项")
    printed = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    assert printed["行政规范性文件"] == ["2", "1", "5"]
    assert printed["行政许可"][0] == "3"
    assert printed["行政事业性收费"][0] == "1.2345"  # 12345 元


def test_the_six_parts_are_there_in_order(built: tuple[Any, dict[str, int]]) -> None:
    texts = [p.text for p in built[0].paragraphs]
    assert [t for t in texts if t in HEADINGS] == list(HEADINGS)
    assert texts[1] == "2017-2018年度政府信息公开工作年度报告"


def test_every_table_lies_inside_the_type_area(built: tuple[Any, dict[str, int]]) -> None:
    document = built[0]
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        grid = table._tbl.tblGrid.findall(docx.oxml.ns.qn("w:gridCol"))
        width = Length(sum(int(col.get(docx.oxml.ns.qn("w:w"))) for col in grid) * 635)  # twips → EMU
        assert width <= text_width, table.cell(0, 0).text


def test_the_sample_year_renders_zeros(sample_year: Path, tmp_path: Path) -> None:
    result = pipeline.build_report(sample_year, tmp_path / "out", template=TEMPLATE)
    assert result.report is not None, [str(f) for f in result.render_findings]
    document = docx.Document(str(result.report))
    assert set(application_cells(document).values()) == {0}
    assert table_with(document, "第二十条第（一）项").rows[-1].cells[1].text == "0"  # 行政事业性收费, 万元


def test_the_template_is_what_the_script_makes_and_checks_clean() -> None:
    import make_government_template
    assert make_government_template.make_template() == TEMPLATE.read_bytes(), "run scripts/make_government_template.py"
    assert check_report_template(TEMPLATE) == ()


def test_it_is_the_bundled_government_format() -> None:
    [row] = [f for f in list_formats().formats if f.name == "政府格式"]
    assert row.installed
