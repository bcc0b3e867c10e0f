"""The names a template can use, for office staff: `fields` prints them, `guide` writes them as Word.

Generated from report_builder.vocabulary (never from the source tree's docs), with this year's
values when a year's report data is given.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import docx

from report_builder.ooxml import normalize_zip
from report_builder.report.merge import ReportData
from report_builder.report.template_words import ALIASES
from report_builder.schema import CHANNELS
from report_builder.vocabulary import CHANNEL_FAMILY, LISTS, NARRATIVE_TERMS, TEXTS, figure_terms

__all__ = ["GUIDE_NAME", "HOW_TO", "FieldRow", "field_rows", "guide_docx"]

GUIDE_NAME = "模板说明.docx"


@dataclass(frozen=True)
class FieldRow:
    """One name a template can use: its section, how to write it, what it means, this year's value."""

    section: str
    name: str
    description: str
    value: str = ""


HOW_TO = (
    "在 Word 模板中，用英文输入法输入标记（花括号、百分号都是半角，成对出现）：",
    "{{ 名称 }}：换成该名称的值，例如 {{ 年度 }}、{{ 主动公开条数 }}。",
    "{%p if 依申请公开件数 == 0 %} … {%p else %} … {%p endif %}：按数字选择不同的写法（各占一段）。",
    "{%p for c in 案件 %} … {{ c.事由 }} … {%p endfor %}：列表的每一项印一次，c. 之后写该列表的字段。",
    "{%p for 段 in 文字.编制依据 %}{{ 段 }}{%p endfor %}：年度总表或填报表中的一段文字材料，每段一个段落。",
    "写错的名称、全角的 ｛｛ ｝｝、只有一层的 { } 都会在生成报告前报错，并指出所在段落；"
    "可先用 report-builder check-template 模板.docx 检查。",
)


def _aka(name: str) -> str:
    alias = next((a for a, n in ALIASES.items() if n == name), "")
    return f"（也可写作 {alias}）" if alias else ""


def field_rows(data: ReportData | None = None, channels: Sequence[str] = CHANNELS,
               categories: Sequence[str] = ()) -> list[FieldRow]:
    """Every name with its description (vocabulary), and its value in `data` when given; one
    `<渠道>条数` per channel of the office (vocabulary.declared_channels)."""
    def value(text: object) -> str:
        return "" if data is None else str(text)

    rows = [FieldRow("文字", t.name, t.description, value(data and data.texts.get(t.name, ""))) for t in TEXTS]
    rows += [FieldRow("数字", t.name, t.description + _aka(t.name),
                      value(data and (data.figures[t.name].value if t.name in data.figures else "")))
             for t in figure_terms(channels, categories)]
    rows.append(FieldRow("数字", CHANNEL_FAMILY.name, CHANNEL_FAMILY.description, ""))
    for listed in LISTS:
        count = value(data and f"{len(data.lists.get(listed.name, ()))} 项") if listed.collected else ""
        fields = "、".join(f.name for f in listed.fields)
        rows.append(FieldRow("列表", listed.name, f"{listed.description}；每一项的字段：{fields}", count))
    for term in NARRATIVE_TERMS:
        paragraphs = data.narratives.get(term.name.split(".", 1)[1], ()) if data else ()
        shown = (paragraphs[0][:30] + ("…" if len(paragraphs[0]) > 30 or len(paragraphs) > 1 else "")
                 if paragraphs else "（空）")
        rows.append(FieldRow("文字材料", term.name, term.description, shown if data else ""))
    return rows


def guide_docx() -> bytes:
    """《模板说明》: how to write a template and every name with its description, as a Word document."""
    document = docx.Document()
    document.add_heading("报告模板说明", level=0)
    for line in HOW_TO:
        document.add_paragraph(line)
    sections: dict[str, list[FieldRow]] = {}
    for row in field_rows():
        sections.setdefault(row.section, []).append(row)
    for section, rows in sections.items():
        document.add_heading(section, level=1)
        table = document.add_table(rows=1, cols=2)
        table.style = "Table Grid"
        table.rows[0].cells[0].text, table.rows[0].cells[1].text = "名称", "说明"
        for row in rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = row.name, row.description
    document.core_properties.author = "report-builder"
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())
