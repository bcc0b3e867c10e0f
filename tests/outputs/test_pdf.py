"""The report's look (scripts/report_style.py) in the .docx XML, and the PDF LibreOffice makes of it."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import threading
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from docx.document import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from report_style import save_docx_deterministic, setup_document

from report_builder.ooxml import normalize_zip
from report_builder.outputs import pdf
from report_builder.outputs.pdf import PdfError, convert_to_pdf, font_environment, libreoffice_available

REFERENCE = ROOT / "tests" / "data" / "2017-2018-report.txt"  # the published report
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

needs_libreoffice = pytest.mark.skipif(
    not libreoffice_available() or shutil.which("pdftotext") is None,
    reason="LibreOffice (Writer) or poppler-utils not installed: run scripts/install_fonts.sh",
)


def reference_lines() -> list[str]:
    return [line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if line.strip()]


def sample_document() -> Document:
    """Title, a 一、 heading, three （一） headings each with its body paragraph from the real report."""
    lines = reference_lines()
    doc = docx.Document()
    setup_document(doc)
    for line in lines[:2]:
        doc.add_paragraph(style="Title").add_run(line)
    doc.add_paragraph(style="Heading 1").add_run(lines[4])
    for heading in ("（一）", "（二）", "（三）"):
        at = next(i for i, line in enumerate(lines) if line.startswith(heading))
        doc.add_paragraph(style="Heading 2").add_run(lines[at])
        doc.add_paragraph(style="Normal").add_run(lines[at + 1])
    return doc


def style_xml(doc: Document, style_id: str) -> str:
    element = doc.styles.element.find(f"{W}style[@{W}styleId='{style_id}']")
    assert element is not None, style_id
    xml: str = element.xml
    return xml


def run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, timeout=60).stdout


# --- the .docx: no LibreOffice needed --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("style_id", "east_asian", "latin", "half_points"),
    [
        ("Normal", "仿宋_GB2312", "Times New Roman", 32),
        ("Title", "方正小标宋简体", "方正小标宋简体", 44),
        ("Heading1", "黑体", "Times New Roman", 32),
        ("Heading2", "楷体_GB2312", "Times New Roman", 32),
    ],
)
def test_styles_name_the_chinese_fonts(style_id: str, east_asian: str, latin: str, half_points: int) -> None:
    doc = docx.Document()
    setup_document(doc)
    xml = style_xml(doc, style_id)
    assert (
        f'<w:rFonts w:ascii="{latin}" w:hAnsi="{latin}" w:eastAsia="{east_asian}" w:cs="{latin}" '
        'w:hint="eastAsia"/>'
    ) in xml
    assert f'<w:sz w:val="{half_points}"/>' in xml
    assert 'w:eastAsia="zh-CN"' in xml
    assert '<w:b w:val="0"/>' in xml
    for absent in ("w:color", "w:pBdr", "Theme", "w:kern"):
        assert absent not in xml, (style_id, absent)


def test_paragraph_layout_follows_gbt_9704() -> None:
    doc = docx.Document()
    setup_document(doc)
    normal, title = style_xml(doc, "Normal"), style_xml(doc, "Title")
    h1, h2 = style_xml(doc, "Heading1"), style_xml(doc, "Heading2")
    assert '<w:spacing w:before="0" w:after="0" w:line="579" w:lineRule="exact"/>' in normal
    assert 'w:firstLineChars="200" w:firstLine="640"' in normal
    assert '<w:jc w:val="both"/>' in normal
    assert '<w:jc w:val="center"/>' in title and 'w:firstLineChars="0"' in title
    assert '<w:outlineLvl w:val="0"/>' in h1 and "<w:keepNext/>" in h1
    assert '<w:outlineLvl w:val="1"/>' in h2 and "<w:keepNext/>" in h2
    styles = doc.styles.element.xml
    assert "Theme=" not in styles and "w:cstheme" not in styles
    defaults = styles[styles.index("<w:docDefaults>") : styles.index("</w:docDefaults>")]
    assert 'w:eastAsia="仿宋_GB2312"' in defaults and 'w:eastAsia="zh-CN"' in defaults
    theme_lang = doc.settings.element.find(f"{W}themeFontLang")
    assert theme_lang is not None and theme_lang.get(f"{W}eastAsia") == "zh-CN"  # was ja-JP


def test_page_is_a4_with_the_standard_margins_and_grid() -> None:
    doc = docx.Document()
    setup_document(doc)
    sect = doc.sections[0]._sectPr.xml
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in sect
    assert 'w:top="2098" w:right="1474" w:bottom="1984" w:left="1587"' in sect  # 37/26/35/28 mm
    assert '<w:docGrid w:type="lines" w:linePitch="579"/>' in sect
    assert (16838 - 2098 - 1984) // 579 == 22  # lines a page
    assert int((11906 - 1587 - 1474) / 20 // (16 - 0.25)) == 28  # characters a line, condensed 0.25 pt


def test_page_numbers_odd_right_even_left() -> None:
    doc = docx.Document()
    setup_document(doc)
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        xml = footer._element.xml
        assert f'<w:jc w:val="{side}"/>' in xml and f'w:{side}="280"' in xml
        assert "<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>" in xml
        assert re.fullmatch(r"— \d —", footer.paragraphs[0].text)
    footer_style = style_xml(doc, "Footer")
    assert 'w:eastAsia="宋体"' in footer_style and '<w:sz w:val="28"/>' in footer_style


def test_saved_twice_gives_the_same_bytes(tmp_path: Path) -> None:
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    save_docx_deterministic(sample_document(), first)
    save_docx_deterministic(sample_document(), second)
    assert first.read_bytes() == second.read_bytes()
    props = docx.Document(str(first)).core_properties
    assert props.author == "report-builder" and props.created == props.modified
    with zipfile.ZipFile(first) as z:
        assert z.namelist()[0] == "[Content_Types].xml"
        assert "docProps/thumbnail.jpeg" not in z.namelist()
        assert "ＭＳ 明朝" not in z.read("word/fontTable.xml").decode()


def test_normalize_zip_ignores_time_and_order() -> None:
    def make(names: list[str], when: tuple[int, int, int, int, int, int]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            for name in names:
                z.writestr(zipfile.ZipInfo(name, date_time=when), f"<{name}/>")
        return buffer.getvalue()

    names = ["word/document.xml", "[Content_Types].xml", "_rels/.rels"]
    one = normalize_zip(make(names, (2020, 5, 6, 7, 8, 10)))
    two = normalize_zip(make(names[::-1], (2024, 1, 2, 3, 4, 6)))
    assert one == two
    with zipfile.ZipFile(io.BytesIO(one)) as z:
        assert z.namelist() == ["[Content_Types].xml", "_rels/.rels", "word/document.xml"]
        assert z.read("word/document.xml") == b"<word/document.xml/>"


def test_missing_libreoffice_is_a_chinese_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "find_soffice", lambda: None)
    assert not pdf.libreoffice_available()
    with pytest.raises(PdfError, match="未安装 LibreOffice") as caught:
        convert_to_pdf(tmp_path / "报告.docx", tmp_path)
    assert str(tmp_path) not in str(caught.value)


# --- the PDF ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pdf")
    source = work / "样例 报告.docx"
    save_docx_deterministic(sample_document(), source)
    return convert_to_pdf(source, work / "out")


@needs_libreoffice
def test_pdf_holds_the_text_on_a4(sample_pdf: Path) -> None:
    assert sample_pdf.name == "样例 报告.pdf"
    text = re.sub(r"—\d+—", "", re.sub(r"\s", "", run("pdftotext", str(sample_pdf), "-")))
    for paragraph in sample_document().paragraphs:
        assert re.sub(r"\s", "", paragraph.text) in text  # nothing lost, punctuation at line ends included
    info = run("pdfinfo", str(sample_pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None
    assert abs(float(size[1]) - 595.3) < 1 and abs(float(size[2]) - 841.9) < 1
    assert re.search(r"Pages:\s+2\n", info)


@needs_libreoffice
def test_pdf_lines_and_characters(sample_pdf: Path) -> None:
    page1 = run("pdftotext", "-layout", "-f", "1", "-l", "1", str(sample_pdf), "-")
    lines = [re.sub(r"\s", "", line) for line in page1.splitlines() if line.strip()][:-1]  # minus page no.
    assert len(lines) == 2 + 19  # title lines, one blank line, 19 body lines: 22 lines
    chinese_only = [len(line) for line in lines[2:] if not re.search(r"[0-9A-Za-z<>]", line)]
    assert max(chinese_only) == 28


@needs_libreoffice
def test_pdf_page_numbers_under_the_type_area(sample_pdf: Path) -> None:
    for page, side in ((1, "right"), (2, "left")):
        bbox = run("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(sample_pdf), "-")
        words = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', bbox)
        number = [w for w in words if w[4] == str(page)][-1]
        x_min, y_min, x_max, y_max = (float(v) for v in number[:4])
        from_bottom_mm = (841.89 - (y_min + y_max) / 2) / 72 * 25.4
        assert 26 < from_bottom_mm < 30  # 一字线 7 mm under the type area (whose bottom is 35 mm up)
        assert (x_min > 595.3 / 2) if side == "right" else (x_max < 595.3 / 2)
        dashes = [w for w in words if w[4] == "—" and abs(float(w[1]) - y_min) < 1]
        assert len(dashes) == 2


@needs_libreoffice
def test_pdf_fonts_are_the_free_substitutes(sample_pdf: Path) -> None:
    fonts = [line.split()[0].split("+")[-1] for line in run("pdffonts", str(sample_pdf)).splitlines()[2:]]
    assert any(f.startswith("FandolFang") for f in fonts), fonts  # 仿宋_GB2312
    assert any(f.startswith("FandolKai") for f in fonts), fonts  # 楷体_GB2312
    assert any(f.startswith("NotoSansCJK") for f in fonts), fonts  # 黑体
    assert any(f.startswith("NotoSerifCJK") and "Bold" in f for f in fonts), fonts  # 方正小标宋简体
    allowed = ("Fandol", "NotoSerifCJK", "NotoSansCJK", "Liberation")
    assert all(f.startswith(allowed) for f in fonts), fonts  # no DejaVu, IPA, Takao, VL… fallback


@needs_libreoffice
def test_fontconfig_maps_the_official_fonts(tmp_path: Path) -> None:
    env = font_environment(tmp_path)
    expected = {
        "仿宋_GB2312": "FandolFang Regular",
        "楷体_GB2312": "FandolKai Regular",
        "黑体": "Noto Sans CJK SC Regular",
        "宋体": "Noto Serif CJK SC Regular",
        "方正小标宋简体": "Noto Serif CJK SC Bold",
    }
    for name, face in expected.items():
        found = subprocess.run(
            ["fc-match", "--format", "%{family[0]} %{style[0]}", f"{name}:lang=zh-cn"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout
        assert found == face, f"{name} → {found}: run scripts/install_fonts.sh"


def glyph_cells(png_pgm: Path, count: int) -> list[bytes]:
    """The first `count` glyphs of the page's first text line, each as the bytes of its ink columns."""
    data = png_pgm.read_bytes()
    head = re.match(rb"P5\s+(\d+)\s+(\d+)\s+\d+\s", data)
    assert head is not None
    width, height, pixels = int(head[1]), int(head[2]), data[head.end() :]
    ink_rows = [y for y in range(height // 2) if min(pixels[y * width : (y + 1) * width]) < 200]
    band = range(ink_rows[0], ink_rows[-1] + 1)
    columns = [x for x in range(width) if any(pixels[y * width + x] < 200 for y in band)]
    groups: list[list[int]] = []
    for x in columns:
        if groups and x - groups[-1][-1] <= 3:
            groups[-1].append(x)
        else:
            groups.append([x])
    cell = 36  # px: one 36 pt glyph at 72 dpi
    starts = [group[0] for group in groups[:count]]
    return [bytes(pixels[y * width + x] for y in band for x in range(x0, x0 + cell)) for x0 in starts]


@needs_libreoffice
def test_song_substitute_draws_simplified_chinese_forms(tmp_path: Path) -> None:
    """骨 in 宋体 is drawn as Noto Serif CJK SC draws it, not in its Japanese form."""
    doc = docx.Document()
    setup_document(doc)
    paragraph = doc.add_paragraph(style="Normal")
    for font, lang in (("宋体", None), ("Noto Serif CJK SC", None), ("Noto Serif CJK JP", "ja-JP")):
        glyph = paragraph.add_run("骨")
        glyph.font.size = Pt(36)  # 36 px at 72 dpi: every glyph starts at the same sub-pixel phase
        rpr = glyph._element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)
        rpr.append(rpr.makeelement(qn("w:spacing"), {qn("w:val"): "0"}))
        if lang:
            rpr.append(rpr.makeelement(qn("w:lang"), {qn("w:eastAsia"): lang}))
    doc.save(str(tmp_path / "glyphs.docx"))
    made = convert_to_pdf(tmp_path / "glyphs.docx", tmp_path)
    run("pdftoppm", "-gray", "-r", "72", "-f", "1", "-l", "1", "-singlefile", str(made), str(tmp_path / "g"))
    song, simplified, japanese = glyph_cells(tmp_path / "g.pgm", 3)
    assert song == simplified
    assert song != japanese


@needs_libreoffice
def test_not_a_word_file_is_a_pdf_error(tmp_path: Path) -> None:
    broken = tmp_path / "坏文件.docx"
    broken.write_bytes(b"PK\x03\x04 this is not a package")
    with pytest.raises(PdfError, match="未能把“坏文件.docx”转换为 PDF") as caught:
        convert_to_pdf(broken, tmp_path / "out")
    assert str(tmp_path) not in str(caught.value)
    assert not (tmp_path / "out" / "坏文件.pdf").exists()


@needs_libreoffice
def test_timeout_stops_libreoffice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_docx_deterministic(sample_document(), tmp_path / "a.docx")
    monkeypatch.setattr(pdf, "TIMEOUT_SECONDS", 0.2)
    with pytest.raises(PdfError, match="超时"):
        convert_to_pdf(tmp_path / "a.docx", tmp_path)


@needs_libreoffice
def test_parallel_conversions_do_not_collide(tmp_path: Path) -> None:
    sources = [tmp_path / f"{n}.docx" for n in range(2)]
    for source in sources:
        save_docx_deterministic(sample_document(), source)
    results: dict[int, Path | BaseException] = {}

    def convert(n: int) -> None:
        try:
            results[n] = convert_to_pdf(sources[n], tmp_path / f"out{n}")
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            results[n] = error

    threads = [threading.Thread(target=convert, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(r, Path) and r.read_bytes()[:5] == b"%PDF-" for r in results.values()), results


@needs_libreoffice
def test_the_built_sample_report_opens_in_libreoffice(sample_year: Path, tmp_path: Path) -> None:
    """build --pdf: the published report's every paragraph is in the PDF, on A4 pages numbered — N —."""
    from report_builder import pipeline

    result = pipeline.build_report(sample_year, tmp_path / "out", pdf=True, today=dt.date(2018, 10, 1))
    assert result.report is not None and not result.render_findings
    pdf = result.report.with_suffix(".pdf")
    text = re.sub(r"\s", "", run("pdftotext", str(pdf), "-"))
    for line in reference_lines():
        assert re.sub(r"\s", "", line) in re.sub(r"—\d+—", "", text), line
    assert "—1—" in text and "—2—" in text
    info = run("pdfinfo", str(pdf))
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None and abs(float(size[1]) - 595.3) < 1 and abs(float(size[2]) - 841.9) < 1
