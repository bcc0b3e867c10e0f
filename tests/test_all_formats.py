"""Both bundled sample years in all three bundled formats: built, read back, converted to PDF."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from docx.oxml.ns import qn
from docx.table import Table

from report_builder import pipeline
from report_builder.formats import BUNDLED, FORMATS
from report_builder.outputs.pdf import convert_to_pdf
from report_builder.tables import APPLICANTS, APPLICATION_ROWS, per_applicant
from report_builder.wordml import paragraph_texts

YEARS = ("2017-2018", "2022-2023")
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Every sample year in every format, built once for this module."""
    out = tmp_path_factory.mktemp("out")
    reports = {}
    for year in YEARS:
        for name in BUNDLED:
            result = pipeline.build_report(ROOT / "inputs" / year, out, report_format=name)
            assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
            reports[year, name] = result.report
    return reports


def figures(report: Path) -> dict[str, int]:
    manifest = json.loads(report.with_name(report.stem + ".manifest.json").read_text(encoding="utf-8"))
    return {name: entry["value"] for name, entry in manifest["figures"].items()}


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("name", BUNDLED)
def test_every_required_part_is_there_in_order(built: dict[tuple[str, str], Path], year: str, name: str) -> None:
    texts = paragraph_texts(built[year, name])
    parts = [part.replace("{{ 自称 }}", "学院") for part in FORMATS[name].parts]
    assert parts, name  # every bundled format states its parts
    positions = [texts.index(part) for part in parts]  # each heading is a paragraph of its own
    assert positions == sorted(positions)


@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("name", BUNDLED)
def test_every_table_lies_inside_the_type_area(built: dict[tuple[str, str], Path], year: str, name: str) -> None:
    document = docx.Document(str(built[year, name]))
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for table in document.tables:
        grid = table._tbl.tblGrid
        width = sum(int(col.get(qn("w:w"))) for col in grid.findall(qn("w:gridCol"))) * 635  # twips → EMU
        assert width <= text_width
        indent = table._tbl.tblPr.find(qn("w:tblInd"))
        assert indent is None or int(indent.get(qn("w:w"))) >= 0


def _table_with(document: docx.document.Document, text: str) -> Table:
    return next(t for t in document.tables if any(text in c.text for c in t.rows[0].cells + t.rows[-1].cells)
                or any(text in row.cells[0].text for row in t.rows))


def test_table_three_is_the_year_s_figures(built: dict[tuple[str, str], Path]) -> None:
    report = built["2022-2023", "政府格式"]
    values = figures(report)
    table = _table_with(docx.Document(str(report)), APPLICATION_ROWS[0].label)
    rows = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows}
    nonzero = 0
    for row in APPLICATION_ROWS:
        expected = [str(values[per_applicant(row.figure, a)]) for a in (*APPLICANTS, None)]
        assert rows[row.label][-len(expected):] == expected, row.label
        nonzero += any(v != "0" for v in expected)
    assert nonzero >= 8  # the second sample year fills the table, not only its totals
    assert values["上年结转件数"] == 1 and values["结转下年度件数"] == 1


def test_the_checklist_table_has_a_row_and_a_live_link_per_item(built: dict[tuple[str, str], Path]) -> None:
    report = built["2022-2023", "八部分"]
    document = docx.Document(str(report))
    table = _table_with(document, "栏目链接")
    body = table.rows[1:]
    assert len(body) == 45
    rels = document.part.rels
    linked = 0
    for row in body:
        status, link = row.cells[4].text, row.cells[5].text
        anchors = row.cells[5]._tc.findall(".//" + qn("w:hyperlink"))
        if status == "已公开":
            assert len(anchors) == 1 and rels[anchors[0].get(R + "id")].target_ref == link, row.cells[0].text
            linked += 1
        else:
            assert anchors == []
    assert linked == 42


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("name", BUNDLED)
def test_each_format_converts_to_pdf(built: dict[tuple[str, str], Path], tmp_path: Path, name: str) -> None:
    pdf = convert_to_pdf(built["2022-2023", name], tmp_path)
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page") + data.count(b"/Type/Page") >= 2
