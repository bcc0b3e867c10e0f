"""Held-out schools for tests/test_other_schools.py: department forms filled with drawn figures, and the
bundled Word template edited as an office would in Word (headings renamed, parts added and removed)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docx
import openpyxl
from conftest import ROOT
from docx.text.paragraph import Paragraph
from years import TEMPLATE

from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value
from report_builder.pipeline import BuildResult


@dataclass(frozen=True)
class Application:
    received: dt.date
    fee: int


@dataclass
class Entered:
    """What the departments typed, counted by the test (never read back from the report)."""

    proactive: int = 0
    applications: list[Application] = field(default_factory=list)
    complaints: int = 0  # 举报 rows
    asked: dict[str, int] = field(default_factory=dict)  # the office's own figures (其他数字), summed

    @property
    def fees(self) -> int:
        return sum(a.fee for a in self.applications)


def fill_forms(forms: Sequence[Path], year: Path, rng: random.Random, window: tuple[dt.date, dt.date], *,
               paragraphs: Mapping[str, list[dict[str, Any]]] | None = None, links: bool = False) -> Entered:
    """Each generated 填报表 filled as its department would (figures drawn from `rng`), saved into `year`.

    Every department has one request at least, the first on the window's last day. `links`: each 已公开
    清单 item with its column's address (a format that prints them asks for them)."""
    entered = Entered()
    days = (window[1] - window[0]).days
    for path in forms:
        wb = openpyxl.load_workbook(path)
        set_form_value(wb, "基本信息", "liaison", "联络员")
        channels = [row[0] for row in wb["主动公开"].iter_rows(min_row=3, values_only=True) if row[0]]
        counts = [rng.randrange(0, 60) for _ in channels]
        fill_department(wb, "主动公开", [{"count": n} for n in counts])
        entered.proactive += sum(counts)
        items = [row for row in wb["清单事项"].iter_rows(min_row=3, values_only=True) if row[0]]
        fill_department(wb, "清单事项", [{"status": "已公开", **({"link": f"https://xxgk.example.edu.cn/{row[0]}"}
                                                                if links else {})} for row in items])
        requests = []
        for n in range(rng.randrange(1, 4)):
            received = window[1] if n == 0 and not entered.applications else \
                window[0] + dt.timedelta(days=rng.randrange(0, days - 10))
            fee = rng.choice((0, 0, 10, 25))
            requests.append({"received": received, "summary": "申请公开专业设置材料",
                             "answered": received, "outcome": "予以公开", "on_time": "是", "fee": fee,
                                 "applicant": "自然人"})
            entered.applications.append(Application(received, fee))
        fill_department(wb, "依申请公开", requests)
        complaints = rng.randrange(0, 3)
        fill_department(wb, "举报复议诉讼", [{"kind": "举报", "date": window[0] + dt.timedelta(days=30 + n),
                                           "summary": "反映收费信息未公开", "result": "纠正"}
                                          for n in range(complaints)])
        entered.complaints += complaints
        if "其他数字" in wb.sheetnames:  # the figures the office asks for: 咨询件数…
            names = [row[0] for row in wb["其他数字"].iter_rows(min_row=3, values_only=True) if row[0]]
            values = [rng.randrange(0, 20) for _ in names]
            fill_department(wb, "其他数字", [{"count": n} for n in values])
            for name, value in zip(names, values, strict=True):
                entered.asked[name] = entered.asked.get(name, 0) + value
        if paragraphs and path.stem in paragraphs:
            fill_department(wb, "文字材料", paragraphs[path.stem])
        answer_empty_sheets(wb)  # 本部门本年度无此项 where it drew nothing (complaints, work records)
        (year / path.name).write_bytes(save_workbook(wb))
    return entered


@dataclass
class SourceRow:
    """One figure of 数据来源: its value, the sentence it lands in, the departments' cells summed into it."""

    value: Any
    sentence: str
    cells: list[tuple[Any, ...]] = field(default_factory=list)  # 来源部门, 文件, 工作表, 单元格, 填写的值


def steps_after_window(path: Path, day: dt.date) -> Path:
    """The department adds one more request, received on `day`, below its others."""
    wb = openpyxl.load_workbook(path)
    ws = wb["依申请公开"]
    first_free = next(r for r in range(3, ws.max_row + 2) if ws.cell(r, 1).value is None)
    fill_department(wb, "依申请公开", [{"received": day, "summary": "申请公开招生计划", "answered": day,
                                       "outcome": "予以公开", "on_time": "是", "fee": 0,
                                           "applicant": "自然人"}], first_row=first_free)
    path.write_bytes(save_workbook(wb))
    return path


