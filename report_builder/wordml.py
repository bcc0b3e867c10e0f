"""The one WordprocessingML reader: the paragraph texts of a .docx, in reading order.

Which paragraphs count (decided here, once): the paragraphs of the document body, and of every
table cell (nested tables too) where the table stands, row by row, cell by cell; an empty cell
counts as one empty paragraph. Content controls and custom XML wrappers are looked through.
Headers, footers, footnotes, comments, text boxes and drawings do not count, nor do field codes.
A tab is "\\t", a line break "\\n" (a page or column break is nothing).

`tables` reads the tables of the body (nested ones after their parent) as rows of cells, each cell
with its text and the targets of its external hyperlinks (w:hyperlink whose relationship is External).

Tracked changes are read either way: `accept` (the document as it reads once every change is
accepted) or `reject` (as it read before). A deleted paragraph mark joins the paragraph to the next.

Only the parsing happens here; call it on a pre-checked file (intake.document_safety), in a worker
process when the file is untrusted (compare.redline does both). Errors of the zip or of the XML
are raised as they come (zipfile.BadZipFile, KeyError, lxml.etree.XMLSyntaxError).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from lxml import etree

__all__ = ["MAIN_PART", "NS", "W", "Cell", "Mode", "body_paragraphs", "main_part", "paragraph_texts", "parse_part",
           "read_document", "tables", "top_paragraphs"]

NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = "{" + NS + "}"  # Clark notation prefix: W + "p" is a paragraph
MAIN_PART = "word/document.xml"
Mode = Literal["accept", "reject"]

_OFFICE_DOCUMENT = "/officeDocument"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_REMOVED = {"accept": frozenset({W + "del", W + "moveFrom"}), "reject": frozenset({W + "ins", W + "moveTo"})}
_ROW_REMOVED = {"accept": W + "del", "reject": W + "ins"}
_CELL_REMOVED = {"accept": W + "cellDel", "reject": W + "cellIns"}
_WRAPPERS = frozenset({W + "sdt", W + "sdtContent", W + "customXml", W + "smartTag"})
_NOT_TEXT = frozenset(W + n for n in ("pPr", "rPr", "drawing", "pict", "object", "instrText", "delInstrText"))


def paragraph_texts(source: Path | bytes, mode: Mode = "accept") -> list[str]:
    """The paragraph texts of a .docx file (or of its bytes), changes accepted or rejected."""
    return read_document(source, mode, with_tables=False)[0]


def read_document(source: Path | bytes, mode: Mode = "accept", *, with_tables: bool = True,
                  ) -> tuple[list[str], list[list[list[Cell]]]]:
    """A .docx body's paragraph texts and (with `with_tables`) its tables, the package read and parsed once."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        name = main_part(package)
        root = parse_part(package.read(name))
        external = _external_targets(package, name) if with_tables else {}
    body = root.find(W + "body")
    if body is None:
        return [], []
    found = [_table_rows(t, mode, external) for t in body.iter(W + "tbl")] if with_tables else []
    return body_paragraphs(body, mode), found


def top_paragraphs(source: Path | bytes, mode: Mode = "accept") -> list[str]:
    """The texts of the paragraphs standing in the body itself (not in a table), in order."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        root = parse_part(package.read(main_part(package)))
    body = root.find(W + "body")
    return [_inline_text(p, _REMOVED[mode]) for p in ([] if body is None else _flat(body)) if p.tag == W + "p"]


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: its text (paragraphs joined by "\\n") and its external hyperlinks' targets."""

    text: str
    links: tuple[str, ...] = ()


def tables(source: Path | bytes, mode: Mode = "accept") -> list[list[list[Cell]]]:
    """The tables of a .docx body, in document order: each a list of rows, each row a list of cells.

    Rows and cells removed by tracked changes (as `mode` reads them) are left out, as paragraph_texts does.
    """
    return read_document(source, mode)[1]


