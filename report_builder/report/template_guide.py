"""The names a template can use, for office staff: `fields` prints them, `guide` writes them as Word.

Generated from report_builder.vocabulary (never from the source tree's docs), with this year's
values when a year's report data is given.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import docx

from report_builder.formats import FORMATS, PART_VARIANTS
from report_builder.ooxml import normalize_zip
from report_builder.report.merge import ReportData
from report_builder.report.template_words import ALIASES
from report_builder.schema import CHANNELS
from report_builder.vocabulary import (
    CHANNEL_FAMILY,
    LAST_YEAR_TERMS,
    LISTS,
    NARRATIVE_KEYS,
    NARRATIVE_TERMS,
    NARRATIVES,
    TEXTS,
    Term,
    figure_terms,
)

__all__ = ["EXAMPLES", "GUIDE_NAME", "HOW_TO", "FieldRow", "field_rows", "guide_docx"]

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
    "可先用 report-builder check-template 模板.docx 年度文件夹 检查（与生成报告时的检查相同）。",
)

# One example per construct a template can use (the guide's 写法 section): (what, how to write it).
EXAMPLES: tuple[tuple[str, str], ...] = (
    ("印出一个数字或文字", "本年度共主动公开信息{{ 主动公开条数 }}条。"),
    ("按数字选择写法（一段之内）",
     "{% if 举报件数 == 0 %}没有收到举报。{% else %}收到举报{{ 举报件数 }}件。{% endif %}"),
    ("按数字选择写法（整段，各占一段）",
     "{%p if 依申请公开件数 == 0 %} ⏎ 本年度没有收到申请。 ⏎ {%p else %} ⏎ …… ⏎ {%p endif %}"),
    ("列表的每一项印一段", "{%p for c in 案件 %} ⏎ {{ c.日期 }}，{{ c.类型 }}：{{ c.事由 }} ⏎ {%p endfor %}"),
    ("列表的每一项印在一段之内，用顿号隔开",
     "{% for c in 公开渠道 %}{{ c.渠道 }}{{ c.条数 }}条{% if not loop.last %}、{% endif %}{% endfor %}"),
    ("渠道连同其名称或地址（年度总表“公开渠道”的“名称或地址”一列）",
     "{% for c in 公开渠道 %}{{ c.渠道 }}{% if c.标识 %}（{{ c.标识 }}）{% endif %}{% endfor %}"),
    ("列表的项数", "共收到申请{{ 申请 | length }}件。"),
    ("文字材料每段一个段落", "{%p for 段 in 文字.主要问题 %} ⏎ {{ 段 }} ⏎ {%p endfor %}"),
    ("文字材料连成一段（直接写 {{ 文字.主要问题 }} 会印出 ['…']，生成前会报错）", "{{ 文字.主要问题 | join('') }}"),
    ("表格中每项一行（清单附表）：循环标记各占表格的一行",
     "{%tr for c in 清单 %} ⏎ {{ c.序号 }} | {{ c.公开事项 }} | {{ c.公开状态 }} | {{r c.栏目链接 }} ⏎ {%tr endfor %}"),
    ("可点击的栏目链接（r 与空格不可少）",
     "{%p for c in 清单 %} ⏎ {{ c.公开事项 }}：{{r c.栏目链接 }} ⏎ {%p endfor %}"),
    ("与上年比较：上年没有该数字时为“未知”，须先判断",
     "{% if 增减.主动公开条数 is number %}{% if 增减.主动公开条数 < 0 %}减少{{ 增减.主动公开条数 | abs }}条"
     "{% else %}增加{{ 增减.主动公开条数 }}条{% endif %}{% endif %}"),
    ("除法：除数可能为 0 时先判断",
     "{% if 依申请公开件数 %}按期答复率{{ '%.1f' % (按期答复件数 / 依申请公开件数 * 100) }}%{% endif %}"),
    ("本校自己的段落（年度总表“文字材料”的“段落”一列写上名称，如“联系方式”“重点领域信息公开情况”，"
     "一行一段；“由部门填写”选“是”时由各部门撰写）",
     "{%p for 段 in 文字.联系方式 %} ⏎ {{ 段 }} ⏎ {%p endfor %}"),
    ("函的写法、两行标题：称谓、落款照写；标题各行用“标题”样式，文件名取自标题",
     "省教育厅： ⏎ 现将{{ 学校名称 }}{{ 年度 }}信息公开工作情况报告如下："),
)


def _aka(name: str) -> str:
    alias = next((a for a, n in ALIASES.items() if n == name), "")
    return f"（也可写作 {alias}）" if alias else ""


def field_rows(data: ReportData | None = None, channels: Sequence[str] = CHANNELS,
               categories: Sequence[str] = (), narratives: Sequence[str] = (),
               asked: Sequence[str] = ()) -> list[FieldRow]:
    """Every name with its description (vocabulary), and its value in `data` when given; one
    `<渠道>条数` per channel and category of the office (vocabulary.declared_channels), one `文字.<名称>` per
    paragraph the office set up besides the usual ones (`narratives`, vocabulary.declared_narratives)."""
    def value(text: object) -> str:
        return "" if data is None else str(text)

    rows = [FieldRow("文字", t.name, t.description, value(data and data.texts.get(t.name, ""))) for t in TEXTS]
    rows += [FieldRow("数字", t.name, t.description + _aka(t.name),
                      value(data and (data.figures[t.name].value if t.name in data.figures else "")))
             for t in figure_terms(channels, categories, asked)]
    rows.append(FieldRow("数字", CHANNEL_FAMILY.name, CHANNEL_FAMILY.description, ""))
    for listed in LISTS:
        count = value(data and f"{len(data.lists.get(listed.name, ()))} 项") if listed.collected else ""
        fields = "、".join(f.name for f in listed.fields)
        rows.append(FieldRow("列表", listed.name, f"{listed.description}；每一项的字段：{fields}", count))
    own = [Term(f"{NARRATIVES}.{key}", "本校在年度总表“文字材料”中设立的段落：段落的列表（可含 {数据名称}，"
                "已填入）", "") for key in narratives if key not in NARRATIVE_KEYS]
    for term in (*NARRATIVE_TERMS, *own):
        paragraphs = data.narratives.get(term.name.split(".", 1)[1], ()) if data else ()
        shown = (paragraphs[0][:30] + ("…" if len(paragraphs[0]) > 30 or len(paragraphs) > 1 else "")
                 if paragraphs else "（空）")
        rows.append(FieldRow("文字材料", term.name, term.description, shown if data else ""))
    rows += [FieldRow("上年与增减", t.name, t.description) for t in LAST_YEAR_TERMS]
    return rows


def guide_docx(rows: Sequence[FieldRow] | None = None, year: str = "") -> bytes:
    """《模板说明》: how to write a template (an example per construct), the report formats and their parts,
    and every name with its description (`rows`: field_rows of a year, else the vocabulary's)."""
    document = docx.Document()
    document.add_heading("报告模板说明" + (f"（{year}）" if year else ""), level=0)
    for line in HOW_TO:
        document.add_paragraph(line)
    document.add_heading("写法示例", level=1)
    _table(document, ("用途", "在模板中写（⏎ 表示另起一段）"), EXAMPLES)
    document.add_heading("报告格式", level=1)
    document.add_paragraph("年度总表“基本信息”的“报告格式”选一种；留空时，年度文件夹中有 年度报告模板.docx 则用它"
                           "（本校格式），否则用“三部分”。生成报告前核对应有的各部分标题，空格、全角半角和标点不计，"
                           "“学校”可写作本校的自称。")
    for name, known in FORMATS.items():
        document.add_paragraph(f"{name}：{known.description}")
        for part in known.parts:
            variants = PART_VARIANTS.get(part, ())
            document.add_paragraph(part + (f"（也可写作：{'；'.join(variants)}）" if variants else ""),
                                   style="List Bullet")
    document.add_heading("渠道、分类与上年数字", level=1)
    for line in SHEETS_HOW_TO:
        document.add_paragraph(line)
    sections: dict[str, list[FieldRow]] = {}
    for row in rows if rows is not None else field_rows():
        sections.setdefault(row.section, []).append(row)
    for section, listed in sections.items():
        document.add_heading(section, level=1)
        _table(document, ("名称", "说明"), [(row.name, row.description) for row in listed])
    document.core_properties.author = "report-builder"
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


SHEETS_HOW_TO = (
    "公开渠道：年度总表“公开渠道”表每行一个渠道（不填时为默认的九个渠道），各部门按渠道填写条数；每个渠道是一个数字"
    "“渠道名称条数”（括号等符号不写：办公系统(OA) → 办公系统OA条数），“名称或地址”一列是列表“公开渠道”中的 c.标识。",
    "公开分类：年度总表“公开分类”表每行一个分类（如 通知、文件），各部门另填“主动公开分类”表，每个分类是一个数字"
    "“分类名称条数”，各分类之和须等于各渠道之和。",
    "部门填报的数字：年度总表“部门填报的数字”表每行一个名称（如 咨询件数、网上咨询件数）和说明，"
    "各部门另填“其他数字”表，各部门之和是模板中的同名数字，如 答复咨询{{ 咨询件数 }}件。",
    "上年数字：第一次用本工具时，在年度总表“上年数字”表 A 列写数字名称（如 主动公开条数）、B 列写上年报告中的数值；"
    "之后用 build --from 上年的报告。模板中写 {{ 上年.主动公开条数 }}、{{ 增减.主动公开条数 }}，"
    "没有上年数字时为“未知”。本年度不用的行（如换掉的渠道）留空即可。",
)


def _table(document: Any, header: tuple[str, str], rows: Sequence[tuple[str, str]]) -> None:
    table = document.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = header
    for first, second in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = first, second
