"""Tables of the report (GB/T 9704-2012 look): `add_table(doc, header_rows, widths_mm, font_pt)`.

A report table is bordered (0.5 pt single lines), centred, as wide as its columns and never wider
than the type area (156 mm), with a fixed layout; its header rows repeat on each page and never
break. Its text is in two paragraph styles per size, made on first use:
"表格文字（五号）" (仿宋_GB2312) and "表头（五号）" (黑体, centred), each with an exact line height of
1.3 × the size and off the document's line grid, so the body's 28.95 pt pitch never reaches a table.
East-Asian and Latin fonts are set explicitly (python-docx's `font.name` sets only the Latin ones).
`add_hyperlink_style(doc)` adds Word's "Hyperlink" character style (underlined), used by the 清单
table's `{{r c.栏目链接 }}`. Sizes and why: docs/typography.md.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table, _Row
from docx.text.paragraph import Paragraph
from report_style import LATIN_FONT, MARGIN_LEFT, MARGIN_RIGHT, PAGE_WIDTH, element, run_properties

__all__ = ["SIZE_NAMES", "TEXT_WIDTH", "add_hyperlink_style", "add_table", "mm_to_twips", "table_style_names"]

TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 8845 twips = 156 mm, the type area's width
SIZE_NAMES = {14.0: "四号", 12.0: "小四", 10.5: "五号", 9.0: "小五"}  # table text: 4号 or smaller
TABLE_FONT, HEADER_FONT = "仿宋_GB2312", "黑体"
LINE_FACTOR = 1.3  # exact line height / font size: CJK glyphs fit, rows stay tight
BORDER = "4"  # eighths of a point: 0.5 pt
CELL_MARGIN_SIDE, CELL_MARGIN_TOP = 85, 28  # twips: 1.5 mm left and right, 0.5 mm above and below


def mm_to_twips(mm: float) -> int:
    return round(mm * 1440 / 25.4)


def table_style_names(font_pt: float) -> tuple[str, str]:
    """("表格文字（五号）", "表头（五号）"): the body and header paragraph styles of a table in `font_pt`."""
    size = SIZE_NAMES.get(float(font_pt))
    if size is None:
        raise ValueError(f"table text must be one of {sorted(SIZE_NAMES)} pt (4号 or smaller), not {font_pt}")
    return f"表格文字（{size}）", f"表头（{size}）"


def _paragraph_style(doc: Document, name: str, east_asian: str, font_pt: float, align: str) -> None:
    if name in [s.name for s in doc.styles]:
        return
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    el = style.element
    for old in el.findall(qn("w:pPr")) + el.findall(qn("w:rPr")):
        el.remove(old)
    ppr = element("w:pPr")
    for child in (
        element("w:widowControl", w_val="0"),
        element("w:overflowPunct", w_val="1"),  # see report_style: LibreOffice would drop hanging "，"
        element("w:snapToGrid", w_val="0"),  # off the body's 28.95 pt line grid
        element("w:spacing", w_before="0", w_after="0", w_line=str(round(font_pt * LINE_FACTOR * 20)),
                w_lineRule="exact"),
        element("w:ind", w_left="0", w_right="0", w_firstLineChars="0", w_firstLine="0"),
        element("w:jc", w_val=align),
    ):
        ppr.append(child)
    el.append(ppr)
    el.append(run_properties(east_asian, LATIN_FONT, font_pt))


def add_hyperlink_style(doc: Document) -> None:
    """Word's "Hyperlink" character style: underlined, in the text's colour (a printed 公文 is black)."""
    if "Hyperlink" in [s.name for s in doc.styles]:
        return
    style = doc.styles.add_style("Hyperlink", WD_STYLE_TYPE.CHARACTER)
    rpr = element("w:rPr")
    rpr.append(element("w:u", w_val="single"))
    style.element.append(rpr)


def _table_props(table: Table, widths: Sequence[int]) -> None:
    tbl_pr = table._tbl.tblPr
    for child in list(tbl_pr):
        if child.tag != qn("w:tblStyle"):
            tbl_pr.remove(child)
    borders = element("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element(f"w:{side}", w_val="single", w_sz=BORDER, w_space="0", w_color="auto"))
    margins = element("w:tblCellMar")
    for side, width in (("top", CELL_MARGIN_TOP), ("left", CELL_MARGIN_SIDE),
                        ("bottom", CELL_MARGIN_TOP), ("right", CELL_MARGIN_SIDE)):
        margins.append(element(f"w:{side}", w_w=str(width), w_type="dxa"))
    for child in (element("w:tblW", w_w=str(sum(widths)), w_type="dxa"), element("w:jc", w_val="center"),
                  borders, element("w:tblLayout", w_type="fixed"), margins,
                  element("w:tblLook", w_val="04A0", w_firstRow="1", w_lastRow="0", w_firstColumn="0",
                          w_lastColumn="0", w_noHBand="0", w_noVBand="1")):
        tbl_pr.append(child)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))


def _row_props(row: _Row, *, header: bool) -> None:
    """A header row repeats on each page and never breaks. Body rows may break across pages: with
    w:cantSplit on them, LibreOffice 7.4 moves a table with a repeated header to the next page even
    when its header and first row fit (docs/typography.md)."""
    if header:
        tr_pr: BaseOxmlElement = row._tr.get_or_add_trPr()
        tr_pr.append(element("w:cantSplit"))
        tr_pr.append(element("w:tblHeader"))


def _fill(row: _Row, texts: Sequence[str], widths: Sequence[int], style: str, centred: Sequence[bool]) -> None:
    for cell, text, width, centre in zip(row.cells, texts, widths, centred, strict=True):
        tc_pr = cell._tc.get_or_add_tcPr()
        for old in tc_pr.findall(qn("w:tcW")):
            tc_pr.remove(old)
        tc_pr.insert(0, element("w:tcW", w_w=str(width), w_type="dxa"))
        tc_pr.append(element("w:vAlign", w_val="center"))
        paragraph: Paragraph = cell.paragraphs[0]
        paragraph.style = style
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if text:
            paragraph.add_run(text)


def add_table(doc: Document, header_rows: Sequence[Sequence[str]], widths_mm: Sequence[float], font_pt: float,
              *, body_rows: Sequence[Sequence[str]] = (), centred: Sequence[bool] | None = None) -> Table:
    """A report table at the end of `doc`: `header_rows` (repeated on each page, 黑体, centred), then
    `body_rows` (仿宋_GB2312; a column is centred where `centred` says so, e.g. numbers), columns
    `widths_mm` wide (their sum at most 156 mm), text in `font_pt` (one of SIZE_NAMES). Cells can be
    merged afterwards (`table.cell(0, 0).merge(table.cell(1, 0))`). Raises ValueError when too wide."""
    widths = [mm_to_twips(mm) for mm in widths_mm]
    if sum(widths) > TEXT_WIDTH:
        raise ValueError(f"table is {sum(widths_mm)} mm wide; the type area is 156 mm")
    centred = list(centred) if centred is not None else [False] * len(widths)
    body_style, header_style = table_style_names(font_pt)
    _paragraph_style(doc, body_style, TABLE_FONT, font_pt, "both")
    _paragraph_style(doc, header_style, HEADER_FONT, font_pt, "center")
    table = doc.add_table(rows=len(header_rows) + len(body_rows), cols=len(widths))
    _table_props(table, widths)
    for i, texts in enumerate(header_rows):
        _row_props(table.rows[i], header=True)
        _fill(table.rows[i], texts, widths, header_style, [False] * len(widths))
    for i, texts in enumerate(body_rows, start=len(header_rows)):
        _fill(table.rows[i], texts, widths, body_style, centred)
    return table
