"""Regenerate the sample year inputs/2017-2018/ from code (scripts/make_second_sample.py: 2022-2023).

The office workbook and 15 department workbooks are made with the same template writer
the office uses, then filled the way departments fill them. Through the default template
they give the published 2017-2018 report (../shared/reference/2017-2018-report.txt) word
for word, quirks included: those are the office's words, kept in the narrative cells.

    python scripts/make_sample_inputs.py [OUT_DIR]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook

from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value
from report_builder.outputs.forms import department_workbook, office_workbook
from report_builder.schema import (
    CHANNELS,
    OFFICE_FILE,
    ChecklistItem,
    DepartmentEntry,
    LastYearFigure,
    OfficeCategory,
    OfficeDisclosure,
    OfficeInfo,
    OfficeNarrative,
)

ROOT = Path(__file__).resolve().parent.parent

INFO = OfficeInfo(
    school_name="湖南石油化工职业技术学院",
    self_noun="学院",
    year_label="2017-2018年度",
    window_start=dt.date(2017, 9, 1),
    window_end=dt.date(2018, 8, 31),
    next_year_label="2018-2019学年",
    deadline=dt.date(2018, 9, 20),
    contact="党政办公室 信息公开科（内线 8001）",
)

# department → (liaison, items disclosed in the year): 15 departments, 1000 items in all
DEPARTMENTS: dict[str, tuple[str, int]] = {
    "党政办公室": ("王芳", 260), "组织人事处": ("李强", 60), "宣传统战部": ("张伟", 150),
    "纪检监察室": ("刘洋", 30), "教务处": ("陈静", 110), "学生工作处": ("杨帆", 70),
    "招生就业处": ("赵敏", 90), "财务处": ("黄磊", 40), "科研处": ("周婷", 30),
    "后勤管理处": ("吴刚", 30), "石油工程系": ("徐丽", 30), "化学工程系": ("孙浩", 30),
    "机电工程系": ("胡军", 25), "经济管理系": ("朱琳", 25), "基础课部": ("高峰", 20),
}
# share of each channel in a department's items (the rest goes to 电子公告屏)
CHANNEL_SHARE = {"校园网信息公开专栏": 0.4, "部门网站": 0.25, "微信公众号": 0.15, "信息公告栏": 0.1}

# (category, item, responsible department, status)
CHECKLIST: list[tuple[str, str, str, str]] = [
    ("基本信息", "办学规模、校级领导班子简介及分工、机构设置、专业情况、在校生及教师数量等办学基本情况", "党政办公室", "已公开"),
    ("基本信息", "学院章程及制定的各项规章制度", "党政办公室", "已公开"),
    ("基本信息", "教职工代表大会相关制度、工作报告", "组织人事处", "已公开"),
    ("基本信息", "学术委员会相关制度、年度报告", "科研处", "已公开"),
    ("基本信息", "学院发展规划和年度工作计划", "党政办公室", "已公开"),
    ("基本信息", "信息公开年度报告", "党政办公室", "已公开"),
    ("招生考试信息", "招生章程及特殊类型招生办法", "招生就业处", "已公开"),
    ("招生考试信息", "分批次、分科类招生计划", "招生就业处", "已公开"),
    ("招生考试信息", "单独招生办法、考试成绩及录取结果", "招生就业处", "已公开"),
    ("招生考试信息", "录取程序、录取人数及最低录取分数", "招生就业处", "已公开"),
    ("招生考试信息", "招生咨询及考生申诉渠道", "招生就业处", "已公开"),
    ("招生考试信息", "招生考试重大违规事件及处理结果", "纪检监察室", "已公开"),
    ("财务、资产及收费信息", "财务、资产管理制度", "财务处", "已公开"),
    ("财务、资产及收费信息", "受托管理的各项专项资金及使用情况", "财务处", "已公开"),
    ("财务、资产及收费信息", "收支预算总表、收入预算表、支出预算表", "财务处", "已公开"),
    ("财务、资产及收费信息", "收支决算总表、收入决算表、支出决算表", "财务处", "已公开"),
    ("财务、资产及收费信息", "收费项目、收费依据、收费标准及投诉方式", "财务处", "已公开"),
    ("财务、资产及收费信息", "国有资产管理情况", "财务处", "已公开"),
    ("财务、资产及收费信息", "仪器设备、图书、药品等物资设备采购和重大基建工程的招投标", "后勤管理处", "已公开"),
    ("财务、资产及收费信息", "受捐赠财产的使用与管理情况", "财务处", "已公开"),
    ("人事师资信息", "校级领导干部社会兼职情况", "组织人事处", "已公开"),
    ("人事师资信息", "校级领导干部因公出国（境）情况", "组织人事处", "已公开"),
    ("人事师资信息", "岗位设置管理与聘用办法", "组织人事处", "已公开"),
    ("人事师资信息", "校内中层干部任免、人员招聘信息", "组织人事处", "已公开"),
    ("教学质量信息", "在校学生人数及专业设置情况", "教务处", "已公开"),
    ("教学质量信息", "专任教师数量及结构", "教务处", "已公开"),
    ("教学质量信息", "当年新增专业、停招专业名单", "教务处", "已公开"),
    ("教学质量信息", "全院开设课程总门数、实践教学学分占总学分比例", "教务处", "已公开"),
    ("教学质量信息", "毕业生的规模、结构、就业率、就业流向", "招生就业处", "已公开"),
    ("教学质量信息", "高等职业教育质量年度报告", "教务处", "已公开"),
    ("学生管理服务信息", "学籍管理办法", "教务处", "已公开"),
    ("学生管理服务信息", "学生奖学金、助学金、学费减免、助学贷款、勤工俭学的申请与管理规定", "学生工作处", "已公开"),
    ("学生管理服务信息", "学生奖励处罚办法", "学生工作处", "已公开"),
    ("学生管理服务信息", "学生申诉办法", "学生工作处", "已公开"),
    ("学风建设信息", "学风建设机构", "科研处", "已公开"),
    ("学风建设信息", "学术规范制度", "科研处", "已公开"),
    ("学风建设信息", "学术不端行为查处机制", "科研处", "已公开"),
    ("学位、学科信息", "授予学位的基本要求", "教务处", "暂未涉及"),
    ("学位、学科信息", "拟授予学位人员名单", "教务处", "暂未涉及"),
    ("学位、学科信息", "新增学位授权学科或专业学位授权点", "教务处", "暂未涉及"),
    ("对外交流与合作信息", "中外合作办学情况", "教务处", "暂未开展"),
    ("对外交流与合作信息", "来华留学生管理相关规定", "学生工作处", "暂未涉及"),
    ("其他", "巡视组反馈意见，落实反馈意见整改情况", "纪检监察室", "已公开"),
    ("其他", "自然灾害等突发事件的应急处理预案、预警信息和处置情况", "后勤管理处", "已公开"),
    ("其他", "涉及学院的重大事件的调查和处理情况", "党政办公室", "已公开"),
]

# (kind, date, what) — the office's own work records; the default template does not print them
ACTIVITIES = [
    ("业务培训", dt.date(2017, 10, 18), "组织全院信息公开联络员开展业务培训"),
    ("专项督查", dt.date(2017, 12, 12), "对照学院《清单》对信息公开专栏和各单位主页开展专项督查并通报结果"),
    ("校情发布会", dt.date(2018, 1, 16), "召开校情发布会，通报年度工作和财务收支情况"),
    ("业务培训", dt.date(2018, 4, 11), "组织全院信息公开联络员开展业务培训"),
    ("校情发布会", dt.date(2018, 7, 5), "召开校情发布会，通报招生计划和重点工作进展"),
]

OFFICE_TEXT: list[tuple[str, str]] = [
    ("编制依据", "为深入贯彻教育部办公厅《关于全面推进政务公开工作的实施意见》 （教办厅〔2017〕3号）和《政府信息公开条例》"
     "精神，严格落实教育部关于公布<高等学校信息公开事项清单>的通知》（教办函〔2014〕23号）精神，结合学院信息公开实际情况，"
     "编制了信息公开工作{年度}报告，并按上级要求向社会公布。"),
    ("概述引言", "为保障学院教职员工、在校学生和其他相关主体的知情权、参与权、表达权、监督权，学院于2017年开始全面实施信息公开工作，"
     "信息公开是学院贯彻实施上级有关文件精神的重要措施，也是民主办学和依法治校的一项重要工作。我院主要开展了以下几个方面的工作："),
    ("组织领导", "为推进信息公开工作，学院形成了完整的领导体制和工作班子，成立了以书记、院长为组长，副院级领导为副组长，各职能处室领导为"
     "成员的信息公开领导小组。工作领导小组全面领导信息公开工作，审定信息公开工作规划和有关制度，协调推进信息公开工作，研究决定信息公开"
     "工作中的重大问题，指导和督查信息公开工作的开展。日常办事机构设在党政办公室，具体综合协调信息公开工作。"),
    ("清单落实", "对照教育部公布的《高等学校信息公开清单》，结合学院实际，制定了《{学校名称}信息公开事项清单》，明确清单事项中的牵头"
     "落实单位。下发专门通知，要求学院各相关单位根据《清单》，及时提交需要对外公开或需要更新的内容，切实做到全面、及时、如实公开。"
     "开展专项督查，对照学院《清单》，对校园网信息公开专栏、各单位主页进行监督检查，并及时通报督查结果。"),
    ("制度建设", "学院积极推进信息公开制度建设，根据《高等学校信息公开办法》（教育部令第29号）精神，结合学院的实际情况，制订了"
     "《{学校名称}信息公开实施办法》，进一步明确了信息公开工作的各项内容、公开的形式和范围等，使学院的重大事项及涉及教职工和学生切身"
     "利益的事项得到及时公开，使信息公开的各项工作逐步规范化与制度化。学院还建立了主动公开、依法申请公开等具体的工作流程，规范了信息"
     "发布和公开申请的受理、办理工作。"),
    ("平台队伍", "目前学院正在搭建教育阳光服务平台，平台建成后信息公开专栏将列入其中，同时进一步完善信息公开栏目下的子目录。学院定期召开"
     "校情发布会，将重大事项、教职工关心的工作在全校范围内公开。充分利用校园网站、校办刊物、校园广播、微信公众号、电子公告屏等校内媒体"
     "及时公开学院信息，并在固定场所设置信息公告栏，公开学院信息。涉及需要向社会公开的重大事项，学院及时在省、市各类媒体上进行宣传报道"
     "或者发布公告。建立起了由各处室系部信息公开联络员{联络员人数}人组成的信息公开工作队伍，每学期开展一次业务培训，并经常性的与信息"
     "公开联络员进行业务交流，指导各部门做好信息公开工作。"),
    ("公开内容", "公开的内容主要有：一是规章、制度、数据等有关信息情况。包括学院制定和发布的行政管理类文件，教育教学科研和社会服务等方面"
     "的制度、规划、计划以及统计数据等信息。二是重大决策和办学重要信息。包括学院党委会、院长办公会、行政月度例会、党建月度例会等纪要和"
     "决策进展情况，巡视反馈意见及整改落实情况，财务、资产和收费情况，招生考试信息情况等。三是涉及学院师生员工重大切身利益和需要广泛知晓"
     "及参与的，重点包括：人事师资信息、专业设置、教学质量及毕业生相关信息，学风建设信息和对外交流与合作信息等。"),
    ("主要经验", "以增进全体师生、家长和社会公众对学院的了解，提升学院的整体形象为目标，遵循依法依规决策、公开透明运行的原则，学院不断"
     "完善信息公开制度，充实信息公开内容，为便于各方群体接受信息为出发点，充分利用校内校外信息公开渠道，更好的为广大师生员工和社会公众"
     "提供服务。"),
    ("主要问题", "{年度}，在上级主管部门的关心指导下，学院信息公开工作在优化内容、工作创新等方面取得了一定的进展，但在具体实施过程中还"
     "存在不足之处。主要表现在：部分处室院部信息公开的意识不够；部分师生对公开信息不关心，信息孤岛和信息不对称情况依然存在；信息公开中"
     "的互动交流不够，师生的疑问没有更好地得到解答。"),
    ("改进措施", "{下一学年}，学院将继续贯彻落实上级有关文件精神，进一步深入开展信息公开工作。一是进一步加大信息公开工作宣传力度，强化"
     "师生的信息公开意识，努力推动该项工作迈上新的台阶。二是进一步理顺工作机制，增强工作规范性，提高主动公开工作的时效性和依申请公开"
     "工作的针对性。三是进一步建设好信息公开平台，丰富网上交流互动。"),
]

DEPARTMENT_TEXT: dict[str, list[tuple[str, str]]] = {
    "招生就业处": [("招生工作公开情况", "关于招生工作公开情况。学院始终高度重视招生信息公开工作，深入贯彻实施教育部“阳光招生”工程，"
                   "各个环节均做到公开、公正、透明。通过校内外多种渠道及时发布招生章程、招生计划，并按时发布单独招生、网上录取等信息，"
                   "全面发布录取人数和录取最低分数。设有24小时服务的招生咨询热线和网上招生咨询，解答考生及家长的疑问。同时主动接受社会"
                   "各界监督，纪委全程监督招生各环节。")],
    "财务处": [("财务工作公开情况", "关于财务工作公开情况。学院坚持教育收费项目及标准信息公开制度，做到及时上报和及时公开、更新。"
               "近年来，通过湖南省教育厅信息公开网站向全社会公开了财务收支预决算信息，同时也在校内通过校情发布会和学院网站信息公开"
               "栏目公布了相关信息。")],
}


Row = dict[str, object]  # one row of a sheet, by field name, as a department types it


@dataclass(frozen=True)
class SampleYear:
    """One bundled year: what the office decided and what each department typed (by department name)."""

    info: OfficeInfo
    departments: dict[str, tuple[str, int]]  # name → (liaison, items disclosed in the year)
    checklist: list[tuple[str, str, str, str]]  # (category, item, responsible department, status)
    activities: list[tuple[str, dt.date, str]]  # the office's work records (工作记录 of the first department)
    office_text: list[tuple[str, str]]
    department_text: dict[str, list[tuple[str, str]]]
    channel_share: dict[str, float] = field(default_factory=lambda: CHANNEL_SHARE)
    categories: dict[str, float] = field(default_factory=dict)  # 公开分类 → share (the last takes the rest)
    link: str | None = None  # 公开栏目链接 of an 已公开 item: this with the item's number filled in
    applications: dict[str, list[Row]] = field(default_factory=dict)
    cases: dict[str, list[Row]] = field(default_factory=dict)
    disclosure: OfficeDisclosure | None = None
    last_year: dict[str, int] = field(default_factory=dict)


def checklist(year: SampleYear) -> list[ChecklistItem]:
    return [ChecklistItem(number=i, category=cat, title=title, department=dept)  # type: ignore[arg-type]
            for i, (cat, title, dept, _) in enumerate(year.checklist, start=1)]


def shares(total: int, share: dict[str, float], names: tuple[str, ...], rest: str) -> dict[str, int]:
    """`total` split by `share` (rounded down) over `names`; `rest` takes what is left."""
    counts = {name: int(total * share.get(name, 0)) for name in names}
    counts[rest] += total - sum(counts.values())
    return counts


def channel_counts(total: int, share: dict[str, float] = CHANNEL_SHARE) -> list[dict[str, object]]:
    counts = shares(total, share, CHANNELS, "电子公告屏")
    return [{"channel": ch, "count": counts[ch]} for ch in CHANNELS]


def office_book(year: SampleYear, items: list[ChecklistItem]) -> Workbook:
    """The office's 年度总表 of the year."""
    return office_workbook(year.info, [DepartmentEntry(name=n) for n in year.departments], items,
                           [OfficeNarrative(key=k, text=t) for k, t in year.office_text],  # type: ignore[arg-type]
                           categories=[OfficeCategory(name=c) for c in year.categories],
                           last_year=[LastYearFigure(name=n, value=v) for n, v in year.last_year.items()],
                           disclosure=year.disclosure)


