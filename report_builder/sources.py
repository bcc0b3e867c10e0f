"""Where each figure of the report comes from: the sentence it is in, and the cells behind it.

The report is rendered with every figure marked (see render.Marked); the marked sentences
tell which figure landed in which sentence, even when two figures have the same value.
render.strip_marks turns the same rendering into the report itself, so rendering happens
once. The rows feed the 数据来源 workbook.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import docx

from report_builder.merge import ReportData, Source
from report_builder.render import MARK as _MARK

_SENTENCE = re.compile(r"[^。；！？]*[。；！？]?")
_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


@dataclass(frozen=True)
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
    marked = docx.Document(io.BytesIO(marked_docx))
    uses: dict[tuple[str, str], FigureUse] = {}
    for paragraph in marked.paragraphs:
        for sentence in _SENTENCE.findall(paragraph.text):
            plain = _MARK.sub(lambda m: m.group(2), sentence).strip()
            for name, _ in _MARK.findall(sentence):
                figure = data.figures.get(name)
                if figure is not None and (name, plain) not in uses:
                    uses[(name, plain)] = FigureUse(name, figure.value, plain, figure.sources)
    return list(uses.values())


SourceRow = tuple[str, str, str, str, str]  # department, file, sheet, cell or range, value


def source_rows(sources: Sequence[Source]) -> list[SourceRow]:
    """The contributing cells as rows. Summed numbers keep one row per cell; counted rows (each
    application's 处理结果, each 工作记录's 类型) are one row per department and column, listing the
    cells as ranges: "F3:F40, F52 · 共 39 行" rather than 39 rows."""
    groups: dict[tuple[object, ...], list[Source]] = {}
    for index, source in enumerate(sources):
        match = _CELL.match(source.cell)
        counted = match is not None and not source.value.isdigit()
        key = (source.department, source.file, source.sheet, match[1]) if counted and match else (index,)
        groups.setdefault(key, []).append(source)
    return [_row(group) for group in groups.values()]


def _row(group: list[Source]) -> SourceRow:
    first = group[0]
    if len(group) == 1:
        return (first.department, first.file, first.sheet, first.cell, first.value)
    cells = [_CELL.match(s.cell) for s in group]
    ranges = _ranges(first.cell.rstrip("0123456789"), [int(m[2]) for m in cells if m])
    return (first.department, first.file, first.sheet, ranges, f"共 {len(group)} 行")


def _ranges(column: str, numbers: list[int], limit: int = 200) -> str:
    """F3, F4, F5, F9 → "F3:F5, F9" (cut with "…" past `limit` characters)."""
    parts: list[str] = []
    start = previous = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == previous + 1:
            previous = n
            continue
        parts.append(f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}")
        if n is not None:
            start = previous = n
    text = ", ".join(parts)
    return text if len(text) <= limit else text[:limit].rsplit(",", 1)[0] + ", …"
