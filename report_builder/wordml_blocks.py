"""The one WordprocessingML reader (report_builder.wordml), structured: a .docx body as blocks.

`document_blocks` reads the same paragraphs as `wordml.paragraph_texts`, in the same order, with what a
web page needs to show them: each paragraph's style name, heading level (w:outlineLvl), alignment and
first-line indent (its own, else its style's, through w:basedOn), its text in spans that carry the
target of the external hyperlink they lie in and whether they are bold; each table's rows, which are
header rows (w:tblHeader), and each cell's grid columns (w:gridSpan) and rows (w:vMerge) spanned.
`block_texts` flattens blocks back into `paragraph_texts`'s list (a test holds the two readers equal).

As in wordml, only the parsing happens here: call it on a pre-checked file, in a worker when untrusted.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Union

from lxml import etree

from report_builder.wordml import (
    _CELL_REMOVED,
    _NOT_TEXT,
    _REL_ID,
    _REMOVED,
    _ROW_REMOVED,
    Mode,
    W,
    _external_targets,
    _flat,
    _mark_removed,
    main_part,
    parse_part,
)

__all__ = ["Block", "Paragraph", "Span", "Table", "TableCell", "TableRow", "block_texts", "document_blocks"]

MAX_SPAN = 63  # grid columns a cell may claim (w:gridSpan): Word's tables have at most 63 columns
_STYLE_DEPTH = 20  # w:basedOn links followed (a loop ends here)


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a paragraph's text; `link` is the target of the external hyperlink it lies in, or ""."""

    text: str
    link: str = ""
    bold: bool = False


@dataclass(frozen=True, slots=True)
class Paragraph:
    spans: tuple[Span, ...]
    style: str = ""  # the style's name (w:name: "Title", "heading 1", "表头（五号）"); "" without a style
    outline: int | None = None  # heading level from 0 (w:outlineLvl 0–8); None for body text
    align: str = ""  # w:jc: "center", "right", "both"…; "" when neither the paragraph nor its style says
    indent: float = 0.0  # first-line indent in characters (w:firstLineChars / 100)

    @property
    def text(self) -> str:
        return "".join(span.text for span in self.spans)


@dataclass(frozen=True, slots=True)
class TableCell:
    blocks: tuple[Block, ...]
    columns: int = 1  # grid columns spanned (w:gridSpan)
    rows: int = 1  # rows spanned: a w:vMerge restart and the continuations below it
    merged: bool = False  # a continuation of the cell above (w:vMerge): shown by that cell, not itself


@dataclass(frozen=True, slots=True)
class TableRow:
    cells: tuple[TableCell, ...]
    header: bool = False  # repeated at the top of each page (w:tblHeader)


@dataclass(frozen=True, slots=True)
class Table:
    rows: tuple[TableRow, ...]
    widths: tuple[int, ...] = ()  # the grid's column widths (w:gridCol, twentieths of a point)


Block = Union[Paragraph, Table]  # noqa: UP007 - a runtime alias of two classes defined above


