"""The report's output vocabulary: every name a Word template can use, the single source.

Texts and figures (`{{ 学校名称 }}`, `{{ 主动公开条数 }}`), lists with the fields of their items
(`{%p for c in 案件 %}{{ c.事由 }}`), and narratives (`文字.编制依据`, a list of paragraphs). Each
name has a Chinese description and says where its value comes from (a sheet and column, or an
entry of the office workbook). report.summary, report.merge and report.render make the names
from here, the template check (render.template_lists) reads them, and scripts/make_docs.py
writes docs/template.md from them; tests/test_vocabulary.py checks that they agree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import get_args

from report_builder.schema import (
    CHANNELS,
    DEPARTMENT_NARRATIVE_KEYS,
    DEPARTMENT_SHEETS,
    NOT_APPLICABLE,
    OFFICE_FILE,
    OFFICE_NARRATIVE_KEYS,
    OFFICE_SHEETS,
    ActivityKind,
    OfficeAsked,
    OfficeCategory,
    OfficeChannel,
    OfficeDisclosure,
    OfficeInfo,
    OfficeNarrative,
    SheetSpec,
    field_names,
)
from report_builder.tables import (
    APPLICANTS,
    APPLICATION_ROWS,
    CASE_COLUMNS,
    CASE_ROWS,
    DISCLOSURE_ROWS,
    OUTCOME_GROUPS,
    REASONS,
    TableRow,
    per_applicant,
    reason_figure,
)

__all__ = [
    "ACTIVITIES", "ACTIVITY_FIGURES", "ACTIVITY_LISTS", "CHANNEL_FAMILY", "CHANNEL_LIST", "CHECKLIST",
    "CHECKLIST_FIGURES",
    "CHECKLIST_ITEMS", "COLLECTED_LISTS", "COUNT_FIGURES", "DEPARTMENT_COUNT", "DEPARTMENT_FIGURES", "EVENT_FIGURES",
    "FIGURES", "LAST_YEAR", "LAST_YEAR_TERMS", "LISTS", "NARRATIVES", "NARRATIVE_KEYS", "NARRATIVE_TERMS", "TEXTS",
    "UNKNOWN", "YEAR_CHANGE", "YEAR_TEXTS", "ListTerm", "Term", "TextTerm", "asked_terms", "category_terms",
    "channel_figure", "context_names", "count_terms", "declared_asked",
    "declared_categories",
    "declared_channels", "declared_narratives", "department_narratives", "figure_terms",
    "DISCLOSURE_TERMS",
]

DEPARTMENT_BOOK = "部门填报表"


@dataclass(frozen=True, slots=True)
class Term:
    """A name a template can use, what it means, and where its value comes from (both Chinese)."""

    name: str
    description: str
    source: str


@dataclass(frozen=True, slots=True)
class TextTerm:
    """A text of the report: a field of the office workbook's 基本信息 (dates written as 2017年9月1日)."""

    name: str
    description: str
    source: str
    field: str  # the attribute of schema.OfficeInfo
    derived: Callable[[OfficeInfo], str] | None = None  # the text when that field is left blank


@dataclass(frozen=True, slots=True)
class ListTerm:
    """A list a template can loop over, and the fields of each of its items (all texts or figures)."""

    name: str  # "申请"; "工作记录.评议" is the 评议 entry of the template's `工作记录`
    description: str
    source: str
    fields: tuple[Term, ...]
    collected: bool  # rows gathered from the workbooks, only when a template prints them; else made of figures


def _column(sheets: tuple[SheetSpec, ...], key: str, field: str | None = None) -> str:
    """"部门填报表 › 依申请公开 › 处理结果": a sheet of a workbook, and one of its columns."""
    spec = next(s for s in sheets if s.key == key)
    book = OFFICE_FILE if sheets is OFFICE_SHEETS else DEPARTMENT_BOOK
    return " › ".join([book, spec.name] + ([spec.column(field).header] if field else []))


def _office(key: str, field: str | None = None) -> str:
    return _column(OFFICE_SHEETS, key, field)


def _department(key: str, field: str | None = None) -> str:
    return _column(DEPARTMENT_SHEETS, key, field)


# ---- texts ---------------------------------------------------------------------------------------

