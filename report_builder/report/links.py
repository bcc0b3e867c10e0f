"""Column links of the 清单 as Word hyperlinks: `{{r c.栏目链接 }}` in a template.

A department types a 公开栏目链接 as free text. Only an http(s) address with a host becomes a real
hyperlink (w:hyperlink pointing at an external relationship); anything else (`javascript:…`,
`file:…`, a note such as "见学校主页") is printed as the plain text it is. The text is escaped and
cleaned of characters XML cannot hold; the relationship is made only when the link is printed, in
the part that prints it, so a template that prints no link gets no relationship and the output
stays byte-identical.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from markupsafe import Markup

__all__ = ["HYPERLINK_STYLE", "LINK_FIELD", "Link", "as_paragraph", "as_run", "web_address", "with_links"]

LINK_FIELD = "栏目链接"  # the 清单 field printed as a link (公开栏目链接 is the same text, as text)
HYPERLINK_STYLE = "Hyperlink"  # Word's character style for links; a template without it shows plain text
MAX_URL = 2000

Relate = Callable[[str], str]  # an external URL → the relationship id of the part being rendered


def web_address(text: str) -> str | None:
    """`text` as an http(s) URL with a host, or None (other schemes, spaces, control characters)."""
    url = text.strip()
    if not url or len(url) > MAX_URL or any(ch.isspace() or ord(ch) < 32 or ch == "\x7f" for ch in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1" (an unclosed IPv6 bracket)
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


class Link:
    """One column link; prints as Word runs, so a template writes it `{{r c.栏目链接 }}`.

    `str(link)` (and `link | string`) is its text; it is true when there is text.
    """

    __slots__ = ("_relate", "text")

    def __init__(self, text: str, relate: Relate | None) -> None:
        self.text = text
        self._relate = relate

    def __html__(self) -> str:
        run = (f'<w:r><w:rPr><w:rStyle w:val="{HYPERLINK_STYLE}"/></w:rPr>'
               f'<w:t xml:space="preserve">{escape(self.text)}</w:t></w:r>')
        url = web_address(self.text)
        if url is None or self._relate is None:
            return f'<w:r><w:t xml:space="preserve">{escape(self.text)}</w:t></w:r>'
        return f'<w:hyperlink r:id="{escape(self._relate(url))}">{run}</w:hyperlink>'

    def __str__(self) -> str:
        return self.text

    def __bool__(self) -> bool:
        return bool(self.text)


def as_run(value: object) -> object:
    """What `{{r … }}` prints: a Link as its runs, anything else as one run of its text (escaped). docxtpl puts
    an `r` tag's output where the run was: plain text there would stand outside any run (invalid Word XML)."""
    if isinstance(value, Link):
        return value
    return Markup(f'<w:r><w:t xml:space="preserve">{escape(str(value))}</w:t></w:r>')


def as_paragraph(value: object) -> object:
    """What `{{p … }}` prints: a paragraph holding `as_run(value)` (docxtpl puts it where the paragraph was)."""
    run = as_run(value)
    return Markup(f"<w:p>{run.__html__() if isinstance(run, Link) else run}</w:p>")


def with_links(rows: Iterable[Mapping[str, Any]], relate: Relate | None) -> list[dict[str, Any]]:
    """清单 rows (already cleaned) with their `栏目链接` text made a Link."""
    return [{**row, LINK_FIELD: Link(str(row.get(LINK_FIELD, "")), relate)} for row in rows]