def department_book(year: SampleYear, items: list[ChecklistItem], name: str) -> Workbook:
    """One department's 填报表, generated by the office and filled as the department does."""
    liaison, total = year.departments[name]
    mine = [item for item in items if item.department == name]
    wb = department_workbook(year.info, name, mine, categories=tuple(year.categories))
    set_form_value(wb, "基本信息", "liaison", liaison)
    fill_department(wb, "主动公开", channel_counts(total, year.channel_share))
    if year.categories:
        names = tuple(year.categories)
        counts = shares(total, year.categories, names, names[-1])
        fill_department(wb, "主动公开分类", [{"count": counts[c]} for c in names])
    statuses = {i: status for i, (_, _, _, status) in enumerate(year.checklist, start=1)}
    fill_department(wb, "清单事项", [{**{k: v for k, v in dataclasses.asdict(item).items() if k != "department"},
                                    "status": statuses[item.number],
                                    **_link(year, item.number, statuses[item.number])} for item in mine])
    fill_department(wb, "依申请公开", year.applications.get(name, []))  # type: ignore[arg-type]
    fill_department(wb, "举报复议诉讼", year.cases.get(name, []))  # type: ignore[arg-type]
    if name == next(iter(year.departments)):
        fill_department(wb, "工作记录", [{"kind": k, "date": d, "summary": s} for k, d, s in year.activities])
    fill_department(wb, "文字材料", [{"key": k, "text": t} for k, t in year.department_text.get(name, [])])
    answer_empty_sheets(wb)  # 本部门本年度无此项 on each sheet it has nothing for
    return wb


def _link(year: SampleYear, number: int, status: str) -> dict[str, object]:
    return {"link": year.link.format(number)} if year.link and status == "已公开" else {}


def write_year(out: Path, year: SampleYear | None = None) -> list[Path]:
    """Write the office workbook and one workbook per department into `out` (default: this sample)."""
    year = year or SAMPLE
    out.mkdir(parents=True, exist_ok=True)
    items = checklist(year)
    written = [out / OFFICE_FILE]
    written[0].write_bytes(save_workbook(office_book(year, items)))
    for name in year.departments:
        path = out / f"{name}.xlsx"
        path.write_bytes(save_workbook(department_book(year, items, name)))
        written.append(path)
    return written


SAMPLE = SampleYear(INFO, DEPARTMENTS, CHECKLIST, ACTIVITIES, OFFICE_TEXT, DEPARTMENT_TEXT)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "inputs" / "2017-2018"
    for path in write_year(out):
        print(path)


if __name__ == "__main__":
    main()
