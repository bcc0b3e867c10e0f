"""Two held-out school structures end to end: office workbook → `templates` → departments fill → `build`.

A university (学校, seven parts, an academic year written “2019-2020学年”, an office-defined paragraph) and a
vocational college (学院, a window ending on 10-25, year label “2020年”, a paragraph opened to departments
and written by two of them). Each Word template is the bundled one edited as an office would in Word
(tests/schools.py); the departments' figures are drawn by code and counted here, never hard-coded.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import openpyxl
from conftest import report_text
from factory import sample_office, write
from schools import (
    SourceRow,
    college_template,
    fill_forms,
    sources_rows,
    steps_after_window,
    university_template,
)

from report_builder import pipeline, template_calls
from report_builder.findings import Severity
from report_builder.schema import OFFICE_FILE, ChecklistItem, DepartmentEntry, OfficeNarrative

UNIVERSITY = "某某大学"
UNIVERSITY_DEPARTMENTS = ("党委办公室", "教务处", "研究生院", "财务处", "招生办公室")
UNIVERSITY_PARTS = ["一、概述", "二、主动公开情况", "三、依申请公开情况", "四、收费及减免情况",
                    "五、举报复议诉讼情况", "六、主要问题及改进措施", "七、其他需要报告的事项"]
COLLEGE = "某某职业技术学院"
COLLEGE_DEPARTMENTS = ("党政办公室", "教务处", "招生就业处", "财务处")
COLLEGE_PARTS = ["一、信息公开工作情况概述", "二、学院信息公开情况", "三、重点领域信息公开情况",
                 "四、主要问题和改进措施"]
KEY_AREAS = "重点领域信息公开情况"
E = Severity.ERROR


def _checklist(departments: tuple[str, ...]) -> tuple[ChecklistItem, ...]:
    items = (("基本信息", "办学规模、校级领导班子简介及分工"), ("招生考试信息", "招生章程及特殊类型招生办法"),
             ("财务、资产及收费信息", "收费项目、收费依据、收费标准及投诉方式"),
             ("教学质量信息", "专业设置、当年新增专业、停招专业名单"))
    return tuple(ChecklistItem(number=n, category=c, title=t, department=departments[n % len(departments)])
                 for n, (c, t) in enumerate(items, 1))


def _start(root: Path, folder: str, office: object) -> Path:
    year = root / folder
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)  # type: ignore[attr-defined]
    return year


def _built(year: Path, out: Path) -> pipeline.BuildResult:
    """The year built as the office does: its own template in the year folder (本校格式), no --template."""
    built = pipeline.build_report(year, out)
    assert built.report is not None, [str(f) for f in built.check.findings + built.render_findings]
    assert not [f for f in built.check.findings if f.severity is E]
    assert built.report_format == "本校格式" and built.template is not None and built.template.origin == "year"
    return built


def _headings(text: list[str], parts: list[str]) -> list[str]:
    return [t for t in text if t in parts]


def test_a_university_with_seven_parts_and_an_academic_year(tmp_path: Path) -> None:
    office = sample_office(
        school_name=UNIVERSITY, self_noun="学校", year_label="2019-2020学年",
        window_start=dt.date(2019, 9, 1), window_end=dt.date(2020, 8, 31), next_year_label="2020-2021学年",
        deadline=dt.date(2020, 9, 15), contact="党委办公室 李老师 010-66666666",
        departments=tuple(DepartmentEntry(name=n) for n in UNIVERSITY_DEPARTMENTS),
        checklist=_checklist(UNIVERSITY_DEPARTMENTS),
        narratives=(
            OfficeNarrative(key="编制依据", text="根据《高等学校信息公开办法》，编制本报告。"),
            OfficeNarrative(key="概述引言", text="{学年度}，{自称}共有{部门数}个部门参与信息公开工作。"),
            OfficeNarrative(key="主要问题", text="个别部门公开不够及时。"),
            OfficeNarrative(key="改进措施", text="{下一学年}，{自称}将进一步规范公开流程。"),
            OfficeNarrative(key="其他需要报告的事项", text="{学年_长横}，{自称}无其他需要报告的事项。"),
        ))
    year = _start(tmp_path, "2019-2020", office)
    forms = pipeline.make_templates(year, tmp_path / "forms")
    assert len(forms.written) == len(UNIVERSITY_DEPARTMENTS) and not forms.findings
    entered = fill_forms(forms.written, year, random.Random(11), (dt.date(2019, 9, 1), dt.date(2020, 8, 31)))

    university_template(year)
    built = _built(year, tmp_path / "out")
    assert built.report is not None
    assert built.summary_line.startswith("格式：本校格式；应有部分 7/7；")  # its own seven headings
    assert built.report.name == "某某大学2019-2020学年信息公开工作年度报告_v1.docx"
    text = report_text(built.report)
    assert text[:2] == [UNIVERSITY, "2019-2020学年信息公开工作年度报告"]
    assert _headings(text, UNIVERSITY_PARTS) == UNIVERSITY_PARTS
    assert "2019-2020学年度，学校共有5个部门参与信息公开工作。" in text  # an office text naming 学年度
    assert "2019—2020学年，学校无其他需要报告的事项。" in text  # the office's own paragraph, 学年_长横
    assert "2020-2021学年，学校将进一步规范公开流程。" in text
    assert text.index("2019—2020学年，学校无其他需要报告的事项。") > text.index("七、其他需要报告的事项")
    assert "报告中统计数据的起止时间为2019年9月1日至2020年8月31日。" in " ".join(text)
    assert f"2019-2020学年学校利用多种渠道，主动向校内和社会公开信息近{entered.proactive}余条。" in text
    assert f"2019-2020学年学校依申请公开收取费用{entered.fees}元。" in text
    requests = f"2019-2020学年学校共受理信息公开申请{len(entered.applications)}件"
    assert any(t.startswith(requests) for t in text), text
    assert not any("2017" in t or "2018" in t or "{{" in t for t in text)

    assert f"2019-2020学年学校因信息公开工作受到举报{entered.complaints}件、行政复议0件、行政诉讼0件。" in text \
        if entered.complaints else text[text.index("五、举报复议诉讼情况") + 1] == "无。"
    assert not template_calls.check_report_template(built.template.path, year)  # type: ignore[union-attr]

    sources = sources_rows(built)
    assert sources["主动公开条数"].value == entered.proactive and sources["收费总额"].value == entered.fees
    assert sources["依申请公开件数"].value == len(entered.applications)
    assert sources["举报件数"].value == entered.complaints
    assert sources["收费总额"].sentence == f"按期答复{len(entered.applications)}件，收取费用{entered.fees}元。"
    _from_departments(sources["主动公开条数"], entered.proactive, UNIVERSITY_DEPARTMENTS)


def test_a_college_whose_year_ends_on_october_25(tmp_path: Path) -> None:
    window = (dt.date(2019, 10, 26), dt.date(2020, 10, 25))
    office = sample_office(
        school_name=COLLEGE, self_noun="学院", year_label="2020年", window_start=window[0], window_end=window[1],
        next_year_label="2021年", deadline=dt.date(2020, 11, 10), contact="党政办公室 周老师 0731-5555555",
        departments=tuple(DepartmentEntry(name=n) for n in COLLEGE_DEPARTMENTS),
        checklist=_checklist(COLLEGE_DEPARTMENTS),
        narratives=(
            OfficeNarrative(key="编制依据", text="根据《高等学校信息公开办法》，编制{年份}信息公开工作报告。"),
            OfficeNarrative(key="主要问题", text="信息公开的及时性有待提高。"),
            OfficeNarrative(key=KEY_AREAS, by_departments="是"),
        ))
    year = _start(tmp_path, "2020", office)
    forms = pipeline.make_templates(year, tmp_path / "forms")
    assert len(forms.written) == len(COLLEGE_DEPARTMENTS) and not forms.findings
    written = {"招生就业处": "招生就业处在招生网公开了招生章程和分省计划，共{主动公开条数}条信息。",
               "财务处": "财务处在校园网公开了收费项目和收费标准。"}
    entered = fill_forms(forms.written, year, random.Random(25), window, paragraphs={
        name: [{"key": KEY_AREAS, "text": text}] for name, text in written.items()})
    assert any(a.received.month == 10 and a.received.year == 2020 for a in entered.applications)

    college_template(year)
    built = _built(year, tmp_path / "out")
    assert built.report is not None
    assert built.summary_line.startswith("格式：本校格式；应有部分 4/4；")
    found = built.check.findings + built.render_findings
    assert "duplicate-narrative" not in {f.code for f in found}  # the office asked several departments to write it
    assert built.report.name == "某某职业技术学院2020年信息公开工作报告_v1.docx"  # named after its title
    text = report_text(built.report)
    assert text[:2] == [COLLEGE, "2020年信息公开工作报告"]
    assert _headings(text, COLLEGE_PARTS) == COLLEGE_PARTS
    assert "根据《高等学校信息公开办法》，编制2020年信息公开工作报告。" in text
    assert "学院信息公开情况、重点领域信息公开情况、主要问题和改进措施等四个部分。报告中统计数据的起止时间为" \
        "2019年10月26日至2020年10月25日。" in " ".join(text)
    part = text[text.index("三、重点领域信息公开情况") + 1:text.index("四、主要问题和改进措施")]
    assert part == [written["招生就业处"].format(主动公开条数=entered.proactive), written["财务处"]]
    requests = f"2020年学院共受理信息公开申请{len(entered.applications)}件"
    assert any(t.startswith(requests) for t in text), text
    assert not any("2019-2020" in t or "{{" in t for t in text)

    assert not template_calls.check_report_template(built.template.path, year)  # type: ignore[union-attr]

    sources = sources_rows(built)
    assert sources["主动公开条数"].value == entered.proactive
    proactive = f"2020年学院利用多种渠道，主动向校内和社会公开信息近{entered.proactive}余条。"
    assert proactive in text and sources["主动公开条数"].sentence == proactive
    assert sources["依申请公开件数"].value == len(entered.applications)
    _from_departments(sources["主动公开条数"], entered.proactive, COLLEGE_DEPARTMENTS)
    wb = openpyxl.load_workbook(built.sources)  # type: ignore[arg-type]
    sentences = [str(row[2]) for row in wb.active.iter_rows(min_row=3, values_only=True) if row[0]]
    assert part[0] in sentences  # the department's paragraph names a figure: 数据来源 lists that sentence too

    late = steps_after_window(year / "财务处.xlsx", window[1] + dt.timedelta(days=1))  # 10-26: next year's
    found = [f for f in pipeline.check_submissions(year).findings if f.file == late.name and f.severity is E]
    assert {(f.code, f.sheet) for f in found} == {("date-outside-window", "依申请公开")}, [str(f) for f in found]
    assert "2019年10月26日至2020年10月25日" in str(found[0]), str(found[0])


def _from_departments(source: SourceRow, total: int, departments: tuple[str, ...]) -> None:
    """The cells listed under a figure are the departments' own cells and add up to it."""
    assert {cell[0] for cell in source.cells} <= set(departments)
    assert all(cell[1] == f"{cell[0]}.xlsx" and cell[2] == "主动公开" for cell in source.cells)
    assert sum(int(cell[4]) for cell in source.cells) == total

