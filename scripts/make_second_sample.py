"""Regenerate the second sample year inputs/2022-2023/ from code.

The same college five years on, in the government's 2021 format: applications from several kinds of
applicant with every outcome group (one carried over from 2021-2022, one still open at the window's end),
a 举报, a 行政复议 and a 行政诉讼, the office's 政府信息数据 (表二) and 上年数字, a 公开分类 breakdown and
a link for every 已公开 item. Written with make_sample_inputs.write_year, the first sample's writer.

    python scripts/make_second_sample.py [OUT_DIR]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from make_sample_inputs import CHECKLIST, DEPARTMENTS, ROOT, Row, SampleYear, write_year

from report_builder.schema import OfficeDisclosure, OfficeInfo

INFO = OfficeInfo(
    school_name="湖南石油化工职业技术学院",
    self_noun="学院",
    year_label="2022-2023年度",
    window_start=dt.date(2022, 9, 1),
    window_end=dt.date(2023, 8, 31),
    next_year_label="2023-2024学年",
    deadline=dt.date(2023, 9, 15),
    contact="党政办公室 信息公开科（内线 8001）",
)

# The same departments, five years on: new liaisons in some, more items disclosed (1,380 in all).
_LIAISONS = {"党政办公室": "李娜", "教务处": "邓超", "财务处": "彭晓", "科研处": "罗敏"}
_ITEMS = {"党政办公室": 330, "组织人事处": 80, "宣传统战部": 210, "纪检监察室": 40, "教务处": 150, "学生工作处": 95,
          "招生就业处": 120, "财务处": 55, "科研处": 45, "后勤管理处": 40, "石油工程系": 45, "化学工程系": 45,
          "机电工程系": 40, "经济管理系": 35, "基础课部": 50}
DEPARTMENTS_2023 = {name: (_LIAISONS.get(name, liaison), _ITEMS[name]) for name, (liaison, _) in DEPARTMENTS.items()}

# The college's 清单 is the same list; what changed since 2017-2018 is published now.
_NOW_PUBLISHED = {"中外合作办学情况", "来华留学生管理相关规定"}
CHECKLIST_2023 = [(cat, title, dept, "已公开" if title in _NOW_PUBLISHED else status)
                  for cat, title, dept, status in CHECKLIST]
LINK = "https://www.hnpi.edu.cn/xxgk/qd/{:02d}.html"

CHANNEL_SHARE = {"校园网信息公开专栏": 0.35, "部门网站": 0.25, "微信公众号": 0.2, "信息公告栏": 0.05,
                 "校情发布会": 0.02}
CATEGORIES = {"通知公告": 0.45, "规章制度": 0.1, "统计数据": 0.1, "工作动态": 0.35}  # the last takes the rest


def application(received: dt.date, summary: str, applicant: str, answered: dt.date | None = None,
                outcome: str | None = None, reason: str | None = None, on_time: str = "是") -> Row:
    """One 依申请公开 row as typed: an open application leaves 答复日期, 处理结果 and 是否按期答复 blank."""
    row: Row = {"received": received, "summary": summary, "applicant": applicant, "fee": 0}
    if answered is not None:
        row |= {"answered": answered, "outcome": outcome, "on_time": on_time}
    return row | ({"reason": reason} if reason else {})


D = dt.date
APPLICATIONS: dict[str, list[Row]] = {
    "党政办公室": [
        # received in 2021-2022, answered in this year: 上年结转
        application(D(2022, 8, 22), "申请公开学院校园安全管理相关制度", "自然人", D(2022, 9, 8), "予以公开"),
        application(D(2023, 6, 12), "反映某系教师教学态度问题并要求公开处理结果", "自然人", D(2023, 6, 19),
                    "不予处理（信访举报投诉类申请）"),
    ],
    "教务处": [
        application(D(2022, 10, 11), "申请公开2022年新增专业备案材料", "自然人", D(2022, 10, 25), "予以公开"),
        application(D(2023, 3, 6), "申请公开2022级化工专业学生成绩排名", "自然人", D(2023, 3, 20), "部分公开",
                    "保护第三方合法权益"),
    ],
    "招生就业处": [
        application(D(2022, 11, 14), "申请公开2022届毕业生就业质量年度报告", "商业企业", D(2022, 11, 28), "予以公开"),
        application(D(2023, 8, 21), "申请公开2023年单独招生各专业录取分数", "自然人"),  # 结转下年度
    ],
    "财务处": [
        application(D(2022, 12, 5), "申请公开2022年实训设备采购项目评审材料", "商业企业", D(2022, 12, 26), "部分公开",
                    "三类内部事务信息", on_time="否"),
    ],
    "科研处": [
        application(D(2023, 4, 10), "申请公开在研横向课题的经费使用明细", "科研机构", D(2023, 4, 24), "不予公开",
                    "四类过程性信息"),
    ],
    "组织人事处": [
        application(D(2023, 2, 20), "申请公开一名教职工的人事档案材料", "法律服务机构", D(2023, 3, 3), "不予公开",
                    "保护第三方合法权益"),
    ],
    "后勤管理处": [
        application(D(2023, 5, 8), "申请公开2012年学生宿舍改造工程监理日志", "自然人", D(2023, 5, 22),
                    "无法提供（本单位不掌握相关信息）"),
    ],
    "学生工作处": [
        application(D(2023, 3, 27), "申请公开学生资助相关信息（内容不明确，经告知补正后逾期未补正）", "社会公益组织",
                    D(2023, 4, 21), "其他处理（申请人逾期不补正）"),
    ],
}

CASES: dict[str, list[Row]] = {
    "纪检监察室": [{"kind": "举报", "date": D(2022, 11, 2), "summary": "反映学院收费项目调整未及时公开",
                "result": "纠正"}],
    "组织人事处": [
        {"kind": "行政复议", "date": D(2023, 3, 28), "summary": "申请人对不予公开教职工人事档案材料的答复不服",
         "result": "维持"},
        {"kind": "行政诉讼（复议后起诉）", "date": D(2023, 6, 9), "summary": "申请人对复议决定不服，向人民法院起诉",
         "result": "尚未审结"},
    ],
}

DISCLOSURE = OfficeDisclosure(norms_issued=14, norms_repealed=5, norms_in_force=92, fees=43_260_000)

# 2021-2022's report: one application carried over (the 自然人's, answered in September 2022).
LAST_YEAR = {"主动公开条数": 1_215, "依申请公开件数": 6, "结转下年度件数": 1, "结转下年度件数_自然人": 1}

ACTIVITIES = [
    ("业务培训", D(2022, 10, 20), "组织全院信息公开联络员开展政府信息公开新格式业务培训"),
    ("评议", D(2022, 12, 15), "邀请教职工代表和学生代表对学院信息公开工作进行民主评议"),
    ("专项督查", D(2023, 1, 10), "对照学院《清单》对信息公开专栏和各单位主页开展专项督查并通报结果"),
    ("校情发布会", D(2023, 3, 16), "召开校情发布会，通报年度预算和重点工作安排"),
    ("业务培训", D(2023, 4, 18), "组织全院信息公开联络员开展依申请公开办理业务培训"),
]

OFFICE_TEXT: list[tuple[str, str]] = [
    ("编制依据", "根据《中华人民共和国政府信息公开条例》（国务院令第711号）、《高等学校信息公开办法》（教育部令第29"
     "号）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（"
     "国办公开办函〔2021〕30号）要求，结合学院信息公开工作实际，编制{学校名称}信息公开工作{年度}报告，并按上级要求"
     "向社会公布。"),
    ("概述引言", "{年度}，学院以保障师生员工和社会公众的知情权、参与权、表达权、监督权为目标，坚持“以公开为常态、不"
     "公开为例外”，围绕学院中心工作扎实推进信息公开。主要开展了以下几个方面的工作："),
    ("组织领导", "学院信息公开工作领导小组由党委书记、院长任组长，分管副院长任副组长，各职能处室和系部负责人为成员"
     "，统筹审定信息公开年度计划、重要制度和重大事项的公开方案。领导小组办公室设在党政办公室，负责日常协调、依申请"
     "公开的受理转办和年度报告的编制。"),
    ("清单落实", "学院对照教育部《高等学校信息公开事项清单》，逐项明确《{学校名称}信息公开事项清单》的牵头落实单位"
     "和公开栏目，在信息公开专栏为每一项公开事项设置了固定链接。各牵头单位按清单及时更新内容，党政办公室每学期开展"
     "一次专项督查并通报结果。"),
    ("制度建设", "学院根据新修订的《中华人民共和国政府信息公开条例》，修订了《{学校名称}信息公开实施办法》，制定了"
     "依申请公开办理规程，明确了受理、登记、转办、审核、答复和归档各环节的时限与责任，规范了不予公开、无法提供等答"
     "复的依据和告知方式。"),
    ("平台队伍", "学院持续完善信息公开专栏，统一各单位主页的信息公开栏目设置，并通过微信公众号、电子公告屏、信息公"
     "告栏和校情发布会等渠道及时发布信息。学院建立了由各处室系部{联络员人数}名信息公开联络员组成的工作队伍，每学期"
     "开展业务培训，提高依申请公开办理和保密审查的能力。"),
    ("公开内容", "全年主动公开的信息主要包括：学院章程、规章制度和行政规范性文件；招生考试、财务资产及收费、人事师"
     "资、教学质量、学生管理服务和学风建设等清单事项；学院重大决策、重点工作进展和涉及师生切身利益的事项。"),
    ("主要经验", "一是坚持制度先行，以办法和规程规范公开行为；二是坚持清单管理，逐项明确责任单位和公开栏目；三是坚"
     "持公开与保密审查并重，依申请公开做到依法、规范、按期答复。"),
    ("主要问题", "{年度}，学院信息公开工作取得了一定成效，但仍存在一些不足：个别单位信息更新不够及时，依申请公开答"
     "复中存在逾期答复的情况，信息公开专栏的检索和互动功能还有待加强。"),
    ("改进措施", "{下一学年}，学院将从三个方面改进：一是加强对各单位信息更新的日常督查，将信息公开纳入年度考核；二"
     "是完善依申请公开办理台账和时限提醒，确保按期答复；三是升级信息公开专栏，增加检索和留言功能，方便师生和社会公"
     "众获取信息。"),
]

DEPARTMENT_TEXT: dict[str, list[tuple[str, str]]] = {
    "招生就业处": [("招生工作公开情况", "关于招生工作公开情况。学院严格执行招生“阳光工程”，通过学院招生信息网、微信"
        "公众号和省教育考试院平台及时公开招生章程、分专业招生计划、单独招生办法和录取结果，开通招生咨询热线和网上咨"
        "询，纪委全程监督招生录取各环节。")],
    "财务处": [("财务工作公开情况", "关于财务工作公开情况。学院在信息公开专栏公开了部门预算、决算和“三公”经费情况，"
        "公示了收费项目、收费依据和收费标准，并在校情发布会上通报年度财务收支情况。")],
    "学生工作处": [("其他公开情况", "关于学生资助工作公开情况。学院在学生资助专栏公开了国家奖学金、国家助学金和学费"
        "减免的评审办法、评审程序和评审结果，公示期内接受师生监督。")],
}

SECOND = SampleYear(INFO, DEPARTMENTS_2023, CHECKLIST_2023, ACTIVITIES, OFFICE_TEXT, DEPARTMENT_TEXT,
                    channel_share=CHANNEL_SHARE, categories=CATEGORIES, link=LINK, applications=APPLICATIONS,
                    cases=CASES, disclosure=DISCLOSURE, last_year=LAST_YEAR)


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "inputs" / "2022-2023"
    for path in write_year(out, SECOND):
        print(path)


if __name__ == "__main__":
    main()
