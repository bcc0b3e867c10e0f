"""The schema of a year's inputs: the single source of truth.

Each sheet of a workbook is one model (a frozen dataclass, `sheet_columns.Row`). A field's `title` is the Chinese
column header (or form label), its `description` the help text shown to the person
filling it in, `Literal` types are the drop-down lists, `max_length`/`ge`/`le` the limits,
and `locked=True` marks cells the template pre-fills.
`columns()` (report_builder.sheet_columns) turns a model into the column metadata that the Excel templates, the
reader's header matching and the checks all use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from report_builder.formats import DEFAULT_FORMAT, OWN_FORMAT, OWN_TEMPLATE, ReportFormatName, format_text
from report_builder.sheet_columns import Column as Column  # re-exported: one import for every schema name
from report_builder.sheet_columns import Row as Row
from report_builder.sheet_columns import SheetSpec as SheetSpec
from report_builder.sheet_columns import cell as cell
from report_builder.sheet_columns import columns as columns
from report_builder.sheet_columns import field_names as field_names

# ---- closed lists -------------------------------------------------------------------------------

Category = Literal[
    "基本信息", "招生考试信息", "财务、资产及收费信息", "人事师资信息", "教学质量信息",
    "学生管理服务信息", "学风建设信息", "学位、学科信息", "对外交流与合作信息", "其他",
]
Status = Literal["已公开", "暂未涉及", "暂未开展"]
NOT_APPLICABLE: tuple[str, ...] = ("暂未涉及", "暂未开展")
Channel = Literal[
    "校园网信息公开专栏", "部门网站", "校报校刊", "校园广播", "微信公众号",
    "电子公告屏", "信息公告栏", "校情发布会", "省市媒体",
]  # the default list: an office workbook without a 公开渠道 sheet (or with an empty one) uses these
# Channels many schools use besides those: listed with the nine in a new office workbook (new-year).
COMMON_CHANNELS: tuple[str, ...] = ("微博", "抖音", "门户网站", "办公系统(OA)", "政务公开专栏")
MAX_LAST_YEAR_VALUE = 1_000_000_000  # a figure of last year's report, typed by the office
MAX_CHANNEL_NAME = 20  # characters of a channel name; "校园网信息公开专栏" is 9
MAX_CHANNEL_IDENTIFIER = 200  # a channel's account name, address or mailbox, as the report prints it
ApplicantType = Literal["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他组织"]
# 处理结果: the government format's outcomes (国办公开办函〔2021〕30号 表三), with the sub-reasons of 无法提供,
# 不予处理 and 其他处理 in brackets; 部分公开 and 不予公开 give their reason in the 理由 column. One entry
# serves every format: the MOE report counts the part before the bracket (tables.outcome_group).
Outcome = Literal[
    "予以公开", "部分公开", "不予公开",
    "无法提供（本单位不掌握相关信息）", "无法提供（没有现成信息需要另行制作）", "无法提供（补正后申请内容仍不明确）",
    "不予处理（信访举报投诉类申请）", "不予处理（重复申请）", "不予处理（要求提供公开出版物）",
    "不予处理（无正当理由大量反复申请）", "不予处理（要求确认或重新出具已获取信息）",
    "其他处理（申请人逾期不补正）", "其他处理（申请人逾期未缴纳费用）", "其他处理（其他）",
]
NEEDS_REASON: tuple[str, ...] = ("部分公开", "不予公开")
# 理由 of 部分公开 and 不予公开: the government format's eight reasons (表三 三（三）1–8), shortened.
RefusalReason = Literal["国家秘密", "法律行政法规禁止公开", "危及“三安全一稳定”", "保护第三方合法权益",
                        "三类内部事务信息", "四类过程性信息", "行政执法案卷", "行政查询事项"]
YesNo = Literal["是", "否"]
CaseKind = Literal["举报", "行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
CaseResult = Literal["维持", "纠正", "其他结果", "尚未审结"]  # the columns of the government's 表四
ActivityKind = Literal["评议", "业务培训", "专项督查", "校情发布会", "制度建设", "平台建设", "其他"]
OfficeNarrativeKey = Literal[
    "编制依据", "概述引言", "组织领导", "清单落实", "制度建设", "平台队伍",
    "公开内容", "主要经验", "主要问题", "改进措施",
]
DepartmentNarrativeKey = Literal["招生工作公开情况", "财务工作公开情况", "其他公开情况"]
# The paragraphs every year knows (the default list of a new office workbook); the office adds its own names.
OFFICE_NARRATIVE_KEYS: tuple[str, ...] = get_args(OfficeNarrativeKey)
DEPARTMENT_NARRATIVE_KEYS: tuple[str, ...] = get_args(DepartmentNarrativeKey)
MAX_NARRATIVE_NAME = 20  # characters of a paragraph name (段落): "其他需要报告的事项" is 9

# Opens each paragraph `new-year` carries over from last year; the check warns until the office removes it.
LAST_YEAR_MARK = "【上年内容，请按本年度修改后删除本标记】"

# Upper bounds of the numbers (a value above one is an error at its cell, never a figure). Far above
# any real year, low enough that a typo or a crafted 1e308 cannot become a report figure:
MAX_ITEM_NUMBER = 10_000  # 序号: the MOE 清单 has 50 items, a school's list a few hundred at most
MAX_ITEMS = 100_000  # 主动公开条数 of one department and channel: the seed school's whole year was ~1,000
MAX_FEE = 1_000_000  # 收费金额（元）: disclosure fees are copying costs, a few yuan to a few thousand
CARRIED_OVER_DAYS = 366  # an application carried over from last year was received at most this long before
MAX_PEOPLE = 100_000  # 参加人次: more than the staff and students of the largest university


# ---- the office workbook (年度总表.xlsx) ----------------------------------------------------------

class OfficeInfo(Row):
    school_name: str = cell(title="学校名称", max_length=60, description="学校全称，用于报告标题")
    self_noun: str = cell(title="学校自称", max_length=4, description="报告中对本校的称呼，如“学院”或“学校”")
    year_label: str = cell(title="年度名称", max_length=20, description="如“20XX-20XX年度”或“20XX年”，用于标题和正文")
    window_start: dt.date = cell(title="统计起始日期", description="通常为 9 月 1 日")
    window_end: dt.date = cell(title="统计截止日期", description="通常为次年 8 月 31 日")
    next_year_label: str = cell(title="下一学年名称", max_length=20, description="如“20XX-20XX学年”，用于改进措施")
    deadline: dt.date | None = cell(None, title="报送截止日期", description="各部门交回填报表的日期")
    contact: str | None = cell(None, title="联系人及电话", max_length=60, description="填报表中“有问题请联系”的人")
    # The year as reports write it (vocabulary.YEAR_TEXTS); left blank, each is derived from the window.
    school_year_label: str | None = cell(default=None, title="学年度写法", max_length=20,
                                          description="留空则由统计时间段得出，写作“起始年-截止年学年度”")
    school_year: str | None = cell(default=None, title="学年写法", max_length=20,
                                    description="留空则由统计时间段得出，写作“起始年-截止年学年”")
    school_year_dash: str | None = cell(default=None, title="学年写法（长横）", max_length=20,
                                         description="留空则由统计时间段得出，写作“起始年—截止年学年”（长横线）")
    calendar_year: str | None = cell(default=None, title="年份写法", max_length=20,
                                      description="留空则写作统计截止日期的年份加“年”字")
    report_format: ReportFormatName | None = cell(default=None, title="报告格式",
                                                   description="报告按哪种格式生成：" + format_text()
                                                   + f"；留空时，年度文件夹中有 {OWN_TEMPLATE} 则用它（{OWN_FORMAT}），"
                                                   + f"否则用“{DEFAULT_FORMAT}”（report-builder formats 列出各格式的说明）")


class DepartmentEntry(Row):
    name: str = cell(title="部门名称", max_length=40, description="与部门填报表的文件名、表内部门名称一致")
    email: str | None = cell(None, title="联络员邮箱", max_length=100,
                             description="可不填：网页收表发催报邮件的地址（一个），如 zhang@xx.edu.cn")


class ChecklistItem(Row):
    number: int = cell(title="序号", ge=1, le=MAX_ITEM_NUMBER)
    category: Category = cell(title="类别")
    title: str = cell(title="公开事项", max_length=200)
    department: str = cell(title="牵头落实单位", max_length=40, description="须是部门名单中的部门")


class OfficeNarrative(Row):
    key: str = cell(title="段落", max_length=MAX_NARRATIVE_NAME,
                     description="段落名称，可自拟（如“新做法新举措”），报告模板中写作 文字.段落名称；"
                                 "只用汉字、字母、数字和下划线，不以数字开头")
    text: str | None = cell(default=None, title="内容", max_length=5000,
                             description="可用 {联络员人数} 等数据名称引用统计数字；只为部门设立的段落可留空")
    by_departments: YesNo | None = cell(default=None, title="由部门填写",
                                         description="选“是”时，各部门填报表“文字材料”的段落下拉列表中列出此段落")


class OfficeChannel(Row):
    name: str = cell(title="公开渠道", max_length=MAX_CHANNEL_NAME,
                      description="各部门填报表“主动公开”中逐行列出的渠道，报告模板中写作 渠道名称条数（如 微博条数）；"
                                  "只用汉字、字母、数字、下划线和括号；本表不填时使用默认的九个渠道")
    identifier: str | None = cell(default=None, title="名称或地址", max_length=MAX_CHANNEL_IDENTIFIER,
                                   description="可不填：该渠道的名称、账号或地址，如 微信公众号“某某学院”（微信号 xxxy）、"
                                               "网址、信箱；报告模板中在“公开渠道”列表的循环里写作 c.标识")


class LastYearFigure(Row):
    name: str = cell(title="数字名称", max_length=40,
                      description="报告中的数字名称，如“主动公开条数”（report-builder fields 列出全部）")
    value: int | None = cell(None, title="上年数值", ge=0, le=MAX_LAST_YEAR_VALUE,
                              description="上一年度报告中的数值，不知道的留空；模板中写作 上年.数字名称")


class OfficeCategory(Row):
    name: str = cell(title="分类", max_length=MAX_CHANNEL_NAME,
                      description="主动公开信息的分类（如按文种：通知、文件、公告公示、通报）；列出后各部门另填“主动公开分类”表，"
                                  "各分类条数之和须等于各渠道条数之和；报告模板中写作 分类名称条数（如 通知条数）；不需要时本表不填")


class OfficeAsked(Row):
    name: str = cell(title="数字名称", max_length=MAX_CHANNEL_NAME,
                      description="党政办公室要各部门填报的其他数字（如 咨询件数、网上咨询件数），各部门另填“其他数字”表，"
                                  "各部门之和是报告模板中的同名数字 {{ 咨询件数 }}；只用汉字、字母、数字和下划线，不以数字开头；"
                                  "不需要时本表不填")
    description: str | None = cell(default=None, title="说明", max_length=100,
                                    description="告诉各部门这个数字怎么数，如“统计时间段内答复的信息公开咨询件数”")


def _disclosure(title: str, description: str) -> Any:
    return cell(None, title=title, ge=0, le=MAX_LAST_YEAR_VALUE, description=description + "；不填的按 0")


class OfficeDisclosure(Row):
    """表二 of the government format (主动公开政府信息情况): figures only the office knows (tables.DISCLOSURE_ROWS)."""

    rules_issued: int | None = _disclosure("规章本年制发件数", "本年制发的规章件数（高校一般为 0）")
    rules_repealed: int | None = _disclosure("规章本年废止件数", "本年废止的规章件数")
    rules_in_force: int | None = _disclosure("规章现行有效件数", "现行有效的规章件数")
    norms_issued: int | None = _disclosure("规范性文件本年制发件数", "本年制发的行政规范性文件件数")
    norms_repealed: int | None = _disclosure("规范性文件本年废止件数", "本年废止的行政规范性文件件数")
    norms_in_force: int | None = _disclosure("规范性文件现行有效件数", "现行有效的行政规范性文件件数")
    licensing: int | None = _disclosure("行政许可决定件数", "本年行政许可处理决定数量")
    penalties: int | None = _disclosure("行政处罚决定件数", "本年行政处罚处理决定数量")
    enforcement: int | None = _disclosure("行政强制决定件数", "本年行政强制处理决定数量")
    fees: int | None = _disclosure("行政事业性收费金额", "本年行政事业性收费金额（元；报告中按万元写出）")


# ---- a department workbook (部门名称.xlsx) -------------------------------------------------------

class DepartmentInfo(Row):
    department: str = cell(title="部门名称", max_length=40, locked=True)
    year_label: str = cell(title="年度", max_length=20, locked=True)
    window_start: dt.date = cell(title="统计起始日期", locked=True)
    window_end: dt.date = cell(title="统计截止日期", locked=True)
    liaison: str = cell(title="信息公开联络员", max_length=20, description="本部门信息公开联络员姓名")
    phone: str | None = cell(None, title="联系电话", max_length=30)


class ChannelCount(Row):
    channel: str = cell(title="公开渠道", max_length=MAX_CHANNEL_NAME, locked=True)  # the office's
    count: int = cell(title="主动公开条数", ge=0, le=MAX_ITEMS, description="统计时间段内通过该渠道主动公开的信息条数")


class CategoryCount(Row):
    category: str = cell(title="分类", max_length=MAX_CHANNEL_NAME, locked=True)  # the office's
    count: int = cell(title="条数", ge=0, le=MAX_ITEMS, description="统计时间段内主动公开的该类信息条数")


class AskedCount(Row):
    name: str = cell(title="数字名称", max_length=MAX_CHANNEL_NAME, locked=True)  # the office's
    description: str | None = cell(default=None, title="说明", max_length=100, locked=True)
    count: int = cell(title="数值", ge=0, le=MAX_ITEMS, description="统计时间段内本部门的数值，没有的填 0")


class ChecklistAnswer(Row):
    number: int = cell(title="序号", ge=1, le=MAX_ITEM_NUMBER, locked=True)
    category: Category = cell(title="类别", locked=True)
    title: str = cell(title="公开事项", max_length=200, locked=True)
    status: Status = cell(title="公开状态")
    link: str | None = cell(None, title="公开栏目链接", max_length=300)


class Application(Row):
    received: dt.date = cell(title="收到日期", description="收到信息公开申请的日期；上年收到、本年办结的申请也逐件填写",
                              days_before_window=CARRIED_OVER_DAYS)
    summary: str = cell(title="申请内容摘要", max_length=200)
    answered: dt.date | None = cell(None, title="答复日期", description="统计截止日期时尚未办结的留空（结转下年度）")
    outcome: Outcome | None = cell(None, title="处理结果", description="已答复的必填；尚未办结的留空")
    reason: RefusalReason | None = cell(None, title="不予公开理由", description="部分公开或不予公开时必填")
    on_time: YesNo | None = cell(None, title="是否按期答复", description="已答复的必填")
    fee: int = cell(0, title="收费金额（元）", ge=0, le=MAX_FEE)
    applicant: ApplicantType = cell(title="申请人类型", description="自然人，或法人及其他组织的类型")


class Case(Row):
    kind: CaseKind = cell(title="类型", description="行政诉讼分“未经复议直接起诉”和“复议后起诉”")
    date: dt.date = cell(title="日期", description="收到举报或复议、诉讼立案的日期")
    summary: str = cell(title="事由", max_length=200)
    result: CaseResult = cell(title="结果", description="统计截止日期时的结果；尚未审结的选“尚未审结”")


class Activity(Row):
    kind: ActivityKind = cell(title="类型")
    date: dt.date = cell(title="日期")
    summary: str = cell(title="内容", max_length=200)
    people: int | None = cell(None, title="参加人次", ge=0, le=MAX_PEOPLE)


class DepartmentNarrative(Row):
    key: str = cell(title="段落", max_length=MAX_NARRATIVE_NAME)  # a drop-down of the office's names (forms)
    text: str = cell(title="内容", max_length=5000, description="可用 {主动公开条数} 等数据名称引用统计数字")


# ---- sheets ---------------------------------------------------------------------------------------

# Layout constants shared by the template writer and the reader.
TITLE_ROW, HEADER_ROW, FIRST_DATA_ROW = 1, 2, 3

OFFICE_FILE = "年度总表.xlsx"
OFFICE_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("基本信息", "info", OfficeInfo, "form", "学校与年度的基本信息"),
    SheetSpec("部门名单", "departments", DepartmentEntry, "table", "须报送填报表的部门（每行一个）", blank_rows=60),
    SheetSpec("公开事项清单", "checklist", ChecklistItem, "table", "本校信息公开事项清单（每行一项）", blank_rows=80),
    SheetSpec("文字材料", "narratives", OfficeNarrative, "table", "党政办公室撰写的报告段落（每段一行，同一段落可多行）", blank_rows=20),
    SheetSpec("公开渠道", "channels", OfficeChannel, "table", "各部门填报主动公开条数的渠道（每行一个；不填则用默认的九个渠道）",
              blank_rows=20, required=False),
    SheetSpec("公开分类", "categories", OfficeCategory, "table", "主动公开信息的分类（每行一个；不需要按分类统计时不填）",
              blank_rows=10, required=False),
    SheetSpec("部门填报的数字", "asked", OfficeAsked, "table",
              "要各部门另外填报的数字（如 咨询件数；每行一个，各部门之和是报告中的同名数字；不需要时不填）",
              blank_rows=10, required=False),
    SheetSpec("上年数字", "last_year", LastYearFigure, "table",
              "上一年度报告中的数字（第一次用本工具时填写；用 build --from 指定上年报告时不必填）", required=False),
    SheetSpec("政府信息数据", "disclosure", OfficeDisclosure, "form",
              "政府信息公开工作年度报告“表二”的数字（使用政府格式时填写；不填的按 0）", required=False),
)
DEPARTMENT_SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec("基本信息", "info", DepartmentInfo, "form", "部门基本信息"),
    SheetSpec("主动公开", "counts", ChannelCount, "table", "统计时间段内主动公开的信息条数（按渠道，没有的填 0）",
              answered=True),
    SheetSpec("清单事项", "checklist", ChecklistAnswer, "table", "本部门牵头落实的清单事项"),
    SheetSpec("依申请公开", "applications", Application, "table", "收到的信息公开申请（每件一行）", blank_rows=50,
              answered=True),
    SheetSpec("举报复议诉讼", "cases", Case, "table", "因信息公开工作受到的举报、复议、诉讼（每件一行）", blank_rows=30,
              answered=True),
    SheetSpec("工作记录", "activities", Activity, "table", "评议、培训、督查、校情发布会等工作（每次一行）", blank_rows=50,
              answered=True),
    SheetSpec("文字材料", "narratives", DepartmentNarrative, "table", "本部门撰写的报告段落（没有则不填）", blank_rows=10),
    # only when the office lists categories (年度总表 › 公开分类)
    SheetSpec("主动公开分类", "breakdown", CategoryCount, "table", "主动公开信息条数按分类统计（合计须等于“主动公开”表各渠道之和）",
              required=False, answered=True),
    # only when the office asks for figures of its own (年度总表 › 部门填报的数字)
    SheetSpec("其他数字", "asked", AskedCount, "table", "党政办公室要各部门填报的其他数字（如咨询件数），按“说明”填写数值",
              required=False, answered=True),
)
INSTRUCTIONS_SHEET = "填表说明"
# The control in the first row of each sheet a department answers (SheetSpec.answered): its label, and the choice
# that says "nothing to report here" (intake/completeness.py reads it; outputs/forms.py writes it).
NOTHING_LABEL, NOTHING_CHOICES = "本部门本年度无此项", ("是", "否")
LISTS_SHEET = "_lists"  # hidden; written only when a drop-down list is too long for Excel's 255 characters
FEEDBACK_SHEET = "问题清单"  # the first sheet of a feedback copy (反馈表)
RESERVED_SHEETS = frozenset({INSTRUCTIONS_SHEET, LISTS_SHEET, FEEDBACK_SHEET})  # ours, never a sheet of data
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")  # a workbook in a year folder (.xls: read, never written)
OPENXML_SUFFIXES = (".xlsx", ".xlsm")  # the workbooks we can copy and mark (feedback)


# ---- the data read from a year's workbooks -------------------------------------------------------

@dataclass(frozen=True, kw_only=True)
class Placement:
    """Where a sheet's records were found: the sheet's real name, each field's column, each record's row."""

    sheet: str
    letters: dict[str, str]
    rows: tuple[int, ...]
    form_cells: dict[str, str] = field(default_factory=dict)  # form sheets: field → cell

    def cell(self, index: int, field: str) -> str:
        if self.form_cells:
            return self.form_cells.get(field, "")
        return f"{self.letters[field]}{self.rows[index]}" if field in self.letters else ""


@dataclass(frozen=True, kw_only=True)
class OfficeWorkbook:
    file: str
    places: dict[str, Placement]
    info: OfficeInfo
    departments: tuple[DepartmentEntry, ...]
    checklist: tuple[ChecklistItem, ...]
    narratives: tuple[OfficeNarrative, ...]
    channels: tuple[OfficeChannel, ...] = ()  # none: the default CHANNELS (a workbook without the sheet)
    categories: tuple[OfficeCategory, ...] = ()  # none: no breakdown of 主动公开条数
    asked: tuple[OfficeAsked, ...] = ()  # figures the office asks every department for (咨询件数…)
    last_year: tuple[LastYearFigure, ...] = ()  # last year's figures typed by the office (first year)
    disclosure: tuple[OfficeDisclosure, ...] = ()  # 表二 of the government format (a form: one record or none)


@dataclass(frozen=True, kw_only=True)
class DepartmentWorkbook:
    file: str
    places: dict[str, Placement]
    info: DepartmentInfo
    counts: tuple[ChannelCount, ...]
    checklist: tuple[ChecklistAnswer, ...]
    applications: tuple[Application, ...]
    cases: tuple[Case, ...]
    activities: tuple[Activity, ...]
    narratives: tuple[DepartmentNarrative, ...]
    breakdown: tuple[CategoryCount, ...] = ()  # only when the office lists categories
    asked: tuple[AskedCount, ...] = ()  # only when the office asks for figures of its own


CHANNELS: tuple[str, ...] = get_args(Channel)
