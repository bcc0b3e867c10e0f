"""Write the government-format template, templates/政府格式模板.docx.

The 2021 format (《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号) as a college
publishes it: six parts and its three tables laid out as printed. The tables' rows, columns and figure
names come from report_builder.tables (never retyped here); the page and paragraph styles from
scripts/report_style.py, the tables' look from scripts/report_tables.py. Every Jinja tag sits in one run.

    python scripts/make_government_template.py [OUT.docx]
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import docx
from docx.document import Document

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report_style import setup_document  # noqa: E402
from report_tables import TABLE_LABEL, add_table, fill, keep_together, merge, mm, setup_table_styles  # noqa: E402

from report_builder.ooxml import normalize_zip  # noqa: E402
from report_builder.tables import (  # noqa: E402
    APPLICANTS,
    APPLICATION_ROWS,
    CARRIED_IN,
    CASE_COLUMNS,
    CASE_ROWS,
    per_applicant,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "templates" / "政府格式模板.docx"

T, H1, H2, P = "Title", "Heading 1", "Heading 2", "Normal"
FEE = "行政事业性收费金额"  # 元; 表二 prints 万元
# 元 → 万元 with up to four decimals, "0" when none: 12345 → 1.2345, 120000 → 12.
FEE_WAN = (f"{{% if {FEE} % 10000 %}}{{{{ ({FEE} / 10000) | round(4) }}}}"
           f"{{% else %}}{{{{ {FEE} // 10000 }}}}{{% endif %}}")
OUTCOMES_LABEL = "三、本年度办理结果"
ORGANIZATIONS = "法人或其他组织"


def tag(name: str) -> str:
    return "{{ " + name + " }}"


def narrative(key: str) -> list[tuple[str, str]]:
    """Paragraphs the office or a department wrote, one report paragraph each."""
    return [(P, f"{{%p for 段 in 文字.{key} %}}"), (P, "{{ 段 }}"), (P, "{%p endfor %}")]


def paragraphs(doc: Document, content: list[tuple[str, str]]) -> None:
    for style, text in content:
        doc.add_paragraph(style=style).add_run(text)


# ---- 表二 主动公开 -----------------------------------------------------------------------------------
# (article, column headings, rows of (信息内容, figures)) as the format prints them.
DISCLOSURE_BLOCKS: tuple[tuple[str, tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]], ...] = (
    ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"), (
        ("规章", ("{{ 规章本年制发件数 }}", "{{ 规章本年废止件数 }}", "{{ 规章现行有效件数 }}")),
        ("行政规范性文件", ("{{ 规范性文件本年制发件数 }}", "{{ 规范性文件本年废止件数 }}",
                          "{{ 规范性文件现行有效件数 }}")))),
    ("第二十条第（五）项", ("本年处理决定数量",), (("行政许可", ("{{ 行政许可决定件数 }}",)),)),
    ("第二十条第（六）项", ("本年处理决定数量",), (("行政处罚", ("{{ 行政处罚决定件数 }}",)),
                                               ("行政强制", ("{{ 行政强制决定件数 }}",)))),
    ("第二十条第（八）项", ("本年收费金额（万元）",), (("行政事业性收费", (FEE_WAN,)),)),
)


def disclosure_table(doc: Document) -> None:
    widths = [mm(48), mm(36), mm(36), mm(36)]
    rows = sum(2 + len(block[2]) for block in DISCLOSURE_BLOCKS)
    table = add_table(doc, widths, rows, header_rows=0)
    r = 0
    for article, headings, lines in DISCLOSURE_BLOCKS:
        merge(table, r, 0, r, 3, article)
        for row_cells in ((("信息内容",) + headings), *((label,) + cells for label, cells in lines)):
            if len(row_cells) == 2:
                fill(table.cell(r + 1, 0), row_cells[0])
                merge(table, r + 1, 1, r + 1, 3, row_cells[1])
            else:
                for c, text in enumerate(row_cells):
                    fill(table.cell(r + 1, c), text)
            r += 1
        r += 1
    keep_together(table)


# ---- 表三 依申请公开 ---------------------------------------------------------------------------------

def application_table(doc: Document) -> None:
    """Label column, 自然人, the five 法人或其他组织 columns, 总计; two header rows; the rows of tables.py."""
    organizations = APPLICANTS[1:]
    widths = [mm(46), *[mm(110 / 7)] * 7]
    widths[-1] = mm(156) - sum(widths[:-1]) - 1
    body = [*APPLICATION_ROWS[:2], None, *APPLICATION_ROWS[2:]]  # None: the 三、本年度办理结果 label row
    table = add_table(doc, widths, 2 + len(body), header_rows=2)
    merge(table, 0, 0, 1, 0, "申请人情况")
    merge(table, 0, 1, 1, 1, APPLICANTS[0])
    merge(table, 0, 2, 0, 1 + len(organizations), ORGANIZATIONS)
    merge(table, 0, 7, 1, 7, "总计")
    for c, applicant in enumerate(organizations, start=2):
        fill(table.cell(1, c), "其他" if applicant == "其他组织" else applicant)
    for r, row in enumerate(body, start=2):
        if row is None:
            merge(table, r, 0, r, 7, OUTCOMES_LABEL, TABLE_LABEL)
            continue
        fill(table.cell(r, 0), row.label, TABLE_LABEL)
        for c, applicant in enumerate((*APPLICANTS, None), start=1):
            fill(table.cell(r, c), tag(per_applicant(row.figure, applicant)))


# ---- 表四 复议诉讼 -----------------------------------------------------------------------------------

def case_table(doc: Document) -> None:
    """行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), each by CASE_COLUMNS; one row of figures."""
    n = len(CASE_COLUMNS)
    widths = [mm(156 / (n * len(CASE_ROWS)))] * (n * len(CASE_ROWS))
    widths[-1] = mm(156) - sum(widths[:-1]) - 1
    table = add_table(doc, widths, 4, header_rows=3)
    review, *lawsuits = CASE_ROWS
    merge(table, 0, 0, 1, n - 1, review.label)
    merge(table, 0, n, 0, n * len(CASE_ROWS) - 1, lawsuits[0].label.partition("（")[0])
    for i, row in enumerate(lawsuits, start=1):
        merge(table, 1, i * n, 1, (i + 1) * n - 1, row.label.partition("（")[2].rstrip("）"))
    for i, row in enumerate(CASE_ROWS):
        for j, (column, figure) in enumerate(zip(CASE_COLUMNS, (*row.parts, row.figure), strict=True)):
            fill(table.cell(2, i * n + j), column)
            fill(table.cell(3, i * n + j), tag(figure))
    keep_together(table)


# ---- the report ----------------------------------------------------------------------------------

def make_document() -> Document:
    doc = docx.Document()
    setup_document(doc)
    setup_table_styles(doc)
    paragraphs(doc, [
        (T, "{{ 学校名称 }}"),
        (T, "{{ 年度 }}政府信息公开工作年度报告"),
        (P, "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
            "要求编制。报告中所列数据的统计期限自{{ 起始日期 }}起至{{ 截止日期 }}止。"),
        (H1, "一、总体情况"),
        *narrative("概述引言"),
        (H2, "（一）组织领导"),
        *narrative("组织领导"),
        (H2, "（二）主动公开"),
        (P, "{{ 年度 }}{{ 自称 }}通过多种渠道主动公开信息{{ 主动公开条数 }}条，其中通过校园网信息公开专栏公开"
            "{{ 校园网信息公开专栏条数 }}条、部门网站公开{{ 部门网站条数 }}条、微信公众号公开{{ 微信公众号条数 }}条。"
            "{{ 文字.公开内容 | join('') }}"),
        *narrative("清单落实"),
        (H2, "（三）依申请公开"),
        (P, "{{ 年度 }}{{ 自称 }}新收政府信息公开申请{{ 依申请公开件数 }}件，上年结转{{ " + CARRIED_IN + " }}件，"
            "办结{{ 办结件数 }}件，结转下年度继续办理{{ 结转下年度件数 }}件。"),
        (H2, "（四）制度建设"),
        *narrative("制度建设"),
        (H2, "（五）平台和队伍建设"),
        *narrative("平台队伍"),
        (H1, "二、主动公开政府信息情况"),
    ])
    disclosure_table(doc)
    paragraphs(doc, [(H1, "三、收到和处理政府信息公开申请情况")])
    application_table(doc)
    paragraphs(doc, [(H1, "四、政府信息公开行政复议、行政诉讼情况")])
    case_table(doc)
    paragraphs(doc, [
        (H1, "五、存在的主要问题及改进情况"),
        *narrative("主要问题"),
        *narrative("改进措施"),
        (H1, "六、其他需要报告的事项"),
        (P, "{%p if 收费总额 %}"),
        (P, "{{ 年度 }}{{ 自称 }}依申请公开收取信息处理费{{ 收费总额 }}元。"),
        (P, "{%p else %}"),
        (P, "{{ 年度 }}{{ 自称 }}未收取信息处理费。"),
        (P, "{%p endif %}"),
        *narrative("其他公开情况"),
    ])
    return doc


def make_template() -> bytes:
    """The government-format template as byte-reproducible .docx bytes."""
    buffer = io.BytesIO()
    make_document().save(buffer)
    return normalize_zip(buffer.getvalue())


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(make_template())
    print(out)


if __name__ == "__main__":
    main()