TEXTS: tuple[TextTerm, ...] = (
    TextTerm("学校名称", "学校全称", _office("info", "school_name"), "school_name"),
    TextTerm("自称", "报告中对本校的称呼，如“学院”", _office("info", "self_noun"), "self_noun"),
    TextTerm("年度", "年度名称，如“2017-2018年度”", _office("info", "year_label"), "year_label"),
    TextTerm("下一学年", "下一学年名称，如“2018-2019学年”", _office("info", "next_year_label"), "next_year_label"),
    TextTerm("起始日期", "统计时间段的第一天，如“2017年9月1日”", _office("info", "window_start"), "window_start"),
    TextTerm("截止日期", "统计时间段的最后一天，如“2018年8月31日”", _office("info", "window_end"), "window_end"),
)


def _years(info: OfficeInfo, dash: str, school: str, calendar: str) -> str:
    """"2019-2020学年" for a window over two years, "2020年" for a calendar year."""
    first, last = info.window_start.year, info.window_end.year
    return f"{first}{dash}{last}{school}" if first != last else f"{last}{calendar}"


# The usual ways a report writes its year: derived from the window unless the office writes its own.
YEAR_TEXTS: tuple[TextTerm, ...] = tuple(
    TextTerm(name, description, f"{_office('info', field)}（留空时由统计时间段得出）", field, derived)
    for name, description, field, derived in (
        ("学年度", "如“2019-2020学年度”；统计时间段在同一年内时为“2020年度”", "school_year_label",
         lambda info: _years(info, "-", "学年度", "年度")),
        ("学年", "如“2019-2020学年”；统计时间段在同一年内时为“2020年”", "school_year",
         lambda info: _years(info, "-", "学年", "年")),
        ("学年_长横", "如“2019—2020学年”（长横线）；统计时间段在同一年内时为“2020年”", "school_year_dash",
         lambda info: _years(info, "—", "学年", "年")),
        ("年份", "统计截止日期所在的年份，如“2020年”", "calendar_year",
         lambda info: f"{info.window_end.year}年"),
    ))
TEXTS += YEAR_TEXTS

# ---- figures (all whole numbers) -------------------------------------------------------------------


def channel_figure(channel: str) -> str:
    """"微博" → "微博条数"; a template cannot type brackets or punctuation: "办公系统(OA)" → "办公系统OA条数"."""
    return "".join(ch for ch in channel if ("_" + ch).isidentifier()) + "条数"


def declared_channels(office: Iterable[OfficeChannel]) -> tuple[str, ...]:
    """The office's channels (its 公开渠道 sheet), or the default nine when it lists none."""
    return tuple(dict.fromkeys(c.name for c in office)) or CHANNELS


def declared_categories(office: Iterable[OfficeCategory]) -> tuple[str, ...]:
    """The office's breakdown of 主动公开条数 (its 公开分类 sheet, e.g. 通知, 文件…): none when it lists none."""
    return tuple(dict.fromkeys(c.name for c in office))


def declared_asked(office: Iterable[OfficeAsked]) -> tuple[str, ...]:
    """The figures the office asks every department for (its 部门填报的数字 sheet: 咨询件数…), in its order."""
    return tuple(dict.fromkeys(a.name for a in office))


ACTIVITY_FIGURES: dict[str, str] = {"评议": "评议次数", "业务培训": "业务培训次数", "专项督查": "专项督查次数",
                                    "校情发布会": "校情发布会次数", "制度建设": "制度建设项数",
                                    "平台建设": "平台建设项数", "其他": "其他工作次数"}

_COUNTS = _department("counts", "count")
_APPLICATIONS = _department("applications")
_CHECKLIST_STATUS = _department("checklist", "status")

# Figures a department adds to, by the cells behind them (summary.DepartmentSummary.shares).
def count_terms(channels: Iterable[str] = CHANNELS) -> tuple[Term, ...]:
    """联络员人数, 主动公开条数 and one `<渠道>条数` per channel of the office (vocabulary.declared_channels)."""
    return (
        Term("联络员人数", "填写了信息公开联络员的部门数（每个部门计 1 人）", _department("info", "liaison")),
        Term("主动公开条数", "各部门、各渠道主动公开的信息条数之和", f"{_COUNTS}（求和）"),
        *(Term(channel_figure(ch), f"通过“{ch}”主动公开的信息条数", f"{_COUNTS}（公开渠道为“{ch}”的行，求和）")
          for ch in channels),
    )


COUNT_TERMS = count_terms()  # with the default channels


def category_terms(categories: Iterable[str]) -> tuple[Term, ...]:
    """One `<分类>条数` per category of the office's breakdown (vocabulary.declared_categories)."""
    source = _department("breakdown", "count")
    return tuple(Term(channel_figure(c), f"分类为“{c}”的主动公开信息条数", f"{source}（分类为“{c}”的行，求和）")
                 for c in categories)


