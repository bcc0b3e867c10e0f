"""Showing untrusted text safely: file names, sheet names and cell values on a terminal or in JSON.

A department's text can hold terminal escape sequences (ESC]0;… sets the window title, ESC[2J
clears the screen), bidi controls that reverse the text around them, or 100,000 characters.
`escape` shows every control and format character visibly ("\\x1b" → "␛", U+202E → "<U+202E>");
`clip` bounds a value and says how long it was; `escape_json` keeps JSON lossless but plain.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clip", "escape", "escape_json", "shown"]

# Not printable for str.isprintable() but harmless on a terminal: spaces (U+3000 in Chinese text),
# private-use and unassigned characters.
_HARMLESS = frozenset({"Zs", "Co", "Cn"})
_NOT_PLAIN = re.compile(r"[^\x20-\x7e\n\u4e00-\u9fff]")  # candidates; most text is ASCII or common CJK


def escape(text: str, keep: str = "") -> str:
    """`text` with every control, format, separator or surrogate character shown visibly (except `keep`)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch in keep or unicodedata.category(ch) in _HARMLESS else _visible(ch)
                   for ch in text)


def _visible(ch: str) -> str:
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ … ␟ (␛ for ESC, ␊ for a line feed)
    if code == 0x7F:
        return "␡"
    return f"<U+{code:04X}>"


def clip(text: str, limit: int) -> str:
    """At most `limit` characters of `text`; a longer text ends with "…（共 N 字）"."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 字）"


def shown(text: str, limit: int) -> str:
    """Clip, then escape: one line of `text` as it may appear on a terminal."""
    return escape(clip(text, limit))


def escape_json(dumped: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with DEL, C1, bidi and format characters
    written as \\uXXXX (json already escapes C0): still valid JSON, same data, nothing a terminal obeys."""
    return _NOT_PLAIN.sub(lambda m: _json_escaped(m.group()), dumped)


def _json_escaped(ch: str) -> str:
    if ch.isprintable() or unicodedata.category(ch) in _HARMLESS:
        return ch
    code = ord(ch)
    if code > 0xFFFF:  # JSON spells these as a surrogate pair
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"
