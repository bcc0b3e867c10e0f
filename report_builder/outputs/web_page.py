"""The report as a web page and as plain text, made from the rendered .docx read back (wordml_blocks).

`report_html` writes one self-contained HTML5 file for a school's website (CMS): the paragraphs as
<h1>–<h6> (the Title style and the heading levels) and <p>, in the .docx's order and with its text; the
tables as <table> with header rows in <thead>, merged cells as colspan/rowspan; the external links that
are http(s) addresses as <a href>, any other link as its plain text. Styling is in style attributes only
(no <style>, no classes), so it survives being pasted into a site's editor; no scripts, no images, nothing
loaded from elsewhere, and a Content-Security-Policy that would forbid them anyway. Every text and
attribute is escaped; characters HTML forbids (C0/C1 controls, noncharacters) become U+FFFD.

`report_text` writes the plain-text version: one paragraph a line with a blank line between, a table
one row a line with its cells separated by tabs (a merged cell's other grid positions left empty), a
link whose text is not its address followed by the address in （）. UTF-8, "\\n" line ends.

Both are functions of the .docx bytes alone: the same report gives the same bytes.
"""

from __future__ import annotations

import html
import re

from report_builder.report.links import web_address
from report_builder.wordml_blocks import Block, Paragraph, Span, Table, TableCell, document_blocks

__all__ = ["HTML_SUFFIX", "TEXT_SUFFIX", "WEB_SUFFIXES", "block_html", "escape_text", "paragraph_tag", "report_html",
           "report_text", "web_files"]

HTML_SUFFIX = ".html"
TEXT_SUFFIX = ".txt"
WEB_SUFFIXES = (HTML_SUFFIX, TEXT_SUFFIX)  # what `build --html` adds to a version
TITLE_STYLE = "title"  # Word's built-in style names, compared in lower case
FALLBACK_TITLE = "信息公开工作年度报告"
MAX_TITLE = 200  # characters of the page's <title>

_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff]"
                        "|[\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
                        "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
                        "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
                        "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff]")
_URL_UNSAFE = re.compile(r'["<>\\^`{|}]')  # ASCII an href may not hold as is (web_address refused the rest)

# Inline styles: what a site's editor keeps. Sizes in em, so the site's own font and size still apply.
_PAGE = "margin:0 auto;max-width:48em;padding:1em;line-height:1.8;color:#000;background:#fff"
_HEADINGS = {
    1: "margin:0.3em 0;font-size:1.6em;font-weight:bold;line-height:1.4",
    2: "margin:0.8em 0 0.4em;font-size:1.2em;font-weight:bold;line-height:1.6",
    3: "margin:0.6em 0 0.3em;font-size:1.05em;font-weight:bold;line-height:1.6",
}
_PARAGRAPH = "margin:0 0 0.6em"
_CELL_PARAGRAPH = "margin:0"
_WRAPPER = "overflow-x:auto;margin:0.6em 0 1em"
_TABLE = "border-collapse:collapse;width:100%;font-size:0.9em;line-height:1.5"
_EM_PER_COLUMN, _MAX_TABLE_EM = 6, 40  # a phone scrolls a wide table in its box rather than squeeze its columns
_LINK = "word-break:break-all"  # a long address wraps inside its cell
_CELL = "border:1px solid #000;padding:0.3em 0.4em;vertical-align:middle"
_HEADER_CELL = _CELL + ";font-weight:bold;text-align:center;background:#f2f2f2"
_ALIGN = {"center": "center", "right": "right", "end": "right", "both": "justify", "distribute": "justify"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def web_files(docx: bytes) -> dict[str, bytes]:
    """The web page and the plain text of a rendered report, suffix → bytes (the .docx read once)."""
    blocks = document_blocks(docx)
    return {HTML_SUFFIX: _html(blocks), TEXT_SUFFIX: _text(blocks)}


def report_html(docx: bytes) -> bytes:
    """The report in `docx` (a rendered report, pre-checked or ours) as one self-contained HTML5 page."""
    return _html(document_blocks(docx))


def report_text(docx: bytes) -> bytes:
    """The report in `docx` as plain text (UTF-8)."""
    return _text(document_blocks(docx))


def _html(blocks: tuple[Block, ...]) -> bytes:
    body = "\n".join(block_html(block) for block in blocks)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{escape_text(_title(blocks))}</title>\n</head>\n"
            f'<body style="margin:0;background:#fff">\n<main style="{_PAGE}">\n{body}\n</main>\n</body>\n</html>\n'
            ).encode()


def _text(blocks: tuple[Block, ...]) -> bytes:
    return ("\n\n".join(_text_block(block) for block in blocks) + "\n").encode("utf-8")


def _title(blocks: tuple[Block, ...]) -> str:
    """The Title-style paragraphs that open the report, else its first non-empty paragraph."""
    paragraphs = [b for b in blocks if isinstance(b, Paragraph) and b.text.strip()]
    leading = []
    for paragraph in paragraphs:
        if paragraph.style.lower() != TITLE_STYLE:
            break
        leading.append(paragraph.text.strip())
    return ("".join(leading) or (paragraphs[0].text.strip() if paragraphs else FALLBACK_TITLE))[:MAX_TITLE]