def asked_terms(asked: Iterable[str]) -> tuple[Term, ...]:
    """One figure per name the office asks departments for (vocabulary.declared_asked), under that name."""
    source = _department("asked", "count")
    return tuple(Term(name, f"各部门填报的“{name}”之和（年度总表“部门填报的数字”中设立）",
                      f"{source}（数字名称为“{name}”的行，求和）") for name in asked)


# The family the office extends: one figure per channel of its 公开渠道 sheet.
CHANNEL_FAMILY = Term(
    "<渠道>条数", "通过某一公开渠道主动公开的信息条数，每个渠道一个，如 微博条数（渠道名称中的括号等符号不写入名称："
    "办公系统(OA) → 办公系统OA条数）；渠道由年度总表“公开渠道”表列出，不填时为默认的九个渠道",
    f"{_COUNTS}（公开渠道为该渠道的行，求和）；渠道名单：{OFFICE_FILE} › 公开渠道")
_APP = _department("applications")


def _cell_description(row: TableRow, applicant: str | None) -> str:
    """What one cell of 表三 counts, in words an office understands."""
    column = f"申请人为“{applicant}”的" if applicant else ""
    return f"{column}申请件数：政府格式表三“{row.label}”一行" + ("" if applicant else "（总计栏）")


EVENT_TERMS: tuple[Term, ...] = (
    *(Term(per_applicant(row.figure, a), _cell_description(row, a),
           f"{_APP}（按收到日期、答复日期、处理结果、不予公开理由和申请人类型计数）")
      for row in APPLICATION_ROWS for a in (None, *APPLICANTS)),
    *(Term(reason_figure(r), f"部分公开和不予公开的申请中，理由为“{r}”的件数（教育部格式）",
           f"{_department('applications', 'reason')}（计数）") for r in REASONS),
    Term("按期答复件数", "按期答复的申请件数（已办结的）", f"{_department('applications', 'on_time')}（为“是”的行数）"),
    Term("收费总额", "依申请公开收取的费用之和（元）", f"{_department('applications', 'fee')}（求和）"),
    Term("举报件数", "因信息公开工作受到的举报件数", f"{_department('cases', 'kind')}（计数）"),
    Term("行政诉讼件数", "因信息公开工作被提起的行政诉讼件数（直接起诉与复议后起诉之和）",
         f"{_department('cases', 'kind')}（计数）"),
    *(Term(name, f"政府格式表四“{row.label}”{column}的件数", f"{_department('cases')}（按类型和结果计数）")
      for row in CASE_ROWS for name, column in zip((*row.parts, row.figure), CASE_COLUMNS, strict=True)),
    *(Term(ACTIVITY_FIGURES[k], f"类型为“{k}”的工作记录条数", f"{_department('activities', 'kind')}（计数）")
      for k in get_args(ActivityKind)),
)
DISCLOSURE_TERMS: tuple[Term, ...] = tuple(
    Term(row.figure, f"政府格式表二：{row.label}（党政办公室填写，不填的为 0）", _office("disclosure", field))
    for row, field in zip(DISCLOSURE_ROWS, field_names(OfficeDisclosure), strict=True))
# The office's figures: 部门数, and the 清单 (its items; their statuses, answered by the departments).
DEPARTMENT_COUNT, CHECKLIST_ITEMS = "部门数", "清单事项数"
DEPARTMENTS_TERM = Term(DEPARTMENT_COUNT, "部门名单中的部门数", f"{_office('departments', 'name')}（行数）")
CHECKLIST_FIGURES: dict[str, tuple[str, ...]] = {  # figure → the statuses it counts
    "已公开事项数": ("已公开",), "暂未涉及事项数": ("暂未涉及",), "暂未开展事项数": ("暂未开展",),
    "未公开事项数": NOT_APPLICABLE,
}
CHECKLIST_TERMS: tuple[Term, ...] = (
    Term(CHECKLIST_ITEMS, "公开事项清单的事项数", f"{_office('checklist', 'number')}（行数）"),
    *(Term(name, f"公开状态为{'或'.join(f'“{s}”' for s in states)}的清单事项数", f"{_CHECKLIST_STATUS}（计数）")
      for name, states in CHECKLIST_FIGURES.items()),
)

COUNT_FIGURES: tuple[str, ...] = tuple(t.name for t in COUNT_TERMS)
EVENT_FIGURES: tuple[str, ...] = tuple(t.name for t in EVENT_TERMS)
DEPARTMENT_FIGURES: tuple[str, ...] = COUNT_FIGURES + EVENT_FIGURES


