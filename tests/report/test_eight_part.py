"""The MOE eight-part template (templates/八部分模板.docx): its parts, the 清单 table and its hyperlinks."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT, report_text
from lxml import etree
from years import make_year, rows, template_with

from report_builder import pipeline
from report_builder.report.links import Link, web_address
from report_builder.report.template_check import check_template

TEMPLATE = ROOT / "templates" / "八部分模板.docx"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
HEADINGS = ("一、概述", "二、主动公开情况", "三、依申请公开和不予公开情况", "四、对信息公开的评议情况",
            "五、因学院信息公开工作受到举报、复议、诉讼的情况", "六、新做法新举措、主要经验、问题和改进措施",
            "七、其他需要报告的事项", "八、附：清单事项公开情况表")
LINK = "https://xxgk.example.edu.cn/zy?year=2018&type=专业"


def build(year: Path, out: Path) -> Path:
    result = pipeline.build_report(year, out, template=TEMPLATE)
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    return result.report


def checklist_table(report: Path) -> list[list[str]]:
    [table] = docx.Document(str(report)).tables
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_committed_template_is_what_the_script_writes() -> None:
    import make_eight_part_template

    assert make_eight_part_template.make_template() == TEMPLATE.read_bytes()


def test_the_sample_year_has_the_eight_parts_in_order_and_one_table_row_per_item(
        sample_year: Path, tmp_path: Path) -> None:
    report = build(sample_year, tmp_path / "out")
    texts = report_text(report)
    places = [texts.index(heading) for heading in HEADINGS]
    assert places == sorted(places)
    data = pipeline.check_submissions(sample_year, lists={"清单"}).data
    assert data is not None
    items = data.lists["清单"]
    table = checklist_table(report)
    assert table[0] == ["序号", "类别", "公开事项", "责任部门", "公开状态", "栏目链接"]
    assert table[1:] == [[i["序号"], i["类别"], i["公开事项"], i["牵头落实单位"], i["公开状态"], ""] for i in items]
    assert len(items) == 45


def test_the_table_lies_inside_the_type_area_with_its_header_repeated(sample_year: Path, tmp_path: Path) -> None:
    package = zipfile.ZipFile(build(sample_year, tmp_path / "out"))
    body = etree.fromstring(package.read("word/document.xml"))
    sect = body.find(f".//{W}sectPr")
    assert sect is not None
    width = int(sect.find(f"{W}pgSz").get(f"{W}w"))  # type: ignore[union-attr]
    margins = sect.find(f"{W}pgMar")
    assert margins is not None
    text_width = width - int(margins.get(f"{W}left", "0")) - int(margins.get(f"{W}right", "0"))
    [table] = body.iter(f"{W}tbl")
    grid = [int(col.get(f"{W}w", "0")) for col in table.iter(f"{W}gridCol")]
    assert len(grid) == 6 and sum(grid) <= text_width
    first, *others = table.iter(f"{W}tr")
    assert first.find(f"{W}trPr/{W}tblHeader") is not None
    assert all(row.find(f"{W}trPr/{W}tblHeader") is None for row in others)
    # the body's 28.95 pt line pitch stays out of the table: its paragraphs' styles are off the grid, 五号,
    # with an exact line height of 1.3 × 10.5 pt
    used = {p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") for p in table.iter(f"{W}p")}  # type: ignore[union-attr]
    assert used == {"表头（五号）", "表格文字（五号）"}
    styles = {s.get(f"{W}styleId"): s for s in etree.fromstring(package.read("word/styles.xml")).iter(f"{W}style")}
    for name in used:
        style = styles[name]
        spacing, size = style.find(f"{W}pPr/{W}spacing"), style.find(f"{W}rPr/{W}sz")
        assert spacing is not None and size is not None
        assert (spacing.get(f"{W}line"), spacing.get(f"{W}lineRule"), size.get(f"{W}val")) == ("273", "exact", "21")
        assert style.find(f"{W}pPr/{W}snapToGrid").get(f"{W}val") == "0"  # type: ignore[union-attr]
        assert style.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") in ("仿宋_GB2312", "黑体")  # type: ignore[union-attr]


def test_an_http_link_is_a_real_hyperlink_and_other_text_stays_text(tmp_path: Path) -> None:
    year = make_year(tmp_path, {
        "教务处.xlsx": rows("清单事项", {"status": "已公开", "link": LINK}),  # item 5
        "财务处.xlsx": rows("清单事项", {"status": "已公开", "link": "javascript:alert(1)"}),  # item 4
    })
    report = build(year, tmp_path / "out")
    package = zipfile.ZipFile(report)
    body = etree.fromstring(package.read("word/document.xml"))
    rels = {r.get("Id"): r for r in etree.fromstring(package.read("word/_rels/document.xml.rels"))
            .iter(f"{REL}Relationship")}
    [link] = body.iter(f"{W}hyperlink")
    target = rels[link.get(f"{R}id")]
    assert (target.get("Target"), target.get("TargetMode")) == (LINK, "External")
    assert target.get("Type", "").endswith("/hyperlink")
    assert "".join(link.itertext()) == LINK  # the text escaped ("&") and read back whole
    table = checklist_table(report)
    assert table[4][5] == "javascript:alert(1)" and table[5][5] == LINK  # 序号 4 and 5
    assert [row[5] for row in table[1:4]] == ["", "", ""]
    again = build(year, tmp_path / "again")
    assert again.read_bytes() == report.read_bytes()  # reproducible, relationships included


@pytest.mark.parametrize(("text", "link"), [
    ("https://xxgk.example.edu.cn/a", True), ("HTTP://EXAMPLE.EDU.CN", True), (" http://a.cn/b?c=1&d=2 ", True),
    ("javascript:alert(1)", False), ("file:///etc/passwd", False), ("http://", False), ("见学校主页", False),
    ("https://a.cn/ b", False), ("http://[::1", False), ("www.example.edu.cn", False),
])
def test_only_http_addresses_with_a_host_become_links(text: str, link: bool) -> None:
    assert (web_address(text) is not None) is link
    xml = Link(text, lambda url: "rId99").__html__()
    assert xml.startswith('<w:hyperlink r:id="rId99">') is link
    assert "&amp;" in xml if "&" in text else "&" not in xml


def test_a_link_written_without_r_is_found_by_the_template_check(tmp_path: Path) -> None:
    wrong = template_with(tmp_path, "{%p for c in 清单 %}")
    document = docx.Document(str(wrong))
    document.add_paragraph("{{ c.序号 }} {{ c.栏目链接 }} {{ c.公开栏目链接 }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(wrong))
    [finding] = check_template(wrong)
    assert finding.code == "template-syntax" and "{{r c.栏目链接 }}" in finding.detail
    assert check_template(TEMPLATE) == []


def test_existing_templates_print_no_relationship(sample_year: Path, tmp_path: Path) -> None:
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report is not None
    assert b"hyperlink" not in zipfile.ZipFile(result.report).read("word/_rels/document.xml.rels")
