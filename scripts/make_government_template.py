"""Write the government-format template, templates/政府格式模板.docx.

The 2021 format (《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号) as a college
publishes it: the six parts of the format registry (report_builder.formats) and its three tables laid out
as printed. The tables' rows, columns and figure names come from report_builder.tables (never retyped
here); the page and paragraph styles from scripts/report_style.py, the tables' look from
scripts/report_table.py (五号; merged header cells as the format prints them). Every Jinja tag sits in one run.

    python scripts/make_government_template.py [OUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx.document import Document
from docx.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_report_template import (  # noqa: E402
    H1,
    H2,
    ROOT,
    P,
    T,
    add_paragraphs,
    document_bytes,
    narrative,
    new_document,
    write,
)
from report_table import add_table, table_style_names  # noqa: E402

from report_builder.formats import FORMATS  # noqa: E402
from report_builder.tables import (  # noqa: E402
    APPLICANTS,
    APPLICATION_ROWS,
    CARRIED_IN,
    CASE_COLUMNS,
    CASE_ROWS,
    per_applicant,
)

DEFAULT_OUT = ROOT / "templates" / "政府格式模板.docx"
FEE = "行政事业性收费金额"  # 元; 表二 prints 万元
# 元 → 万元 with up to four decimals, "0" when none: 12345 → 1.2345, 120000 → 12.
FEE_WAN = (f"{{% if {FEE} % 10000 %}}{{{{ ({FEE} / 10000) | round(4) }}}}"
           f"{{% else %}}{{{{ {FEE} // 10000 }}}}{{% endif %}}")
OUTCOMES_LABEL = "三、本年度办理结果"
ORGANIZATIONS = "法人或其他组织"
PARTS = FORMATS["政府格式"].parts  # the registry says which parts the format must have
SIZE = 10.5  # 五号: 表三's eight columns and 表四's fifteen fit 156 mm
TEXT_STYLE, HEADER_STYLE = table_style_names(SIZE)


def merge(table: Table, top: int, left: int, bottom: int, right: int, style: str = HEADER_STYLE) -> None:
    """Merge a block of cells; the text of its first cell stays, one paragraph in `style`."""
    cell = table.cell(top, left).merge(table.cell(bottom, right))
    first, *rest = cell.paragraphs
    for extra in rest:  # merging keeps every cell's paragraph, empty but for the first
        extra._element.getparent().remove(extra._element)
    first.style = style


def keep_together(table: Table) -> None:
    """A short table stays on one page: each row keeps with the next (w:keepNext on its paragraphs)."""
    for row in table.rows[:-1]:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                paragraph.paragraph_format.keep_with_next = True


def tag(name: str) -> str:
    return "{{ " + name + " }}"


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
    """Four blocks, each: the article (a row across), 信息内容 and its headings, then its rows."""
    lines: list[list[str]] = []
    spans: list[tuple[int, bool]] = []  # (row, is the article row) of rows with one text across columns 1–3
    for article, headings, contents in DISCLOSURE_BLOCKS:
        spans.append((len(lines), True))
        lines.append([article, "", "", ""])
        for cells in (headings, *(c for _, c in contents)):
            if len(cells) == 1:
                spans.append((len(lines), False))
            lines.append([""] * 4)
        lines[-1 - len(contents)][:1 + len(headings)] = ["信息内容", *headings]
        for i, (label, cells) in enumerate(contents):
            lines[len(lines) - len(contents) + i][:1 + len(cells)] = [label, *cells]
    table = add_table(doc, (), (48, 36, 36, 36), SIZE, body_rows=lines, centred=[True] * 4)
    headings_rows = {r for r, line in enumerate(lines) if line[0] == "信息内容"}
    for r in headings_rows:
        for cell in table.rows[r].cells:
            cell.paragraphs[0].style = HEADER_STYLE
    for r, article in spans:
        if article:
            merge(table, r, 0, r, 3)
        else:
            merge(table, r, 1, r, 3, HEADER_STYLE if r in headings_rows else TEXT_STYLE)
    keep_together(table)


# ---- 表三 依申请公开 ---------------------------------------------------------------------------------

def application_table(doc: Document) -> None:
    """Label column, 自然人, the five 法人或其他组织 columns, 总计; two header rows; the rows of tables.py."""
    organizations = ["其他" if a == "其他组织" else a for a in APPLICANTS[1:]]
    header = [["申请人情况", APPLICANTS[0], ORGANIZATIONS, *[""] * (len(organizations) - 1), "总计"],
              ["", "", *organizations, ""]]
    columns = (*APPLICANTS, None)
    body = [[r.label, *(tag(per_applicant(r.figure, a)) for a in columns)] for r in APPLICATION_ROWS]
    body.insert(2, [OUTCOMES_LABEL, *[""] * len(columns)])  # the group label of the outcome rows
    widths = (46, *[109.8 / len(columns)] * len(columns))  # mm: 156 in all, less rounding
    table = add_table(doc, header, widths, SIZE, body_rows=body, centred=[False, *[True] * len(columns)])
    last = len(columns)
    merge(table, 0, 0, 1, 0)
    merge(table, 0, 1, 1, 1)
    merge(table, 0, 2, 0, last - 1)
    merge(table, 0, last, 1, last)
    merge(table, 2 + 2, 0, 2 + 2, last, TEXT_STYLE)


# ---- 表四 复议诉讼 -----------------------------------------------------------------------------------

def case_table(doc: Document) -> None:
    """行政复议 | 行政诉讼 (未经复议直接起诉, 复议后起诉), each by CASE_COLUMNS; one row of figures."""
    n, paths = len(CASE_COLUMNS), len(CASE_ROWS)
    review, *lawsuits = CASE_ROWS
    top = [review.label, *[""] * (n - 1), lawsuits[0].label.partition("（")[0], *[""] * (n * len(lawsuits) - 1)]
    middle = [""] * n + [text for row in lawsuits
                         for text in (row.label.partition("（")[2].rstrip("）"), *[""] * (n - 1))]
    header = [top, middle, list(CASE_COLUMNS) * paths]
    body = [[tag(figure) for row in CASE_ROWS for figure in (*row.parts, row.figure)]]
    table = add_table(doc, header, [155.8 / (n * paths)] * (n * paths), SIZE, body_rows=body,
                      centred=[True] * (n * paths))
    merge(table, 0, 0, 1, n - 1)
    merge(table, 0, n, 0, n * paths - 1)
    for i in range(1, paths):
        merge(table, 1, i * n, 1, (i + 1) * n - 1)
    keep_together(table)


# ---- the report ----------------------------------------------------------------------------------

def make_document() -> Document:
    doc = new_document()
    add_paragraphs(doc, [
        (T, "{{ 学校名称 }}"),
        (T, "{{ 年度 }}政府信息公开工作年度报告"),
        (P, "本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
            "要求编制。报告中所列数据的统计期限自{{ 起始日期 }}起至{{ 截止日期 }}止。"),
        (H1, PARTS[0]),
        *narrative("概述引言"),
        (H2, "（一）组织领导"),
        *narrative("组织领导"),
        (H2, "（二）主动公开"),
        (P, "{{ 年度 }}{{ 自称 }}通过多种渠道主动公开信息{{ 主动公开条数 }}条"
            "{% if 公开渠道 %}，其中{% for c in 公开渠道 %}通过{{ c.渠道 }}公开{{ c.条数 }}条"
            "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}。"
            "{{ 文字.公开内容 | join('') }}"),
        *narrative("清单落实"),
        (H2, "（三）依申请公开"),
        (P, "{{ 年度 }}{{ 自称 }}新收政府信息公开申请{{ 依申请公开件数 }}件，上年结转{{ " + CARRIED_IN + " }}件，"
            "办结{{ 办结件数 }}件，结转下年度继续办理{{ 结转下年度件数 }}件。"),
        (H2, "（四）制度建设"),
        *narrative("制度建设"),
        (H2, "（五）平台和队伍建设"),
        *narrative("平台队伍"),
        (H1, PARTS[1]),
    ])
    disclosure_table(doc)
    add_paragraphs(doc, [(H1, PARTS[2])])
    application_table(doc)
    add_paragraphs(doc, [(H1, PARTS[3])])
    case_table(doc)
    add_paragraphs(doc, [
        (H1, PARTS[4]),
        *narrative("主要问题"),
        *narrative("改进措施"),
        (H1, PARTS[5]),
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
    return document_bytes(make_document())


def main() -> None:
    write(make_template(), DEFAULT_OUT)


if __name__ == "__main__":
    main()