def sources_rows(built: BuildResult) -> dict[str, SourceRow]:
    """数据来源 as the office reads the workbook beside the report: figure name → its first row."""
    assert built.sources is not None and built.sources.exists()
    ws = openpyxl.load_workbook(built.sources).active
    found: dict[str, SourceRow] = {}
    current: SourceRow | None = None
    for row in ws.iter_rows(min_row=3, values_only=True):
        if row[0]:  # a figure used twice is listed twice: its first row is kept
            current = None if row[0] in found else found.setdefault(row[0], SourceRow(row[1], row[2]))
        elif current is not None:
            current.cells.append(row[2:7])
    return found


# ---- the bundled template, edited in Word ----------------------------------------------------------

PROACTIVE = "{{ 年度 }}{{ 自称 }}利用多种渠道，主动向校内和社会公开信息近{{ 主动公开条数 }}余条。"
INTRO = ("本年度报告的主要内容包括信息公开工作情况概述、{{ 自称 }}信息公开情况、主要问题和改进措施等三个部分。"
         "报告中统计数据的起止时间为{{ 起始日期 }}至{{ 截止日期 }}。")


def _find(document: Any, text: str) -> Paragraph:
    found = [p for p in document.paragraphs if p.text == text]
    assert len(found) == 1, text
    return found[0]


def _drop(document: Any, first: str, up_to: str) -> None:
    """Delete the paragraphs from `first` up to (not including) `up_to`."""
    elements = [p._element for p in document.paragraphs]
    start = elements.index(_find(document, first)._element)
    end = elements.index(_find(document, up_to)._element)
    for element in elements[start:end]:
        element.getparent().remove(element)


def _part_before(anchor: Paragraph, heading: str, lines: Sequence[str], level: int = 1) -> None:
    anchor.insert_paragraph_before(heading, style=f"Heading {level}")
    for line in lines:
        anchor.insert_paragraph_before(line, style="Normal")


def _loop(name: str) -> list[str]:
    return [f"{{%p for 段 in 文字.{name} %}}", "{{ 段 }}", "{%p endfor %}"]


def _save(document: Any, folder: Path) -> Path:
    path = folder / "年度报告模板.docx"
    document.save(str(path))
    return path


def university_template(folder: Path) -> Path:
    """Seven parts: 一、概述 … 七、其他需要报告的事项; the title in 学年 ("2019-2020学年")."""
    d = docx.Document(str(TEMPLATE))
    _find(d, "{{ 年度 }}信息公开工作年度报告").text = "{{ 学年 }}信息公开工作年度报告"
    _find(d, "一、信息公开工作情况概述").text = "一、概述"
    _find(d, INTRO).text = (
        "本报告由概述、主动公开情况、依申请公开情况、收费及减免情况、举报复议诉讼情况、主要问题及改进措施、"
        "其他需要报告的事项七个部分组成。报告中统计数据的起止时间为{{ 起始日期 }}至{{ 截止日期 }}。")
    _drop(d, "二、{{ 自称 }}信息公开情况", "（一）主动公开情况")
    _find(d, "（一）主动公开情况").insert_paragraph_before("二、主动公开情况", style="Heading 1")
    _drop(d, "（一）主动公开情况", PROACTIVE)
    requests = _find(d, "（二）依申请公开和不予公开情况")
    requests.text, requests.style = "三、依申请公开情况", d.styles["Heading 1"]
    _drop(d, "（三）对信息公开的评议情况", "（四）因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况")
    cases = _find(d, "（四）因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况")
    _part_before(cases, "四、收费及减免情况", ["{{ 年度 }}{{ 自称 }}依申请公开收取费用{{ 收费总额 }}元。"])
    cases.text, cases.style = "五、举报复议诉讼情况", d.styles["Heading 1"]
    _drop(d, "（五）推进信息公开的主要经验", "三、主要问题和改进措施")
    _find(d, "三、主要问题和改进措施").text = "六、主要问题及改进措施"
    d.add_paragraph("七、其他需要报告的事项", style="Heading 1")
    for line in _loop("其他需要报告的事项"):
        d.add_paragraph(line, style="Normal")
    return _save(d, folder)