def document_blocks(source: Path | bytes, mode: Mode = "accept") -> tuple[Block, ...]:
    """The blocks of a .docx body (paragraphs and tables, as the module docstring says)."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        name = main_part(package)
        root = parse_part(package.read(name))
        external = _external_targets(package, name)
        try:
            styles = _Styles(parse_part(package.read("word/styles.xml")))
        except KeyError:
            styles = _Styles(None)
    body = root.find(W + "body")
    return () if body is None else _Reader(mode, external, styles).blocks(body)


def block_texts(blocks: tuple[Block, ...]) -> list[str]:
    """The paragraph texts of `blocks` as wordml.paragraph_texts lists them (an empty cell is one "")."""
    out: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
            continue
        for row in block.rows:
            for cell in row.cells:
                out.extend(block_texts(cell.blocks) or [""])
    return out


_PROPERTIES = (("outlineLvl", "val"), ("jc", "val"), ("ind", "firstLineChars"))  # what a paragraph takes


class _Styles:
    """Paragraph properties (_PROPERTIES) through the style chain: the paragraph's own, else its style's (or the
    default style's), through w:basedOn; each style's worked out once."""

    def __init__(self, root: etree._Element | None) -> None:
        self.by_id: dict[str, etree._Element] = {}
        self.default = ""
        self.known: dict[str, tuple[str, tuple[str | None, ...]]] = {}
        for style in root.iter(W + "style") if root is not None else ():
            if style.get(W + "type") != "paragraph":
                continue
            style_id = style.get(W + "styleId") or ""
            self.by_id.setdefault(style_id, style)
            if style.get(W + "default") in ("1", "true", "on") and not self.default:
                self.default = style_id

    def of(self, paragraph: etree._Element) -> tuple[str, tuple[str | None, ...]]:
        """The paragraph's style name and its _PROPERTIES (None where neither it nor its styles say)."""
        own = paragraph.find(W + "pPr")
        found = None if own is None else own.find(W + "pStyle")
        name, inherited = self.style(self.default if found is None else found.get(W + "val") or "")
        if own is None:
            return name, inherited
        return name, tuple(_value(own, prop) or value for prop, value in zip(_PROPERTIES, inherited, strict=True))

    def style(self, style_id: str) -> tuple[str, tuple[str | None, ...]]:
        if style_id not in self.known:
            style = self.by_id.get(style_id)
            named = None if style is None else style.find(W + "name")
            values: list[str | None] = [None] * len(_PROPERTIES)
            for _ in range(_STYLE_DEPTH):
                if style is None:
                    break
                ppr = style.find(W + "pPr")
                values = [v or (None if ppr is None else _value(ppr, p)) for v, p in zip(values, _PROPERTIES,
                                                                                         strict=True)]
                based = style.find(W + "basedOn")
                style = None if based is None else self.by_id.get(based.get(W + "val") or "")
            self.known[style_id] = ("" if named is None else named.get(W + "val") or "", tuple(values))
        return self.known[style_id]


def _value(ppr: etree._Element, prop: tuple[str, str]) -> str | None:
    element = ppr.find(W + prop[0])
    return None if element is None else element.get(W + prop[1])


class _Reader:
    def __init__(self, mode: Mode, external: dict[str, str], styles: _Styles) -> None:
        self.mode = mode
        self.removed = _REMOVED[mode]
        self.external = external
        self.styles = styles

    def blocks(self, container: etree._Element) -> tuple[Block, ...]:
        """The paragraphs and tables of a body or cell; a removed paragraph mark joins the next (as wordml)."""
        out: list[Block] = []
        pending: Paragraph | None = None
        for child in _flat(container):
            if child.tag == W + "p":
                paragraph = self.paragraph(child)
                if pending is not None:
                    paragraph = replace(paragraph, spans=pending.spans + paragraph.spans)
                pending = paragraph if _mark_removed(child, self.mode) else None
                if pending is None:
                    out.append(paragraph)
            elif child.tag == W + "tbl":
                if pending is not None and pending.text:
                    out.append(pending)
                pending = None
                out.append(self.table(child))
        if pending is not None and pending.text:
            out.append(pending)
        return tuple(out)

    def paragraph(self, element: etree._Element) -> Paragraph:
        spans: list[Span] = []
        self.spans(element, "", False, spans)
        name, (outline, align, indent) = self.styles.of(element)
        level, chars = _number(outline), _number(indent)
        return Paragraph(tuple(spans), name, level if level is not None and level < 9 else None, align or "",
                         max(0, chars or 0) / 100)

    def spans(self, element: etree._Element, link: str, bold: bool, out: list[Span]) -> None:
        """The text of `element` as wordml._inline_text reads it, cut where the link or boldness changes."""
        for child in element:
            tag = child.tag
            if not isinstance(tag, str) or not tag.startswith(W) or tag in self.removed or tag in _NOT_TEXT:
                continue
            text = None
            if tag in (W + "t", W + "delText"):
                text = child.text or ""
            elif tag in (W + "tab", W + "ptab"):
                text = "\t"
            elif tag == W + "br":
                text = "" if child.get(W + "type") in ("page", "column") else "\n"
            elif tag == W + "cr":
                text = "\n"
            elif tag == W + "noBreakHyphen":
                text = "-"
            elif tag == W + "hyperlink":
                self.spans(child, self.external.get(child.get(_REL_ID) or "", "") or link, bold, out)
            elif tag == W + "r":
                flag = child.find(f"{W}rPr/{W}b")
                self.spans(child, link, bold if flag is None else _bold(flag), out)
            else:
                self.spans(child, link, bold, out)
            if text:
                if out and out[-1].link == link and out[-1].bold == bold:
                    out[-1] = Span(out[-1].text + text, link, bold)
                else:
                    out.append(Span(text, link, bold))

    def table(self, element: etree._Element) -> Table:
        rows: list[list[TableCell]] = []
        headers: list[bool] = []
        origins: dict[tuple[int, int], tuple[int, int]] = {}  # (column, width) of an open merge → its cell
        for row in _flat(element):
            if row.tag != W + "tr" or row.find(f"{W}trPr/{_ROW_REMOVED[self.mode]}") is not None:
                continue
            column = _number(_get(row.find(f"{W}trPr/{W}gridBefore"))) or 0
            cells: list[TableCell] = []
            for cell in _flat(row):
                if cell.tag != W + "tc" or cell.find(f"{W}tcPr/{_CELL_REMOVED[self.mode]}") is not None:
                    continue
                span = min(max(_number(_get(cell.find(f"{W}tcPr/{W}gridSpan"))) or 1, 1), MAX_SPAN)
                merge = cell.find(f"{W}tcPr/{W}vMerge")
                kind = None if merge is None else merge.get(W + "val") or "continue"
                origin = origins.get((column, span)) if kind == "continue" else None
                if origin is not None:  # a continuation of the cell above: that cell grows by a row
                    r, c = origin
                    rows[r][c] = replace(rows[r][c], rows=rows[r][c].rows + 1)
                else:  # any other cell ends the merges it stands over; a restart opens one
                    for key in [k for k in origins if column <= k[0] < column + span]:
                        del origins[key]
                    if kind == "restart":
                        origins[column, span] = (len(rows), len(cells))
                cells.append(TableCell(self.blocks(cell), span, 1, origin is not None))
                column += span
            rows.append(cells)
            header = row.find(f"{W}trPr/{W}tblHeader")
            headers.append(header is not None and (_get(header) or "true") not in ("0", "false", "off"))
        widths = tuple(max(0, _number(g.get(W + "w")) or 0) for g in element.findall(f"{W}tblGrid/{W}gridCol"))
        return Table(tuple(TableRow(tuple(cells), header) for cells, header in zip(rows, headers, strict=True)),
                     widths)


def _get(element: etree._Element | None) -> str | None:
    return None if element is None else element.get(W + "val")


def _bold(element: etree._Element) -> bool:
    return (element.get(W + "val") or "true") not in ("0", "false", "off")


def _number(text: str | None) -> int | None:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None