def block_html(block: Block) -> str:
    """One block of the page: a paragraph as <h1>–<h6> or <p>, a table in its scrolling box."""
    if isinstance(block, Table):
        return f'<div style="{_WRAPPER}">{_table(block)}</div>'
    tag = paragraph_tag(block)
    base = _PARAGRAPH if tag == "p" else _HEADINGS.get(int(tag[1]), _HEADINGS[3])
    return f'<{tag} style="{base}{_layout(block)}">{_inline(block.spans)}</{tag}>'


def paragraph_tag(paragraph: Paragraph) -> str:
    """"h1" for the Title style, "h<n+2>" for heading level n (at most h6), else "p"."""
    if paragraph.style.lower() == TITLE_STYLE:
        return "h1"
    return "p" if paragraph.outline is None else f"h{min(paragraph.outline + 2, 6)}"


def _layout(paragraph: Paragraph) -> str:
    """The paragraph's alignment and first-line indent from the .docx, as style declarations."""
    return _align(paragraph) + (f";text-indent:{paragraph.indent:g}em" if paragraph.indent > 0 else "")


def _align(paragraph: Paragraph) -> str:
    return f";text-align:{_ALIGN[paragraph.align]}" if paragraph.align in _ALIGN else ""


def _inline(spans: tuple[Span, ...]) -> str:
    parts = []
    for span in spans:
        text = escape_text(span.text).replace("\n", "<br>")
        if span.bold:
            text = f"<strong>{text}</strong>"
        href = _href(span.link)
        parts.append(f'<a href="{href}" style="{_LINK}">{text}</a>' if href else text)
    return "".join(parts)


def _href(target: str) -> str:
    """An http(s) link target as an escaped href; "" for anything else (javascript:, file:, mailto:…)."""
    url = web_address(target) if target else None
    if url is None:
        return ""
    return escape_text(_URL_UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url))


def escape_text(text: str) -> str:
    """`text` escaped for HTML text or an attribute; characters HTML forbids become U+FFFD."""
    return html.escape(_FORBIDDEN.sub("\ufffd", text), quote=True)


def _table(table: Table) -> str:
    rows = table.rows
    head = 0
    while head < len(rows) and rows[head].header:
        head += 1
    if any(head < len(rows) and r + c.rows > head for r in range(head) for c in rows[r].cells if not c.merged):
        head = 0  # a merged cell would reach from the header rows into the body: one body, header cells kept
    total = sum(table.widths)
    cols = "".join(f'<col style="width:{w * 100 / total:.2f}%">' for w in table.widths) if total else ""
    columns = max([len(table.widths)] + [sum(c.columns for c in row.cells) for row in rows])
    wide = f";min-width:{min(_EM_PER_COLUMN * columns, _MAX_TABLE_EM)}em"
    parts = [f'<table style="{_TABLE}{wide}">', f"<colgroup>{cols}</colgroup>" if cols else ""]
    for start, end, group in ((0, head, "thead"), (head, len(rows), "tbody")):
        if end > start:
            parts.append(f"<{group}>" + "".join(
                "<tr>" + "".join(_cell(c, rows[r].header) for c in rows[r].cells if not c.merged) + "</tr>"
                for r in range(start, end)) + f"</{group}>")
    return "".join(parts) + "</table>"


def _cell(cell: TableCell, header: bool) -> str:
    tag = "th" if header else "td"
    spans = (f' colspan="{cell.columns}"' if cell.columns > 1 else "") + (
        f' rowspan="{cell.rows}"' if cell.rows > 1 else "")
    single = cell.blocks[0] if len(cell.blocks) == 1 and isinstance(cell.blocks[0], Paragraph) else None
    if single is not None:  # one paragraph: its text in the cell, aligned as it is (a cell has no indent)
        inner, align = _inline(single.spans), _align(single)
    else:
        inner, align = "".join(_table(b) if isinstance(b, Table) else
                               f'<p style="{_CELL_PARAGRAPH}{_layout(b)}">{_inline(b.spans)}</p>'
                               for b in cell.blocks), ""
    style = (_HEADER_CELL if header else _CELL) + align
    return f'<{tag}{spans} style="{style}">{inner}</{tag}>'


def _text_block(block: Block) -> str:
    if isinstance(block, Paragraph):
        return _plain(block.spans)
    lines = []
    for row in block.rows:
        fields: list[str] = []
        for cell in row.cells:
            text = "" if cell.merged else " ".join(_text_block(b) for b in cell.blocks)
            fields += [re.sub(r"\s+", " ", text).strip()] + [""] * (cell.columns - 1)
        lines.append("\t".join(fields).rstrip("\t"))
    return "\n".join(lines)


def _plain(spans: tuple[Span, ...]) -> str:
    out = []
    for span in spans:
        url = web_address(span.link) if span.link else None
        out.append(span.text if url is None or span.text.strip() == url else f"{span.text}（{url}）")
    return "".join(out)
