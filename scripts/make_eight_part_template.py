"""Write the MOE eight-part template, templates/八部分模板.docx (教办厅函〔2018〕80号: "要有这8类内容").

Parts 一、概述 … 八、附：清单事项公开情况表, with the vocabulary's names (docs/template.md); the 清单
table has one row per 清单 item (a docxtpl row loop) and its 栏目链接 is a real hyperlink
(`{{r c.栏目链接 }}`, report_builder/report/links.py). Paragraphs, look and the shared parts come
from scripts/make_report_template.py, the table from scripts/report_table.py.

    python scripts/make_eight_part_template.py [OUT.docx]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_report_template import (  # noqa: E402
    APPLICATIONS,
    CASES,
    H1,
    H2,
    REVIEWS,
    ROOT,
    P,
    T,
    add_paragraphs,
    document_bytes,
    narrative,
    new_document,
    write,
)
from report_table import add_hyperlink_style, add_table  # noqa: E402

from report_builder.formats import FORMATS  # noqa: E402

DEFAULT_OUT = ROOT / "templates" / "八部分模板.docx"

PARTS = FORMATS["八部分"].parts  # the registry says which parts the format must have


def activities(kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each work record of these kinds (工作记录.<kind>), one paragraph each."""
    return [line for kind in kinds for line in (
        (P, f"{{%p for e in 工作记录.{kind} %}}"), (P, "{{ e.日期 }}，{{ e.内容 }}"), (P, "{%p endfor %}"))]


CONTENT: list[tuple[str, str]] = [
    (T, "{{ 学校名称 }}"),
    (T, "{{ 年度 }}信息公开工作年度报告"),
    *narrative("编制依据"),
    (P, "本年度报告包括概述、主动公开情况、依申请公开和不予公开情况、对信息公开的评议情况、因{{ 自称 }}信息公开工作"
        "受到举报、复议、诉讼的情况、新做法新举措、主要经验、问题和改进措施、其他需要报告的事项等七个部分，并附清单事项"
        "公开情况表。报告中统计数据的起止时间为{{ 起始日期 }}至{{ 截止日期 }}。"),
    (H1, PARTS[0]),
    *narrative("概述引言"),
    (H2, "（一）组织领导和制度机制建设"),
    *narrative("组织领导"),
    *narrative("制度建设"),
    (H2, "（二）推动清单落实"),
    *narrative("清单落实"),
    (H2, "（三）平台和队伍建设"),
    *narrative("平台队伍"),
    (H2, "（四）宣传教育培训和督查考核"),
    (P, "{{ 年度 }}{{ 自称 }}开展信息公开业务培训{{ 业务培训次数 }}次、专项督查{{ 专项督查次数 }}次。"),
    *activities(("业务培训", "专项督查")),
    (H1, PARTS[1]),
    (P, "{{ 年度 }}{{ 自称 }}通过多种渠道主动公开信息{{ 主动公开条数 }}条"
        "{% if 公开渠道 %}，其中{% for c in 公开渠道 %}通过{{ c.渠道 }}公开{{ c.条数 }}条"
        "{% if not loop.last %}、{% endif %}{% endfor %}{% endif %}。{{ 文字.公开内容 | join('') }}"),
    (P, "{{ 自称 }}《信息公开事项清单》共列出{{ 清单事项数 }}项公开事项，已公开{{ 已公开事项数 }}项"
        "{% if 未公开事项数 %}，因业务范畴暂未涉及和暂未开展的{{ 未公开事项数 }}项{% endif %}；"
        "各事项的公开情况和栏目链接见附表（第八部分）。"),
    (H2, "（一）招生信息公开情况"),
    *narrative("招生工作公开情况"),
    (H2, "（二）财务信息公开情况"),
    *narrative("财务工作公开情况"),
    (H2, "（三）其他信息公开情况"),
    *narrative("其他公开情况"),
    (H1, PARTS[2]),
    *APPLICATIONS,
    (H1, PARTS[3]),
    *REVIEWS,
    (H1, PARTS[4]),
    *CASES,
    (H1, PARTS[5]),
    (H2, "（一）新做法新举措和主要经验"),
    *narrative("主要经验"),
    (H2, "（二）存在的主要问题"),
    *narrative("主要问题"),
    (H2, "（三）改进措施"),
    *narrative("改进措施"),
    (H1, PARTS[6]),
    (P, "无。"),
    (H1, PARTS[7]),
    (P, "{{ 自称 }}《信息公开事项清单》各事项的公开情况如下表（共{{ 清单事项数 }}项）。"),
]

# The 清单 table: 五号 (10.5 pt), the usual size of a 公文's attached table; at 4号 a 39 mm column holds
# only ~14 characters of a link, at 五号 ~20 (a link takes 2–3 lines either way, an item title 1–3).
CHECKLIST_HEADER = ("序号", "类别", "公开事项", "责任部门", "公开状态", "栏目链接")
CHECKLIST_WIDTHS_MM = (11, 20, 46, 22, 18, 39)  # 156 mm: the type area
CHECKLIST_ROW = ("{{ c.序号 }}", "{{ c.类别 }}", "{{ c.公开事项 }}", "{{ c.牵头落实单位 }}", "{{ c.公开状态 }}",
                 "{{r c.栏目链接 }}")
CHECKLIST_CENTRED = (True, True, False, True, True, False)
TABLE_FONT_PT = 10.5


def make_template() -> bytes:
    """The eight-part template as byte-reproducible .docx bytes."""
    document = new_document()
    add_hyperlink_style(document)
    add_paragraphs(document, CONTENT)
    blank = ("",) * (len(CHECKLIST_HEADER) - 1)
    add_table(document, [CHECKLIST_HEADER], CHECKLIST_WIDTHS_MM, TABLE_FONT_PT,
              body_rows=[("{%tr for c in 清单 %}", *blank), CHECKLIST_ROW, ("{%tr endfor %}", *blank)],
              centred=CHECKLIST_CENTRED)
    return document_bytes(document)


def main() -> None:
    write(make_template(), DEFAULT_OUT)


if __name__ == "__main__":
    main()
