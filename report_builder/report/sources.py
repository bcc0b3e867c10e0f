"""Where each figure of the report comes from: the sentence it is in, and the cells behind it.

The report is rendered with every figure marked (see render.Marked); the marked sentences
tell which figure landed in which sentence, even when two figures have the same value.
render.strip_marks turns the same rendering into the report itself, so rendering happens
once. The rows feed the 数据来源 workbook.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from report_builder.report.merge import ReportData, Source
from report_builder.report.render import MARK as _MARK
from report_builder.report.render import MARK_OPEN
from report_builder.wordml import paragraph_texts

_SENTENCE = re.compile(r"[^。；！？]*[。；！？]?")


@dataclass(frozen=True, slots=True)
class FigureUse:
    """A figure as the report shows it: its name, value, the sentence, and the cells it sums."""

    name: str
    value: int
    sentence: str
    sources: tuple[Source, ...]
    at: tuple[int, int] = (0, 0)  # where the figure's value is in `sentence` (start, end)


def figure_uses(data: ReportData, marked_docx: bytes) -> list[FigureUse]:
    """Every figure shown in the report's text, in reading order, with its sentence and cells.

    `marked_docx` is the report rendered with `render_report(data, template, marked=True)`.
    """
    uses: dict[tuple[str, str], FigureUse] = {}
    for text in paragraph_texts(marked_docx):  # the paragraphs of the body and of its tables
        if MARK_OPEN not in text:
            continue
        for sentence in _SENTENCE.findall(text):
            plain, places = _unmarked(sentence)
            for name, at in places:
                figure = data.figures.get(name)
                if figure is not None and (name, plain) not in uses:
                    uses[(name, plain)] = FigureUse(name, figure.value, plain, figure.sources, at)
    return list(uses.values())


def _unmarked(sentence: str) -> tuple[str, list[tuple[str, tuple[int, int]]]]:
    """The sentence without its marks (stripped), and each marked figure's name with its value's place in it."""
    plain, places, last = [], [], 0
    for mark in _MARK.finditer(sentence):
        plain.append(sentence[last:mark.start()])
        start = sum(map(len, plain))
        plain.append(mark.group(2))
        places.append((mark.group(1), (start, start + len(mark.group(2)))))
        last = mark.end()
    plain.append(sentence[last:])
    text = "".join(plain)
    lead = len(text) - len(text.lstrip())
    return text.strip(), [(name, (a - lead, b - lead)) for name, (a, b) in places]