def figure_terms(channels: Iterable[str] = CHANNELS, categories: Iterable[str] = (),
                 asked: Iterable[str] = ()) -> tuple[Term, ...]:
    """Every figure of a year whose office lists `channels` (and `categories`, and figures it `asked`
    departments for), in the report data's order."""
    return (DEPARTMENTS_TERM, *count_terms(channels), *category_terms(categories), *asked_terms(asked),
            *CHECKLIST_TERMS, *EVENT_TERMS,
            *DISCLOSURE_TERMS)


FIGURES: tuple[Term, ...] = figure_terms()  # with the default channels

# ---- lists ---------------------------------------------------------------------------------------

DEPARTMENT_FIELD = Term("部门", "填报的部门", _department("info", "department"))


def _fields(key: str, *fields: tuple[str, str, str]) -> tuple[Term, ...]:
    """(name, description, schema field) → the fields of a list's items; a field's source is its column."""
    return tuple(Term(name, description, _department(key, field)) for name, description, field in fields)


CHANNEL_LIST = "公开渠道"  # the office's channels with their 条数, for templates that must not name them
ACTIVITIES = "工作记录"  # the template's `工作记录`: one list per kind, `工作记录.评议`
CHECKLIST = "清单"
ACTIVITY_LISTS: tuple[str, ...] = tuple(f"{ACTIVITIES}.{kind}" for kind in get_args(ActivityKind))

LISTS: tuple[ListTerm, ...] = (
    ListTerm("申请", "收到的信息公开申请，按收到日期排列", _APPLICATIONS, (DEPARTMENT_FIELD, *_fields(
        "applications", ("收到日期", "如“2018年3月5日”", "received"), ("摘要", "申请内容摘要", "summary"),
        ("答复日期", "尚未答复的为空", "answered"), ("结果", "处理结果", "outcome"),
        ("理由", "不予公开理由（没有的为空）", "reason"), ("按期", "是否按期答复：“是”或“否”，未办结的为空", "on_time"),
        ("申请人", "申请人类型，如“自然人”“商业企业”", "applicant"))), True),
    ListTerm("申请结果", f"各处理结果（{'、'.join(OUTCOME_GROUPS)}）及其件数（只列件数不为 0 的结果）",
             "由各“…件数”数字得出", (
        Term("结果", "处理结果，如“予以公开”", _department("applications", "outcome")),
        Term("件数", "该结果的申请件数", "数字“<结果>件数”")), False),
    ListTerm(CHANNEL_LIST, "本年度的各公开渠道及其主动公开条数，按年度总表“公开渠道”的顺序（只列条数不为 0 的渠道）；"
             "渠道由各校自定，模板用这个列表就不必写出渠道名称", "由各“<渠道>条数”数字得出", (
        Term("渠道", "公开渠道的名称，如“校园网信息公开专栏”",
             _office("channels", "name") + "（不填时为默认的九个渠道）"),
        Term("标识", "该渠道的名称、账号或地址（如微信公众号的名称和微信号、网址、信箱），没有填写的为空",
             _office("channels", "identifier")),
        Term("条数", "通过该渠道主动公开的信息条数", "数字“<渠道>条数”")), False),
    ListTerm("不予公开理由", "各不予公开理由及其件数（只列件数不为 0 的理由）", "由各“…理由件数”数字得出", (
        Term("理由", f"不予公开理由（{'、'.join(REASONS)}）", _department("applications", "reason")),
        Term("件数", "该理由的申请件数", "数字“<理由>理由件数”")), False),
    ListTerm("案件", "举报、行政复议、行政诉讼，按日期排列", _department("cases"), (DEPARTMENT_FIELD, *_fields(
        "cases", ("类型", "举报、行政复议或行政诉讼", "kind"), ("日期", "如“2018年3月5日”", "date"),
        ("事由", "事由（以句号结尾）", "summary"), ("结果", "结果，如“维持”", "result"))), True),
    ListTerm(CHECKLIST, "公开事项清单的每一项，按年度总表中的顺序；未填写的事项状态为空", _office("checklist"), (
        Term("序号", "事项序号", _office("checklist", "number")),
        Term("类别", "事项类别，如“基本信息”", _office("checklist", "category")),
        Term("公开事项", "事项名称", _office("checklist", "title")),
        Term("牵头落实单位", "负责该事项的部门", _office("checklist", "department")),
        Term("公开状态", "“已公开”“暂未涉及”“暂未开展”，未填写的为空", _CHECKLIST_STATUS),
        Term("公开栏目链接", "公开该事项的网页地址（没有的为空），文字", _department("checklist", "link")),
        Term("栏目链接", "同“公开栏目链接”，但以 http:// 或 https:// 开头的网址是可点击的超链接，其他内容原样显示；"
             "须写作 {{r c.栏目链接 }}（r 与空格不可少）", _department("checklist", "link"))), True),
    *(ListTerm(f"{ACTIVITIES}.{kind}", f"类型为“{kind}”的工作记录，按日期排列", _department("activities"),
               (DEPARTMENT_FIELD, *_fields("activities", ("日期", "如“2018年3月5日”", "date"),
                                            ("内容", "工作内容（以句号结尾）", "summary"))), True)
      for kind in get_args(ActivityKind)),
)
COLLECTED_LISTS: tuple[str, ...] = tuple(t.name for t in LISTS if t.collected)

