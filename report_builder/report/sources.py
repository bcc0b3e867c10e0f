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


def figure_uses(data: ReportData, marked_docx: bytes) -> list[FigureUse]:
    """Every figure shown in the report's text, in reading order, with its sentence and cells.

    `marked_docx` is the report rendered with `render_report(data, template, marked=True)`.
    """
    uses: dict[tuple[str, str], FigureUse] = {}
    for text in paragraph_texts(marked_docx):  # the paragraphs of the body and of its tables
        if MARK_OPEN not in text:
            continue
        for sentence in _SENTENCE.findall(text):
            plain = _MARK.sub(lambda m: m.group(2), sentence).strip()
            for name, _ in _MARK.findall(sentence):
                figure = data.figures.get(name)
                if figure is not None and (name, plain) not in uses:
                    uses[(name, plain)] = FigureUse(name, figure.value, plain, figure.sources)
    return list(uses.values())
