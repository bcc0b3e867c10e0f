"""Tables of the report (GB/T 9704 type area): table styles, fixed column grids, merged header cells.

Until the table helper of scripts/report_style.py lands (slice "eight"), the government format's
templates build their tables here. What every table gets, and why:
- its own paragraph styles "Table Text" (centred) and "Table Label" (left): 宋体 set for East-Asian text,
  五号 (10.5 pt, ≤ 4号 as the formats print), single line spacing and off the body's 28.95 pt line grid
  (w:snapToGrid 0), so a row is one text line high, not one body line;
- single 0.5 pt borders on every cell, the header rows repeated on each page (w:tblHeader), rows that do
  not break across pages (w:cantSplit), cells centred vertically;
- a fixed layout whose columns add up to at most the 156 mm type area (TYPE_AREA_WIDTH), indented by the
  cell margin so the left border sits on the margin (Word before 2013 and LibreOffice hang it out by
  the cell margin otherwise).
The look lives in the styles; a cell's text is one run (a Jinja tag must not be split).
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.document import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.xmlchemy import BaseOxmlElement
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

__all__ = ["CELL_MARGIN", "TABLE_FONT", "TABLE_LABEL", "TABLE_SIZE_PT", "TABLE_TEXT", "TYPE_AREA_WIDTH",
           "add_table", "fill", "keep_together", "merge", "mm", "setup_table_styles"]

TYPE_AREA_WIDTH = 8844  # twips: 156 mm (A4 210 mm − 28 mm − 26 mm), scripts/report_style.py
CELL_MARGIN = 57  # twips (1 mm) left and right of a cell's text
TABLE_FONT = "宋体"
TABLE_SIZE_PT = 10.5  # 五号
TABLE_TEXT, TABLE_LABEL = "Table Text", "Table Label"
BORDER = ("single", "4", "0", "000000")  # w:val, w:sz (eighths of a point: 0.5 pt), w:space, w:color


def mm(value: float) -> int:
    """Millimetres in twips."""
    return round(value * 1440 / 25.4)


def _el(tag: str, **attrs: str) -> BaseOxmlElement:
    el = OxmlElement(tag)
    for key, value in attrs.items():
        el.set(qn(key.replace("_", ":", 1)), value)
    return el


def _add_style(doc: Document, name: str, align: str) -> None:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = None
    el = style.element
    for tag in ("w:pPr", "w:rPr"):
        for old in el.findall(qn(tag)):
            el.remove(old)
    ppr = _el("w:pPr")
    for child in (_el("w:widowControl", w_val="0"), _el("w:snapToGrid", w_val="0"),
                  _el("w:spacing", w_before="0", w_after="0", w_line="240", w_lineRule="auto"),
                  _el("w:ind", w_left="0", w_right="0", w_firstLineChars="0", w_firstLine="0"),
                  _el("w:jc", w_val=align)):
        ppr.append(child)
    rpr = _el("w:rPr")
    half_points = str(round(TABLE_SIZE_PT * 2))
    for child in (_el("w:rFonts", w_ascii="Times New Roman", w_hAnsi="Times New Roman", w_eastAsia=TABLE_FONT,
                      w_cs="Times New Roman", w_hint="eastAsia"),
                  _el("w:sz", w_val=half_points), _el("w:szCs", w_val=half_points)):
        rpr.append(child)
    el.append(ppr)
    el.append(rpr)


def setup_table_styles(doc: Document) -> None:
    """Add the paragraph styles of table cells (call after report_style.setup_document)."""
    _add_style(doc, TABLE_TEXT, "center")
    _add_style(doc, TABLE_LABEL, "left")


def _borders() -> BaseOxmlElement:
    borders = _el("w:tblBorders")
    val, size, space, color = BORDER
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(_el(f"w:{side}", w_val=val, w_sz=size, w_space=space, w_color=color))
    return borders


def add_table(doc: Document, widths: Sequence[int], rows: int, header_rows: int) -> Table:
    """An empty bordered table of `rows` rows, columns `widths` (twips, adding up to ≤ the type area)."""
    if sum(widths) > TYPE_AREA_WIDTH:
        raise ValueError(f"table {sum(widths)} twips wide: the type area is {TYPE_AREA_WIDTH}")
    table = doc.add_table(rows=rows, cols=len(widths))
    tbl_pr = table._tbl.tblPr
    for old in list(tbl_pr):
        if old.tag in (qn("w:tblStyle"), qn("w:tblW"), qn("w:tblLook")):
            tbl_pr.remove(old)
    margins = _el("w:tblCellMar")
    margins.append(_el("w:left", w_w=str(CELL_MARGIN), w_type="dxa"))
    margins.append(_el("w:right", w_w=str(CELL_MARGIN), w_type="dxa"))
    for child in (_el("w:tblW", w_w=str(sum(widths)), w_type="dxa"), _el("w:jc", w_val="left"),
                  _el("w:tblInd", w_w=str(CELL_MARGIN), w_type="dxa"), _borders(),
                  _el("w:tblLayout", w_type="fixed"), margins):
        tbl_pr.append(child)
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(width))
    for index, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(_el("w:cantSplit"))
        if index < header_rows:
            tr_pr.append(_el("w:tblHeader"))
        for cell, width in zip(row.cells, widths, strict=True):
            tc_pr = cell._tc.get_or_add_tcPr()
            tc_pr.append(_el("w:tcW", w_w=str(width), w_type="dxa"))
            tc_pr.append(_el("w:vAlign", w_val="center"))
    return table


def fill(cell: _Cell, text: str, style: str = TABLE_TEXT) -> Paragraph:
    """Write `text` as the cell's one paragraph, one run."""
    paragraph = cell.paragraphs[0]
    paragraph.style = style
    paragraph.add_run(text)
    return paragraph


def merge(table: Table, top: int, left: int, bottom: int, right: int, text: str, style: str = TABLE_TEXT) -> None:
    """Merge the cells from (top, left) to (bottom, right) inclusive and write `text` in the result."""
    cell = table.cell(top, left).merge(table.cell(bottom, right))
    for extra in cell.paragraphs[1:]:  # merging keeps each cell's (empty) paragraph
        extra._element.getparent().remove(extra._element)
    fill(cell, text, style)


def keep_together(table: Table) -> None:
    """Keep a short table on one page: every row's paragraphs keep with the next row (w:keepNext)."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True