# ---- narratives ----------------------------------------------------------------------------------

NARRATIVES = "文字"  # the template's `文字`: `文字.编制依据` is a list of paragraphs
NARRATIVE_KEYS: tuple[str, ...] = OFFICE_NARRATIVE_KEYS + DEPARTMENT_NARRATIVE_KEYS  # known every year
_NARRATIVE_TOPICS = {
    "编制依据": "报告的编制依据（报告开头）", "概述引言": "工作概述的引言", "组织领导": "组织领导与工作机构",
    "清单落实": "信息公开事项清单的落实", "制度建设": "信息公开制度建设", "平台队伍": "公开平台与工作队伍建设",
    "公开内容": "主动公开的内容", "主要经验": "工作的主要经验", "主要问题": "存在的主要问题",
    "改进措施": "下一学年的改进措施", "招生工作公开情况": "招生工作公开情况", "财务工作公开情况": "财务工作公开情况",
    "其他公开情况": "其他公开情况",
}
NARRATIVE_TERMS: tuple[Term, ...] = tuple(
    Term(f"{NARRATIVES}.{key}", f"{_NARRATIVE_TOPICS[key]}：段落的列表（可含 {{数据名称}}，已填入）",
         f"{_office('narratives') if key in OFFICE_NARRATIVE_KEYS else _department('narratives')}"
         f"（段落为“{key}”的行，每行可分多段）")
    for key in NARRATIVE_KEYS)


def declared_narratives(office: Iterable[OfficeNarrative]) -> tuple[str, ...]:
    """The paragraphs a template can use: those known every year, then the office's own names."""
    return tuple(dict.fromkeys([*NARRATIVE_KEYS, *(n.key for n in office)]))


def department_narratives(office: Iterable[OfficeNarrative]) -> tuple[str, ...]:
    """The paragraphs a department can write: the usual three, then those the office opened to departments."""
    return tuple(dict.fromkeys([*DEPARTMENT_NARRATIVE_KEYS, *(n.key for n in office if n.by_departments == "是")]))


# ---- last year (`上年.主动公开条数`, `增减.主动公开条数`) -------------------------------------------

LAST_YEAR, YEAR_CHANGE = "上年", "增减"  # the template's `上年` and `增减`: one entry per figure
UNKNOWN = "未知"  # a figure last year's report did not have, or no last year given: never 0
LAST_YEAR_SOURCE = "上年报告的版本说明文件（build --from 指定的上年报告或其输出文件夹）"
LAST_YEAR_TERMS: tuple[Term, ...] = (
    Term(f"{LAST_YEAR}.<数字名称>", f"上年报告中该数字的值，如 {LAST_YEAR}.主动公开条数；上年没有该数字、"
         f"或未指定上年报告时为“{UNKNOWN}”（可写 {{% if {LAST_YEAR}.主动公开条数 is number %}} 判断）",
         LAST_YEAR_SOURCE),
    Term(f"{YEAR_CHANGE}.<数字名称>", f"本年减上年的差（减少时为负数）；上年未知时为“{UNKNOWN}”，所以比较或取绝对值"
         f"（| abs）之前须先判断：{{% if {YEAR_CHANGE}.主动公开条数 is number %}}…{{% endif %}}",
         f"本年的数字与{LAST_YEAR_SOURCE}"),
)


def context_names(channels: Iterable[str] = CHANNELS, categories: Iterable[str] = (),
                  asked: Iterable[str] = ()) -> frozenset[str]:
    """The top-level names of a template's data: texts, figures, lists, `工作记录`, `文字`, `上年`, `增减`."""
    return frozenset([*(t.name for t in TEXTS), *(t.name for t in figure_terms(channels, categories, asked)),
                      *(t.name.split(".")[0] for t in LISTS), NARRATIVES, LAST_YEAR, YEAR_CHANGE])
