"""Typing mistakes in a Word report template, each at its paragraph: full-width braces, near-tags (`{ 年度 }`,
`{{ 年度 }`), a `}}` without its opening, a `{{`/`{%` left open — in the parts as rendering sees them
(report.template_check) and in the document as typed (`left_open`: docxtpl joins a tag left open with the
paragraphs after it, so only the document itself shows where it is). Also the paragraph and place a finding
names (`Paragraph`, `problem`).
"""

from __future__ import annotations

import bisect
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from report_builder.findings import Finding
from report_builder.wordml import paragraph_texts

__all__ = ["Paragraph", "first_words", "left_open", "problem", "typing_problems"]


@dataclass(frozen=True)
class Paragraph:
    place: str  # "段落“二、主动公开情况…”", "表格 2 第 3 行第 1 格“…”", "页眉“…”"
    text: str
    removed: Mapping[str, str] = field(default_factory=dict)  # a `{%p %}` paragraph's tag on this line → its place


def problem(paragraph: Paragraph, file: str, tag: str, detail: str, code: str) -> Finding:
    """A finding at the paragraph; a tag of a `{%p …%}` paragraph (which docxtpl moves to the end of the
    paragraph before it) at that tag's own paragraph, written as its author typed it."""
    place = paragraph.removed.get(tag.strip())
    if place is not None:
        return Finding(code, file, sheet=place, value=place.split("“", 1)[1].rstrip("”"), detail=detail)
    return Finding(code, file, sheet=paragraph.place, value=tag.strip(), detail=detail)


def first_words(text: str, length: int = 20) -> str:
    text = " ".join(text.split())
    return text[:length] + ("…" if len(text) > length else "")


def left_open(template: Path | bytes, file: str) -> list[Finding]:
    """A `{{`/`{%` left open (or closed without opening) in a paragraph of the document as typed. Read from
    the document itself: docxtpl joins such a tag with the paragraphs after it, up to the next `}}`."""
    try:
        texts = paragraph_texts(template if isinstance(template, bytes) else Path(template).read_bytes())
    except (KeyError, OSError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return []
    return list(dict.fromkeys(f for text in texts
                              for f in pairing_problems(Paragraph(f"段落“{first_words(text)}”", text), file)))


# ---- typing mistakes (full-width braces, near-tags) ---------------------------------------------

_FULL_WIDTH = re.compile(r"[{｛][{｛%％][^{}｛｝]{0,60}?(?:[%％}｝][}｝]|$)|[{｛][^{}｛｝]{0,60}?[}｝]")
_SINGLE = re.compile(r"(?<![{%])\{(?![{%#])([^{}%]{1,40})\}(?![}])")
_TAGS = re.compile(r"{{|}}|{%|%}")
_HALF = str.maketrans("｛｝％", "{}%")
_BRACES = re.compile("[{}｛｝]")


def typing_problems(paragraph: Paragraph, file: str) -> Iterator[Finding]:
    text = paragraph.text
    if not _BRACES.search(text):  # every mistake below has a brace in it
        return
    for match in _FULL_WIDTH.finditer(text):
        written = match.group(0)
        if any(ch in written for ch in "｛｝％"):
            yield problem(paragraph, file, written,
                           f"标记用了全角符号，不会被替换，会原样印在报告里；应在英文输入法下写成 "
                           f"{written.translate(_HALF)}", "template-typing")
    inside = [m.span() for m in re.finditer(r"{{.*?}}|{%.*?%}", text)]  # a brace in a tag's text is the tag's
    starts = [start for start, _ in inside]
    for match in _SINGLE.finditer(text):
        at = bisect.bisect_left(starts, match.start()) - 1
        if at >= 0 and match.start() < inside[at][1]:
            continue
        inner = match.group(1).strip()
        yield problem(paragraph, file, match.group(0),
                       f"只有一层花括号，不会被替换；模板中的名称应写成 {{{{ {inner} }}}}", "template-typing")
    for match in re.finditer(r"{{{|}}}", text):
        yield problem(paragraph, file, text[max(match.start() - 20, 0):match.end()],
                       f"多出一个“{match.group(0)[0]}”：标记应写成 {{{{ 名称 }}}}，两边各两个花括号", "template-typing")
    yield from pairing_problems(paragraph, file)


def pairing_problems(paragraph: Paragraph, file: str) -> Iterator[Finding]:
    """A `}}`/`%}` without its opening, or a `{{`/`{%` left open, in one paragraph."""
    text = paragraph.text
    opened: str | None = None
    start = 0
    for match in _TAGS.finditer(text):
        token = match.group(0)
        if token in ("{{", "{%"):
            if opened is not None:
                break
            opened, start = token, match.start()
        elif opened is None or {"{{": "}}", "{%": "%}"}[opened] != token:
            if opened is not None:
                break
            yield problem(paragraph, file, text[max(match.start() - 20, 0):match.end()],
                           f"多出一个“{token}”，前面没有对应的开始符号", "template-typing")
            return
        else:
            opened = None
    if opened is not None:
        closing = "}}" if opened == "{{" else "%}"
        yield problem(paragraph, file, text[start:start + 30],
                       f"“{opened}”在本段中没有对应的“{closing}”：标记应写成 "
                       f"{'{{ 名称 }}' if opened == '{{' else '{% if 名称 %}'}，开始和结束符号都是两个字符",
                       "template-typing")
