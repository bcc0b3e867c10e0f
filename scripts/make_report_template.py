"""Write the default Word template, templates/年度报告模板.docx.

The office edits the template in Word afterwards; this script exists so that the default
is reproducible and reviewable. Each paragraph is (style, text); every Jinja tag sits in
one run. The look (fonts, sizes, margins, page numbers) comes from the styles set up by
scripts/report_style.py, never from direct formatting. Fields: docs/template.md.

    python scripts/make_report_template.py [OUT.docx]
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.document import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_style import setup_document  # noqa: E402

from report_builder.ooxml import normalize_zip  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "templates" / "年度报告模板.docx"

T, H1, H2, P = "Title", "Heading 1", "Heading 2", "Normal"


def narrative(key: str) -> list[tuple[str, str]]:
    """Paragraphs the office or a department wrote, one report paragraph each."""
    return [(P, f"{{%p for 段 in 文字.{key} %}}"), (P, "{{ 段 }}"), (P, "{%p endfor %}")]


# Parts every bundled format prints the same way (make_eight_part_template.py uses them too).
APPLICATIONS: list[tuple[str, str]] = [
    (P, "{%p if 依申请公开件数 + 上年结转件数 == 0 %}"),
    (P, "{{ 年度 }}{{ 自称 }}信息公开工作没有申请公开信息办理情况。"),
    (P, "{%p else %}"),
    (P, "{{ 年度 }}{{ 自称 }}共受理信息公开申请{{ 依申请公开件数 }}件"
        "{% if 上年结转件数 %}，另有上年结转{{ 上年结转件数 }}件{% endif %}；"
        "{% if 办结件数 %}办结{{ 办结件数 }}件，其中"
        "{% for r in 申请结果 %}{{ r.结果 }}{{ r.件数 }}件{% if not loop.last %}、{% endif %}{% endfor %}"
        "{% else %}尚未办结{% endif %}"
        "{% if 结转下年度件数 %}，结转下年度继续办理{{ 结转下年度件数 }}件{% endif %}；"
        "按期答复{{ 按期答复件数 }}件"
        "{% if 收费总额 %}，收取费用{{ 收费总额 }}元{% else %}，未收取任何费用{% endif %}。"
        "{% if 不予公开理由 %}不予公开和部分公开的理由为："
        "{% for r in 不予公开理由 %}{{ r.理由 }}{{ r.件数 }}件{% if not loop.last %}、{% endif %}{% endfor %}。"
        "{% endif %}"),
    (P, "{%p endif %}"),
]
REVIEWS: list[tuple[str, str]] = [
    (P, "{%p if 评议次数 == 0 %}"),
    (P, "无。"),
    (P, "{%p else %}"),
    (P, "{{ 年度 }}{{ 自称 }}共开展信息公开评议{{ 评议次数 }}次。"),
    (P, "{%p for e in 工作记录.评议 %}"),
    (P, "{{ e.日期 }}，{{ e.内容 }}"),
    (P, "{%p endfor %}"),
    (P, "{%p endif %}"),
]
CASES: list[tuple[str, str]] = [
    (P, "{%p if 举报件数 + 行政复议件数 + 行政诉讼件数 == 0 %}"),
    (P, "无。"),
    (P, "{%p else %}"),
    (P, "{{ 年度 }}{{ 自称 }}因信息公开工作受到举报{{ 举报件数 }}件、行政复议{{ 行政复议件数 }}件、"
        "行政诉讼{{ 行政诉讼件数 }}件。"),
    (P, "{%p for c in 案件 %}"),
    (P, "{{ c.日期 }}，{{ c.类型 }}：{{ c.事由 }}结果：{{ c.结果 }}。"),
    (P, "{%p endfor %}"),
    (P, "{%p endif %}"),
]

CONTENT: list[tuple[str, str]] = [
    (T, "{{ 学校名称 }}"),
    (T, "{{ 年度 }}信息公开工作年度报告"),
    *narrative("编制依据"),
    (P, "本年度报告的主要内容包括信息公开工作情况概述、{{ 自称 }}信息公开情况、主要问题和改进措施等三个部分。"
        "报告中统计数据的起止时间为{{ 起始日期 }}至{{ 截止日期 }}。"),
    (H1, "一、信息公开工作情况概述"),
    *narrative("概述引言"),
    (H2, "（一）加强组织领导，建立信息公开工作机制"),
    *narrative("组织领导"),
    (H2, "（二）落实《清单》公开事项，加强信息公开日常督查"),
    *narrative("清单落实"),
    (H2, "（三）强化信息公开制度建设，规范信息公开办事流程"),
    *narrative("制度建设"),
    (H2, "（四）加强平台、队伍建设，拓宽公开渠道"),
    *narrative("平台队伍"),
    (H1, "二、{{ 自称 }}信息公开情况"),
    (H2, "（一）主动公开情况"),
    (P, "{{ 年度 }}{{ 自称 }}利用多种渠道，主动向校内和社会公开信息近{{ 主动公开条数 }}余条。"),
    (P, "{{ 自称 }}《信息公开事项清单》共列出{{ 清单事项数 }}项公开事项，"
        "{% if 未公开事项数 %}目前为止因业务范畴暂未涉及和暂未开展的工作{{ 未公开事项数 }}项外，其余事项"
        "{% else %}所有事项{% endif %}均通过多种渠道、采用多种形式向校内外公开。{{ 文字.公开内容 | join('') }}"),
    *narrative("招生工作公开情况"),
    *narrative("财务工作公开情况"),
    *narrative("其他公开情况"),
    (H2, "（二）依申请公开和不予公开情况"),
    *APPLICATIONS,
    (H2, "（三）对信息公开的评议情况"),
    *REVIEWS,
    (H2, "（四）因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况"),
    *CASES,
    (H2, "（五）推进信息公开的主要经验"),
    *narrative("主要经验"),
    (H1, "三、主要问题和改进措施"),
    *narrative("主要问题"),
    *narrative("改进措施"),
]


def new_document() -> Document:
    """An empty template with the report's look (scripts/report_style.py)."""
    document = docx.Document()
    setup_document(document)
    return document


def add_paragraphs(document: Document, content: list[tuple[str, str]]) -> None:
    """One paragraph per (style, text), the text in one run (so every tag sits in one run)."""
    for style, text in content:
        document.add_paragraph(style=style).add_run(text)


def document_bytes(document: Document) -> bytes:
    """The document as byte-reproducible .docx bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def make_template() -> bytes:
    """The default template as byte-reproducible .docx bytes."""
    document = new_document()
    add_paragraphs(document, CONTENT)
    return document_bytes(document)


def write(data: bytes, default: Path) -> None:
    """Write the template to the path given on the command line, or to `default`; print where."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else default
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    print(out)


def main() -> None:
    write(make_template(), DEFAULT_OUT)


if __name__ == "__main__":
    main()