def college_template(folder: Path) -> Path:
    """Four parts, the third one written by departments; titled "…信息公开工作报告" in 年份 ("2020年")."""
    d = docx.Document(str(TEMPLATE))
    _find(d, "{{ 年度 }}信息公开工作年度报告").text = "{{ 年份 }}信息公开工作报告"
    _find(d, INTRO).text = INTRO.replace("、主要问题", "、重点领域信息公开情况、主要问题").replace("三个", "四个")
    _find(d, "三、主要问题和改进措施").text = "四、主要问题和改进措施"
    _part_before(_find(d, "四、主要问题和改进措施"), "三、重点领域信息公开情况", _loop("重点领域信息公开情况"))
    return _save(d, folder)


# ---- an eight-part school in its own words, a letter-form report ---------------------------------------

EIGHT_PART = ROOT / "templates" / "八部分模板.docx"
OWN_WORDING = {  # the bundled 八部分's heading → the school's own wording (formats.PART_VARIANTS)
    "一、概述": "一、信息公开工作概述",
    "二、主动公开情况": "二、主动公开信息情况",
    "三、依申请公开和不予公开情况": "三、依申请公开和不予公开的情况",
    "四、对信息公开的评议情况": "四、对信息公开工作的评议情况",
    "五、因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况": "五、因学校信息公开工作受到举报、复议、诉讼等情况",
    "六、新做法新举措、主要经验、问题和改进措施": "六、信息公开工作的经验做法、存在问题和改进措施",
    "七、其他需要报告的事项": "七、其他需要报告的事项",
    "八、附：清单事项公开情况表": "八、《清单》事项公开情况表",
}


def eight_part_template(folder: Path) -> Path:
    """The bundled 八部分 with each heading in the school's own words, as `formats --copy 八部分` then Word."""
    d = docx.Document(str(EIGHT_PART))
    for bundled, own in OWN_WORDING.items():
        _find(d, bundled).text = own
    path = folder / "八部分模板.docx"
    d.save(str(path))
    return path


LETTER_TITLE = ("{{ 学校名称 }}", "{{ 年度 }}信息公开工作年报")


def letter_template(folder: Path, *, hide: str = "") -> Path:
    """A letter to the province, typed from scratch in Word: a two-line title, "省教育厅：", "现将…报告如下：",
    five parts of the school's own (one its 重点领域), the channels with their identifiers, the 咨询 figures the
    office asks departments for, a contact block of several lines, and an attachment listing each 清单 item with
    its address. `hide`: a heading put inside an `{%p if %}` that this year's data leaves out (a mistake the
    checks catch)."""
    d = docx.Document()
    for line in LETTER_TITLE:
        d.add_paragraph(line, style="Title")
    lines = [
        "省教育厅：",
        "根据《高等学校信息公开办法》，现将{{ 学校名称 }}{{ 年度 }}（{{ 起始日期 }}至{{ 截止日期 }}）"
        "信息公开工作情况报告如下：",
        "一、基本情况", *_loop("概述引言"),
        "二、主动公开情况",
        "{{ 自称 }}主动公开信息{{ 主动公开条数 }}条，其中{% for c in 公开渠道 %}{{ c.渠道 }}"
        "{% if c.标识 %}（{{ c.标识 }}）{% endif %}{{ c.条数 }}条{% if not loop.last %}、{% endif %}{% endfor %}。",
        "三、依申请公开和咨询情况",
        "{{ 自称 }}共受理信息公开申请{{ 依申请公开件数 }}件，"
        "答复咨询{{ 咨询件数 }}件（其中网上咨询{{ 网上咨询件数 }}件）。",
        "四、重点领域信息公开情况", *_loop("重点领域信息公开情况"),
        "五、存在的问题和改进措施", *_loop("改进措施"),
        "联系方式：", *_loop("联系方式"),
        "{{ 学校名称 }}",
        "附件：{{ 自称 }}信息公开事项清单公开情况（共{{ 清单事项数 }}项）",
    ]
    for line in lines:
        if hide and line == hide:
            d.add_paragraph("{%p if 举报件数 > 1000 %}")
            d.add_paragraph(line)
            d.add_paragraph("{%p endif %}")
        else:
            d.add_paragraph(line)
    table = d.add_table(rows=4, cols=4)
    for row, cells in enumerate((("序号", "公开事项", "公开状态", "公开地址"), ("{%tr for c in 清单 %}", "", "", ""),
                                 ("{{ c.序号 }}", "{{ c.公开事项 }}", "{{ c.公开状态 }}", "{{r c.栏目链接 }}"),
                                 ("{%tr endfor %}", "", "", ""))):
        for column, text in enumerate(cells):
            table.cell(row, column).text = text
    return _save(d, folder)
