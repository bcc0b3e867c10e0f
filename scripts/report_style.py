"""The look of the report (GB/T 9704-2012): page, the four paragraph styles, page-number footers.

`setup_document(doc)` is called once on a fresh `docx.Document()` by scripts/make_report_template.py; the
template then uses only the styles "Title", "Heading 1", "Heading 2" and "Normal". The numbers are
explained in docs/typography.md.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from pathlib import Path

from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.shared import Twips
from lxml import etree

from report_builder.ooxml import normalize_zip

__all__ = ["STYLES", "StyleSpec", "save_docx_deterministic", "setup_document"]

# --- page (twips: 1 mm = 1440 / 25.4 twips) -------------------------------------------------------------
PAGE_WIDTH = 11906  # A4 210 mm
PAGE_HEIGHT = 16838  # A4 297 mm
MARGIN_TOP = 2098  # 37 mm
MARGIN_BOTTOM = 1984  # 35 mm
MARGIN_LEFT = 1587  # 28 mm
MARGIN_RIGHT = 1474  # 26 mm  → type area 156 mm × 225 mm
HEADER_DISTANCE = 851  # 15 mm (no header is used)
# Page number: its 一字线 sits 7 mm under the type area, i.e. 28 mm above the page's bottom edge. The
# footer line is exactly 14 pt high with the dash at its middle: 28 mm − 7 pt ≈ 25.5 mm.
FOOTER_DISTANCE = 1446
LINE_PITCH = 579  # 28.95 pt: 22 lines fill the 225 mm type area (22 × 579 = 12 738 ≤ 12 756)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_SIZE_PT = 16  # 3号
# 28 characters in 156 mm (442.25 pt) need a pitch ≤ 15.79 pt: 16 pt characters condensed by 0.25 pt
# (w:spacing −5 twentieths of a point; 28 × 15.75 = 441 pt). A character grid (docGrid linesAndChars,
# charSpace −842) would say the same to Word, but LibreOffice 7.4 then puts every 16 pt character into
# two 15.79 pt cells (14 characters a line), so the grid is "lines" only.
CONDENSE = -5

LATIN_FONT = "Times New Roman"
PAGE_NUMBER_FONT = "宋体"
PAGE_NUMBER_SIZE_PT = 14  # 4号
PAGE_NUMBER_SIDE_INDENT = 280  # 空一字 (one 14 pt character)

FIXED_TIME = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
AUTHOR = "report-builder"


@dataclass(frozen=True)
class StyleSpec:
    """One paragraph style of the report."""

    name: str
    east_asian_font: str
    size_pt: float
    latin_font: str = LATIN_FONT
    align: str = "both"  # w:jc value
    first_line_chars: int = 200  # hundredths of a character
    condense: int = CONDENSE  # w:spacing, twentieths of a point
    outline_level: int | None = None
    keep_with_next: bool = False
    space_after: int = 0  # twips
    line: int = LINE_PITCH  # exact line height, twips


STYLES: tuple[StyleSpec, ...] = (
    StyleSpec("Normal", "仿宋_GB2312", BODY_SIZE_PT),
    # Title: digits ("2017-2018") in the title face too; one blank line (a line pitch) after the last title
    # line, none between the title lines (w:contextualSpacing).
    StyleSpec(
        "Title",
        "方正小标宋简体",
        22,
        latin_font="方正小标宋简体",
        align="center",
        first_line_chars=0,
        condense=0,
        space_after=LINE_PITCH,
    ),
    # GB/T 9704 7.3.3: heading lines are paragraphs of the body: indented two characters like it.
    StyleSpec("Heading 1", "黑体", BODY_SIZE_PT, outline_level=0, keep_with_next=True),
    StyleSpec("Heading 2", "楷体_GB2312", BODY_SIZE_PT, outline_level=1, keep_with_next=True),
)

# Fonts named in the document, with what Word should use where they are missing (w:altName) and
# their charset (86 = GB2312), so Word on a PC without the _GB2312 faces falls back to 仿宋/楷体.
_FONT_TABLE: tuple[tuple[str, str | None, str, str], ...] = (
    # name, altName, charset, family
    (LATIN_FONT, None, "00", "roman"),
    ("仿宋_GB2312", "仿宋", "86", "modern"),
    ("楷体_GB2312", "楷体", "86", "modern"),
    ("黑体", "SimHei", "86", "modern"),
    ("宋体", "SimSun", "86", "auto"),
    ("方正小标宋简体", "宋体", "86", "script"),
)

_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
_THEME_FONT_ATTRS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _el(tag: str, **attrs: str) -> BaseOxmlElement:
    """A new w: element with w: attributes (keyword `w_val` → `w:val`)."""
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(key.replace("_", ":", 1)), value)
    return el


def _fonts(east_asian: str, latin: str) -> BaseOxmlElement:
    return _el("w:rFonts", w_ascii=latin, w_hAnsi=latin, w_eastAsia=east_asian, w_cs=latin, w_hint="eastAsia")


def _lang() -> BaseOxmlElement:
    return _el("w:lang", w_val="en-US", w_eastAsia="zh-CN", w_bidi="ar-SA")


def _run_props(east_asian: str, latin: str, size_pt: float, condense: int = 0) -> BaseOxmlElement:
    """w:rPr in schema order: fonts, not bold, no colour, spacing, size, language."""
    half_points = str(round(size_pt * 2))
    rpr = _el("w:rPr")
    for child in (
        _fonts(east_asian, latin),
        _el("w:b", w_val="0"),
        _el("w:bCs", w_val="0"),
        *([_el("w:spacing", w_val=str(condense))] if condense else []),
        _el("w:sz", w_val=half_points),
        _el("w:szCs", w_val=half_points),
        _lang(),
    ):
        rpr.append(child)
    return rpr


def _spacing(line: int, after: int = 0) -> BaseOxmlElement:
    """Exact line height `line` twips, `after` twips after, none before."""
    return _el("w:spacing", w_before="0", w_after=str(after), w_line=str(line), w_lineRule="exact")


def _indent(first_line_chars: int, first_line: int) -> BaseOxmlElement:
    """First-line indent in hundredths of a character (Word) and in twips (LibreOffice, older readers)."""
    return _el(
        "w:ind", w_left="0", w_right="0", w_firstLineChars=str(first_line_chars), w_firstLine=str(first_line)
    )


def _para_props(spec: StyleSpec) -> BaseOxmlElement:
    """w:pPr in schema order."""
    ppr = _el("w:pPr")
    if spec.keep_with_next:
        ppr.append(_el("w:keepNext"))
    # No widow/orphan control: every page holds its 22 lines (公文 practice).
    ppr.append(_el("w:widowControl", w_val="0"))
    # Word's default, written out for LibreOffice: LibreOffice 7.4 reads a missing or "0" w:overflowPunct as
    # "hang punctuation past the margin" and then drops the hanging "，" from justified lines in the PDF.
    ppr.append(_el("w:overflowPunct", w_val="1"))
    # w:autoSpaceDE/DN (a little space between Chinese and Latin/digits) stay at Word's default, on:
    # LibreOffice ignores them and always adds that space, so the PDF and Word look alike.
    if spec.size_pt > BODY_SIZE_PT:
        # Off the line grid: LibreOffice would give each 22 pt line two grid lines despite the exact spacing.
        ppr.append(_el("w:snapToGrid", w_val="0"))
    ppr.append(
        _el(
            "w:spacing",
            w_before="0",
            w_after=str(spec.space_after),
            w_line=str(spec.line),
            w_lineRule="exact",
        )
    )
    first_line = str(round(spec.first_line_chars / 100 * spec.size_pt * 20))
    ppr.append(
        _el(
            "w:ind",
            w_left="0",
            w_right="0",
            w_firstLineChars=str(spec.first_line_chars),
            w_firstLine=first_line,
        )
    )
    if spec.space_after:
        ppr.append(_el("w:contextualSpacing"))
    ppr.append(_el("w:jc", w_val=spec.align))
    if spec.outline_level is not None:
        ppr.append(_el("w:outlineLvl", w_val=str(spec.outline_level)))
    return ppr


def _replace_props(style_el: BaseOxmlElement, ppr: BaseOxmlElement, rpr: BaseOxmlElement) -> None:
    """Swap a style's w:pPr / w:rPr for ours (python-docx's defaults carry borders, colours, theme fonts)."""
    for tag in ("w:pPr", "w:rPr", "w:link"):
        for old in style_el.findall(qn(tag)):
            style_el.remove(old)
    style_el.append(ppr)
    style_el.append(rpr)


def _setup_styles(doc: Document) -> None:
    styles_el = doc.styles.element
    for rfonts in styles_el.iter(qn("w:rFonts")):
        for attr in _THEME_FONT_ATTRS:
            rfonts.attrib.pop(qn(attr), None)
    # docDefaults: body fonts and size, Chinese language, no spacing.
    defaults = styles_el.find(qn("w:docDefaults"))
    assert defaults is not None, "python-docx's default template has w:docDefaults"
    defaults.clear()
    rpr_default = _el("w:rPrDefault")
    rpr_default.append(_run_props(STYLES[0].east_asian_font, LATIN_FONT, BODY_SIZE_PT))
    ppr_default = _el("w:pPrDefault")
    ppr = _el("w:pPr")
    ppr.append(_el("w:spacing", w_before="0", w_after="0", w_line="240", w_lineRule="auto"))  # single
    ppr_default.append(ppr)
    defaults.append(rpr_default)
    defaults.append(ppr_default)
    for spec in STYLES:
        style = doc.styles[spec.name]
        rpr = _run_props(spec.east_asian_font, spec.latin_font, spec.size_pt, spec.condense)
        _replace_props(style.element, _para_props(spec), rpr)
    # Linked character styles of the styles above are no longer used (w:link removed).
    for name in ("Title Char", "Heading 1 Char", "Heading 2 Char"):
        if name in [s.name for s in doc.styles]:
            styles_el.remove(doc.styles[name].element)
    footer_ppr = _el("w:pPr")
    footer_ppr.append(_spacing(PAGE_NUMBER_SIZE_PT * 20))
    footer_ppr.append(_indent(0, 0))
    footer_rpr = _run_props(PAGE_NUMBER_FONT, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE_PT)
    _replace_props(doc.styles["Footer"].element, footer_ppr, footer_rpr)


def _setup_page(doc: Document) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(PAGE_WIDTH), Twips(PAGE_HEIGHT)
    section.top_margin, section.bottom_margin = Twips(MARGIN_TOP), Twips(MARGIN_BOTTOM)
    section.left_margin, section.right_margin = Twips(MARGIN_LEFT), Twips(MARGIN_RIGHT)
    section.header_distance, section.footer_distance = Twips(HEADER_DISTANCE), Twips(FOOTER_DISTANCE)
    section.gutter = Twips(0)
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = _el("w:docGrid")
        section._sectPr.append(grid)
    grid.attrib.clear()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(LINE_PITCH))


def _page_number_paragraph(align: str) -> BaseOxmlElement:
    """ "— N —" with a PAGE field; `align` "right" (odd pages) or "left" (even), 空一字 from the edge."""
    p = _el("w:p")
    ppr = _el("w:pPr")
    ppr.append(_el("w:pStyle", w_val="Footer"))
    side = {"right": "w_right", "left": "w_left"}[align]
    ppr.append(_el("w:ind", **{side: str(PAGE_NUMBER_SIDE_INDENT)}))
    ppr.append(_el("w:jc", w_val=align))
    p.append(ppr)

    def run(*children: BaseOxmlElement) -> None:
        r = _el("w:r")
        for child in children:
            r.append(child)
        p.append(r)

    def text(value: str) -> BaseOxmlElement:
        t = _el("w:t", xml_space="preserve")
        t.text = value
        return t

    instr = _el("w:instrText", xml_space="preserve")
    instr.text = " PAGE "
    run(text("— "))
    run(_el("w:fldChar", w_fldCharType="begin"))
    run(instr)
    run(_el("w:fldChar", w_fldCharType="separate"))
    run(text("1" if align == "right" else "2"))
    run(_el("w:fldChar", w_fldCharType="end"))
    run(text(" —"))
    return p


def _fill_footer(footer_el: BaseOxmlElement, align: str) -> None:
    for child in list(footer_el):
        footer_el.remove(child)
    footer_el.append(_page_number_paragraph(align))


def _setup_footers(doc: Document) -> None:
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.footer.is_linked_to_previous = False
    section.even_page_footer.is_linked_to_previous = False
    _fill_footer(section.footer._element, "right")
    _fill_footer(section.even_page_footer._element, "left")


def _setup_settings(doc: Document) -> None:
    settings = doc.settings.element
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:  # python-docx's template says ja-JP: Japanese theme fonts
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table_xml() -> bytes:
    fonts = _el("w:fonts")
    for name, alt, charset, family in _FONT_TABLE:
        font = _el("w:font", w_name=name)
        if alt:
            font.append(_el("w:altName", w_val=alt))
        font.append(_el("w:charset", w_val=charset))
        font.append(_el("w:family", w_val=family))
        font.append(_el("w:pitch", w_val="variable"))
        fonts.append(font)
    data: bytes = etree.tostring(fonts, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data


def _setup_parts(doc: Document) -> None:
    """Own font table (no Japanese ＭＳ 明朝), drop Word 2010's stylesWithEffects and the stale thumbnail."""
    part = doc.part
    for rid, rel in list(part.rels.items()):
        if rel.reltype in (RT.FONT_TABLE, _STYLES_WITH_EFFECTS):
            part.drop_rel(rid)
    font_table = Part(PackURI("/word/fontTable.xml"), CT.WML_FONT_TABLE, _font_table_xml(), part.package)
    part.relate_to(font_table, RT.FONT_TABLE)
    package_rels = part.package.rels
    for rid, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            package_rels.pop(rid)


def _setup_core_properties(doc: Document) -> None:
    props = doc.core_properties
    props.author = AUTHOR
    props.last_modified_by = AUTHOR
    props.comments = ""
    props.language = "zh-CN"
    props.revision = 1
    props.created = FIXED_TIME
    props.modified = FIXED_TIME
    props.last_printed = FIXED_TIME


def setup_document(doc: Document) -> None:
    """Give a fresh python-docx document the GB/T 9704-2012 page, styles and page numbers."""
    _setup_page(doc)
    _setup_styles(doc)
    _setup_footers(doc)
    _setup_settings(doc)
    _setup_parts(doc)
    _setup_core_properties(doc)


def save_docx_deterministic(doc: Document, path: str | os.PathLike[str]) -> None:
    """Save so that the same document gives the same bytes (fixed zip times and entry order)."""
    buffer = io.BytesIO()
    doc.save(buffer)
    Path(path).write_bytes(normalize_zip(buffer.getvalue()))


# For the other look modules of scripts/ (report_table.py): the element and run-property builders.
element = _el
run_properties = _run_props