def _external_targets(package: zipfile.ZipFile, part: str) -> dict[str, str]:
    """Relationship id → target of the part's external relationships (hyperlinks among them)."""
    folder, _, base = part.rpartition("/")
    try:
        rels = parse_part(package.read(f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"))
    except KeyError:
        return {}
    return {rel.get("Id") or "": rel.get("Target") or "" for rel in rels.iter(_REL)
            if rel.get("TargetMode") == "External"}


def _table_rows(table: etree._Element, mode: Mode, external: dict[str, str]) -> list[list[Cell]]:
    rows = []
    for row in _flat(table):
        if row.tag != W + "tr" or row.find(f"{W}trPr/{_ROW_REMOVED[mode]}") is not None:
            continue
        cells = []
        for cell in _flat(row):
            if cell.tag != W + "tc" or cell.find(f"{W}tcPr/{_CELL_REMOVED[mode]}") is not None:
                continue
            texts: list[str] = []
            _read_blocks(cell, mode, texts)
            links = (external.get(link.get(_REL_ID) or "", "") for link in cell.iter(W + "hyperlink")
                     if not _removed_inside(link, cell, mode))
            cells.append(Cell("\n".join(texts), tuple(t for t in links if t)))
        rows.append(cells)
    return rows


def _removed_inside(element: etree._Element, stop: etree._Element, mode: Mode) -> bool:
    """Whether `element` lies inside a change that `mode` removes, below `stop` (its cell)."""
    for ancestor in element.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in _REMOVED[mode]:
            return True
    return False


def parse_part(xml: bytes) -> etree._Element:
    """An XML part parsed as python-docx does (blank text dropped), entities never resolved."""
    parser = etree.XMLParser(remove_blank_text=True, resolve_entities=False, no_network=True)
    return etree.fromstring(xml, parser)


def main_part(package: zipfile.ZipFile) -> str:
    """The name of the main document part, from the package relationships (word/document.xml as a rule)."""
    try:
        rels = parse_part(package.read("_rels/.rels"))
    except KeyError:
        return MAIN_PART
    for rel in rels.iter(_REL):
        if (rel.get("Type") or "").endswith(_OFFICE_DOCUMENT) and rel.get("TargetMode") != "External":
            return (rel.get("Target") or MAIN_PART).lstrip("/")
    return MAIN_PART


def body_paragraphs(container: etree._Element, mode: Mode = "accept") -> list[str]:
    """The paragraph texts of a w:body (or a w:tc), as the module docstring says."""
    out: list[str] = []
    _read_blocks(container, mode, out)
    return out


def _flat(parent: etree._Element) -> Iterator[etree._Element]:
    """Children of `parent`, looking through content controls and custom XML wrappers."""
    for child in parent:
        if child.tag in _WRAPPERS:
            yield from _flat(child)
        else:
            yield child


def _read_blocks(container: etree._Element, mode: Mode, out: list[str]) -> None:
    """Append the paragraphs of a body or cell; a removed paragraph mark joins the next one."""
    pending: str | None = None
    for child in _flat(container):
        if child.tag == W + "p":
            text = (pending or "") + _inline_text(child, _REMOVED[mode])
            pending = text if _mark_removed(child, mode) else None
            if pending is None:
                out.append(text)
        elif child.tag == W + "tbl":
            if pending:
                out.append(pending)
            pending = None
            _read_table(child, mode, out)
    if pending:
        out.append(pending)


def _mark_removed(paragraph: etree._Element, mode: Mode) -> bool:
    marks = paragraph.find(f"{W}pPr/{W}rPr")
    return marks is not None and any(m.tag in _REMOVED[mode] for m in marks)


def _read_table(table: etree._Element, mode: Mode, out: list[str]) -> None:
    for row in _flat(table):
        if row.tag != W + "tr" or row.find(f"{W}trPr/{_ROW_REMOVED[mode]}") is not None:
            continue
        for cell in _flat(row):
            if cell.tag != W + "tc" or cell.find(f"{W}tcPr/{_CELL_REMOVED[mode]}") is not None:
                continue
            cell_texts: list[str] = []
            _read_blocks(cell, mode, cell_texts)
            out.extend(cell_texts or [""])


def _inline_text(element: etree._Element, removed: frozenset[str]) -> str:
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or not tag.startswith(W) or tag in removed or tag in _NOT_TEXT:
            continue
        if tag in (W + "t", W + "delText"):
            parts.append(child.text or "")
        elif tag in (W + "tab", W + "ptab"):
            parts.append("\t")
        elif tag == W + "br":
            parts.append("" if child.get(W + "type") in ("page", "column") else "\n")
        elif tag == W + "cr":
            parts.append("\n")
        elif tag == W + "noBreakHyphen":
            parts.append("-")
        else:
            parts.append(_inline_text(child, removed))
    return "".join(parts)
