"""The parts a report must have, and whether the rendered report has them.

- **Declared by a template** (本校格式, report_builder.formats): every paragraph of the template's body (not
  in a table) that opens with a Chinese ordinal and 、 (`一、概述` … `十二、…`), at most MAX_HEADING
  characters, holding no `{% %}` block and not ending a sentence, is a required part, in order
  (`declared_parts`). Its ordinals run 一、二、三… (`numbering_findings`).
- **Found in the report** (`part_findings`): each required part is a paragraph of the rendered report, after
  the previous one. Spaces, full/half width and the marks of IGNORED do not count; `{{ 自称 }}` is the
  school's 自称, which may also stand where a part says 学校/学院/大学/本校; any other tag of a declared
  heading stands for any text. A bundled part also accepts the wordings of `formats.PART_VARIANTS`.

Call `declared_parts` only on a pre-checked template (intake.document_safety): it parses the package.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Sequence

from lxml import etree

from report_builder.findings import Finding
from report_builder.formats import PART_VARIANTS
from report_builder.wordml import top_paragraphs

__all__ = ["MAX_HEADING", "SELF_NOUNS", "declared_parts", "numbering_findings", "ordinal", "part_findings", "plain"]

SELF_NOUNS = ("学校", "学院", "大学", "本校")  # a part's words the school's 自称 may replace
MAX_HEADING = 60  # characters of a part's heading in a template
NUMERALS = "一二三四五六七八九"
_HEADING = re.compile(r"\s*([一二三四五六七八九十]{1,3})\s*、")
_TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)
_SELF_TAG = re.compile(r"{{\s*自称\s*}}")
IGNORED = "：:《》“”\"‘’'（）()·"
_FOLD = str.maketrans({**{ch: None for ch in IGNORED}, "，": "、", ",": "、"})


def plain(text: str) -> str:
    """`text` as parts are compared: full width folded (NFKC), spaces and the marks of IGNORED removed."""
    return "".join(unicodedata.normalize("NFKC", text).split()).translate(_FOLD)


def ordinal(heading: str) -> int:
    """The number of a heading's Chinese ordinal (一、 → 1, 十二、 → 12); 0 when it has none."""
    match = _HEADING.match(heading)
    if match is None:
        return 0
    tens, _, units = match.group(1).rpartition("十")
    if "十" not in match.group(1):
        return NUMERALS.index(units) + 1 if len(units) == 1 else 0
    if len(tens) > 1 or len(units) > 1 or (tens and tens not in NUMERALS):
        return 0
    return (NUMERALS.index(tens) + 1 if tens else 1) * 10 + (NUMERALS.index(units) + 1 if units else 0)


def is_heading(text: str) -> bool:
    """Whether a template paragraph is a part's heading (the module docstring)."""
    text = text.strip()
    return (ordinal(text) > 0 and len(text) <= MAX_HEADING and "{%" not in text
            and not text.endswith(("。", "；", ";")))


def declared_parts(template: bytes) -> tuple[str, ...]:
    """The part headings a template declares, in order; none when it has none (or cannot be read)."""
    try:
        texts = top_paragraphs(template)
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        return ()
    return tuple(" ".join(t.split()) for t in texts if is_heading(t))


def numbering_findings(parts: Sequence[str], template: str) -> list[Finding]:
    """A warning when the declared parts' ordinals do not run 一、二、三… (one skipped, repeated or out of order)."""
    numbers = [ordinal(p) for p in parts]
    if numbers == list(range(1, len(numbers) + 1)):
        return []
    at = next(i for i, n in enumerate(numbers) if n != i + 1)
    before = f"“{parts[at - 1]}”之后是" if at else "第一个标题是"
    return [Finding("publication-part-numbering", template, value="",
                    detail=f"{before}“{parts[at]}”；各部分应依次编为一、二、三……")]


def _pieces(form: str) -> tuple[str, ...]:
    """The literal pieces of a heading between its tags (each tag: any text), compared as `plain`."""
    return tuple(plain(piece) for piece in _TAG.split(form))


def _forms(part: str, self_noun: str) -> set[tuple[str, ...]]:
    """Every way the report may write `part`: its accepted wordings, 自称 filled in or standing for 学校…"""
    forms = set()
    for wording in (part, *PART_VARIANTS.get(part, ())):
        filled = _SELF_TAG.sub(self_noun or SELF_NOUNS[0], wording)
        forms.add(_pieces(filled))
        forms |= {_pieces(filled.replace(noun, self_noun)) for noun in SELF_NOUNS if self_noun}
    return forms


def _matches(text: str, pieces: tuple[str, ...]) -> bool:
    """Whether `text` is the pieces with any text between them (linear: no regular expression)."""
    if len(pieces) == 1:
        return text == pieces[0]
    first, *middle, last = pieces
    if not (text.startswith(first) and text.endswith(last)) or len(text) < len(first) + len(last):
        return False
    at, end = len(first), len(text) - len(last)
    for piece in middle:
        found = text.find(piece, at, end)
        if found < 0:
            return False
        at = found + len(piece)
    return True


def _place(part: str, declared: bool) -> str:
    """The template's paragraph of a declared part (a bundled part missing has none)."""
    return f"段落“{part}”" if declared else ""


def part_findings(paragraphs: Sequence[str], parts: Sequence[str], self_noun: str, template: str, *,
                  declared: bool = False) -> tuple[list[Finding], int]:
    """Each required part is a paragraph, after the previous part's: (findings, parts found). `declared`:
    the parts are the template's own headings (本校格式), not a bundled format's."""
    texts = [plain(p) if len(p) <= 4 * MAX_HEADING else "" for p in paragraphs]  # a part is a short paragraph
    findings: list[Finding] = []
    found, after = 0, 0
    for part in parts:
        forms = _forms(part, self_noun)
        exact = {f[0] for f in forms if len(f) == 1}
        patterns = [f for f in forms if len(f) > 1]
        where = [i for i, text in enumerate(texts)
                 if text and (text in exact or any(_matches(text, f) for f in patterns))]
        later = [i for i in where if i >= after]
        shown = _SELF_TAG.sub(self_noun, part) if self_noun else part
        if later:
            found, after = found + 1, later[0] + 1
        elif where:
            findings.append(Finding("publication-part-order", template, _place(part, declared),
                                    detail=f"“{shown}”出现在前一部分之前"))
        elif declared:
            findings.append(Finding("publication-own-part-missing", template, _place(part, declared),
                                    detail=f"“{shown}”"))
        else:
            variants = "”“".join(PART_VARIANTS.get(part, ()))
            also = f"（也可写作“{variants}”）" if variants else ""
            findings.append(Finding("publication-part-missing", template, detail=f"“{shown}”{also}"))
    return findings, found
