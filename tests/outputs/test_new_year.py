"""Starting a year: `new-year` from the sample year, then the whole next year through every wing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
from conftest import ROOT, edit_workbook, report_text
from factory import sample_office, write
from make_sample_inputs import DEPARTMENTS, channel_counts
from years import template_with

from report_builder import pipeline
from report_builder.findings import OFFICE_FILE as FINDINGS_OFFICE_FILE
from report_builder.findings import Severity
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value
from report_builder.outputs.new_year import next_year_date, next_year_label
from report_builder.schema import (
    INSTRUCTIONS_SHEET,
    LAST_YEAR_MARK,
    OFFICE_FILE,
    OFFICE_NARRATIVE_KEYS,
    OFFICE_SHEETS,
    OfficeDisclosure,
    OfficeNarrative,
)

NEW_WINDOW = "2018年9月1日至2019年8月31日"


def texts_of(path: Path) -> dict[str, list[str]]:
    """Every rule a person sees: 填表说明 lines, each validation's prompt, error and bounds, cell by cell."""
    wb = openpyxl.load_workbook(path)
    found: dict[str, list[str]] = {"instructions": [], "prompts": [], "date_rules": []}
    found["instructions"] = [str(c.value) for c in wb[INSTRUCTIONS_SHEET]["A"] if c.value]
    for ws in wb.worksheets:
        for dv in ws.data_validations.dataValidation:
            found["prompts"] += [dv.prompt or "", dv.error or ""]
            if dv.type == "date":
                found["date_rules"].append(f"{dv.formula1}..{dv.formula2}|{dv.prompt}|{dv.error}")
    return found


def form_values(path: Path, sheet: str) -> dict[str, Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, ws.max_row + 1)}


def column(path: Path, sheet: str, letter: str) -> list[Any]:
    ws = openpyxl.load_workbook(path)[sheet]
    return [c.value for c in ws[letter][2:] if c.value is not None]


def test_labels_and_days_move_on_by_one_year() -> None:
    assert next_year_label("2017-2018年度") == "2018-2019年度"
    assert next_year_label("2019—2020学年") == "2020—2021学年"
    assert next_year_label("2020年") == "2021年"
    assert next_year_label("第12345期") == "第12345期"  # five digits: not a year
    assert next_year_date(dt.date(2019, 10, 25)) == dt.date(2020, 10, 25)
    assert next_year_date(dt.date(2020, 2, 29)) == dt.date(2021, 2, 28)


def test_new_year_carries_last_year_over_with_every_rule_for_the_new_window(sample_year: Path,
                                                                             tmp_path: Path) -> None:
    new = tmp_path / "2018-2019"
    result = pipeline.start_year(new, sample_year)
    assert result.written == (new / OFFICE_FILE,) and not result.findings
    info = form_values(new / OFFICE_FILE, "基本信息")
    assert info["年度名称"] == "2018-2019年度" and info["下一学年名称"] == "2019-2020学年"
    assert info["统计起始日期"].date() == dt.date(2018, 9, 1) and info["统计截止日期"].date() == dt.date(2019, 8, 31)
    assert info["报送截止日期"].date() == dt.date(2019, 9, 20)  # after the window, and accepted (below)
    assert info["学校名称"] == "湖南石油化工职业技术学院" and info["学校自称"] == "学院"
    old, fresh = sample_year / OFFICE_FILE, new / OFFICE_FILE
    assert column(fresh, "部门名单", "A") == column(old, "部门名单", "A") == list(DEPARTMENTS)
    for letter in "ABCD":  # 序号, 类别, 公开事项, 牵头落实单位
        assert column(fresh, "公开事项清单", letter) == column(old, "公开事项清单", letter)
    paragraphs = column(fresh, "文字材料", "B")
    assert paragraphs == [LAST_YEAR_MARK + text for text in column(old, "文字材料", "B")]

    seen = texts_of(fresh)
    assert f"1. 统计时间段：{NEW_WINDOW}。只填写这一时间段内的事项。" in seen["instructions"]
    assert seen["instructions"][0].startswith("湖南石油化工职业技术学院2018-2019年度")
    everything = "\n".join(seen["instructions"] + seen["prompts"] + seen["date_rules"])
    assert "2017" not in everything  # nothing of last year's window is left in a rule, prompt or instruction
    # the office's own date cells define the window: any real date, the new year's as the example
    assert seen["date_rules"] and all(r.startswith("DATE(2000,1,1)..DATE(2099,12,31)|") and "2018-09-01" in r
                                      for r in seen["date_rules"])

    check = pipeline.load_office(new)  # a folder of the new year checks clean but for the marks
    assert check.office is not None
    assert {f.code for f in check.findings} == {"last-year-text"}
    assert [f.cell for f in check.findings] == [f"B{row}" for row in range(3, 3 + len(paragraphs))]
    assert all(f.severity is Severity.WARNING for f in check.findings)


def test_the_whole_next_year_from_the_sample(sample_year: Path, tmp_path: Path) -> None:
    new = tmp_path / "2018-2019"
    assert pipeline.start_year(new, sample_year).written
    edit_workbook(new / OFFICE_FILE, _revise_paragraphs)  # the office revises last year's text
    forms = pipeline.make_templates(new, tmp_path / "forms")
    assert len(forms.written) == len(DEPARTMENTS) and not forms.findings
    for path in forms.written:  # every department template's date rule is the new window
        seen = texts_of(path)
        carried = "2017年8月31日至2019年8月31日"  # 收到日期: an application carried over from last year
        assert seen["date_rules"] and all(r.startswith("DATE(2018,9,1)..DATE(2019,8,31)|") and NEW_WINDOW in r
                                          or r.startswith("DATE(2017,8,31)..DATE(2019,8,31)|") and carried in r
                                          for r in seen["date_rules"])
        assert "2017" not in "\n".join(seen["instructions"] + seen["prompts"]).replace(carried, "")
        wb = openpyxl.load_workbook(path)
        set_form_value(wb, "基本信息", "liaison", "联络员")
        fill_department(wb, "主动公开", channel_counts(20))
        items = wb["清单事项"]
        fill_department(wb, "清单事项", [{"number": row[0].value, "category": row[1].value, "title": row[2].value,
                                          "status": "已公开"} for row in items.iter_rows(min_row=3) if row[0].value])
        fill_department(wb, "依申请公开", [{"received": dt.date(2019, 3, 1), "summary": "申请公开招生计划",
                                           "answered": dt.date(2019, 3, 8), "outcome": "予以公开", "on_time": "是",
                                               "applicant": "自然人"}])
        answer_empty_sheets(wb)
        (new / path.name).write_bytes(save_workbook(wb))

    last = pipeline.build_report(sample_year, tmp_path / "out")  # last year's report, as the office built it
    assert last.report is not None and last.check.data is not None
    template = template_with(tmp_path, "上年主动公开{{ 上年.主动公开条数 }}条，增减{{ 增减.主动公开条数 }}条。")
    built = pipeline.build_report(new, tmp_path / "out", template=template, last_year=last.report)
    assert built.report is not None, [str(f) for f in built.check.findings + built.render_findings]
    assert built.report.name == "湖南石油化工职业技术学院2018-2019年度信息公开工作年度报告_v1.docx"
    text = report_text(built.report)
    assert built.check.data is not None
    before, now = (result.data.figures["主动公开条数"].value for result in (last.check, built.check)
                   if result.data is not None)
    assert f"上年主动公开{before}条，增减{now - before}条。" in text  # 上年 from the sample's own build
    assert text[:2] == ["湖南石油化工职业技术学院", "2018-2019年度信息公开工作年度报告"]
    assert any("2018年9月1日至2019年8月31日" in t for t in text)
    assert not any("2017-2018" in t or "【上年" in t for t in text)

    for name in ("教务处.xlsx", "财务处.xlsx"):  # last year's files dropped into the new folder
        shutil.copy(sample_year / name, new / f"上年{name}")
    check = pipeline.check_submissions(new)
    for name in ("上年教务处.xlsx", "上年财务处.xlsx"):
        found = {f.code for f in check.findings if f.file == name}
        assert {"wrong-year", "wrong-window"} <= found, (name, found)
        wrong = next(f for f in check.findings if f.file == name and f.code == "wrong-year")
        assert wrong.cell == "B4" and "本年度为“2018-2019年度”" in str(wrong)


def _revise_paragraphs(wb: Any) -> None:
    for row in wb["文字材料"].iter_rows(min_row=3):
        if isinstance(row[1].value, str):
            row[1].value = row[1].value.removeprefix(LAST_YEAR_MARK).replace("2017年", "2018年")


def test_new_year_never_overwrites_and_a_blank_one_names_no_school_or_year(tmp_path: Path) -> None:
    blank = pipeline.start_year(tmp_path / "2019-2020")
    [path] = blank.written
    seen = texts_of(path)
    everything = "\n".join(seen["instructions"] + seen["prompts"] + seen["date_rules"])
    assert not re.search(r"(?<![\d(])(19|20)\d\d(?!,1,1\)|,12,31\))", everything), everything
    assert "湖南" not in everything and "学院" not in seen["instructions"][0]
    assert "在“基本信息”表中填写统计起始日期和统计截止日期" in everything
    before = path.read_bytes()
    again = pipeline.start_year(tmp_path / "2019-2020", tmp_path / "nowhere")
    assert not again.written and [f.code for f in again.findings] == ["office-workbook-exists"]
    assert "未覆盖" in str(again.findings[0]) and path.read_bytes() == before


def test_a_blank_office_workbook_filled_from_scratch_checks_clean(tmp_path: Path) -> None:
    year = tmp_path / "2021"
    [path] = pipeline.start_year(year).written
    office = sample_office(year_label="2021年", window_start=dt.date(2021, 1, 1), window_end=dt.date(2021, 12, 31),
                           next_year_label="2022年", deadline=dt.date(2022, 1, 15))
    wb = openpyxl.load_workbook(path)
    for field, value in dataclasses.asdict(office.info).items():
        set_form_value(wb, "基本信息", field, value, specs=OFFICE_SHEETS)
    fill_department(wb, "部门名单", [dataclasses.asdict(d) for d in office.departments], specs=OFFICE_SHEETS)
    fill_department(wb, "公开事项清单", [dataclasses.asdict(i) for i in office.checklist], specs=OFFICE_SHEETS)
    path.write_bytes(save_workbook(wb))
    loaded = pipeline.load_office(year)
    assert loaded.office is not None and not loaded.findings
    assert loaded.office.info.year_label == "2021年"
    assert loaded.office.disclosure == (OfficeDisclosure(),)  # 表二 listed, blank until typed
    typed = [f.name for f in loaded.office.last_year]
    assert "结转下年度件数_自然人" in typed and "予以公开件数_自然人" not in typed  # not every table cell


def test_table_two_is_typed_anew_each_year(tmp_path: Path) -> None:
    new = tmp_path / "2023-2024"
    assert pipeline.start_year(new, ROOT / "inputs" / "2022-2023").written
    last = pipeline.load_office(ROOT / "inputs" / "2022-2023").office
    office = pipeline.load_office(new).office
    assert last is not None and last.disclosure[0].norms_in_force  # last year typed 表二…
    assert office is not None and office.disclosure == (OfficeDisclosure(),)  # …this year starts blank


def test_the_year_folder_is_just_a_folder(tmp_path: Path) -> None:
    year = tmp_path / "2019-2020"
    year.mkdir()
    write(sample_office(year_label="2020年", window_start=dt.date(2020, 1, 1), window_end=dt.date(2020, 12, 31),
                        next_year_label="2021年").office_template(), year / OFFICE_FILE)
    assert not pipeline.load_office(year).findings  # "2020年" in a folder named 2019-2020 is the office's choice
    write(sample_office(year_label="2017-2018年度", window_start=dt.date(2018, 9, 1),
                        window_end=dt.date(2019, 8, 31)).office_template(), year / OFFICE_FILE)
    [finding] = pipeline.load_office(year).findings  # a copied workbook half updated: label and window disagree
    assert (finding.code, finding.sheet, finding.cell) == ("year-label-window", "基本信息", "B5")
    assert "统计时间段为2018年9月1日至2019年8月31日" in str(finding) and "new-year" in finding.hint


def test_templates_writes_nothing_while_the_office_workbook_has_errors(tmp_path: Path) -> None:
    year = tmp_path / "2017-2018"
    year.mkdir()
    office = sample_office()
    bad = [dataclasses.replace(item, department="不存在的处") if item.number == 2 else item
           for item in office.checklist]
    write(sample_office(checklist=tuple(bad)).office_template(), year / OFFICE_FILE)
    result = pipeline.make_templates(year, tmp_path / "forms")
    assert not result.written and not (tmp_path / "forms").exists()
    [finding] = result.findings
    assert (finding.code, finding.file, finding.sheet, finding.cell) == (
        "unknown-department", OFFICE_FILE, "公开事项清单", "D4")
    assert "部门名单" in finding.hint and "请使用本年度下发的模板" not in str(finding)


def test_office_findings_speak_to_the_office(tmp_path: Path) -> None:
    assert FINDINGS_OFFICE_FILE == OFFICE_FILE
    year = tmp_path / "2017-2018"
    year.mkdir()
    wb = sample_office().office_template()
    wb.remove(wb["部门名单"])
    write(wb, year / OFFICE_FILE)
    findings = pipeline.load_office(year).findings
    missing = next(f for f in findings if f.code == "missing-sheet")
    assert "new-year" in missing.hint and "下发的模板" not in missing.hint
    form = sample_office().department_template("教务处")  # the same mistake in a department's file
    form.remove(form["工作记录"])
    [theirs] = [f for f in pipeline.check_file(write(form, tmp_path / "教务处.xlsx"), None).findings
                if f.code == "missing-sheet"]
    assert theirs.hint == "请使用下发的模板填写，不要删除或改名工作表。"


def test_the_report_file_is_named_after_its_title(sample_year: Path, tmp_path: Path) -> None:
    template = tmp_path / "模板.docx"
    _retitle(ROOT / "templates" / "年度报告模板.docx", template, "信息公开工作年度报告", "信息公开工作报告")
    built = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert built.report is not None
    assert built.report.name == "湖南石油化工职业技术学院2017-2018年度信息公开工作报告_v1.docx"
    assert report_text(built.report)[1] == "2017-2018年度信息公开工作报告"


def _retitle(source: Path, target: Path, old: str, new: str) -> None:
    """Edit the default template's title as an office would in Word (the same runs, new words)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item)
            if item.filename == "word/document.xml":
                assert old.encode() in data
                data = data.replace(old.encode(), new.encode(), 1)
            zout.writestr(item, data)


def test_new_year_carries_the_office_paragraph_names_and_year_spellings(tmp_path: Path) -> None:
    old, new = tmp_path / "2017-2018", tmp_path / "2018-2019"
    old.mkdir()
    office = sample_office(school_year_label="2017至2018学年度", narratives=(
        OfficeNarrative(key="新做法新举措", text="推行网上办事。"),
        OfficeNarrative(key="重点领域信息公开情况", by_departments="是")))
    write(office.office_template(), old / OFFICE_FILE)
    assert pipeline.start_year(new, old).written
    assert form_values(new / OFFICE_FILE, "基本信息")["学年度写法"] == "2018至2019学年度"
    ws = openpyxl.load_workbook(new / OFFICE_FILE)["文字材料"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_row=4, max_col=3)]
    assert rows == [["新做法新举措", LAST_YEAR_MARK + "推行网上办事。", None], ["重点领域信息公开情况", None, "是"]]
    blank = pipeline.start_year(tmp_path / "2020").written[0]  # a blank one lists the usual paragraphs to write
    assert column(blank, "文字材料", "A") == list(OFFICE_NARRATIVE_KEYS)


def test_a_blank_year_with_its_own_channels_makes_templates_with_no_error(tmp_path: Path) -> None:
    """The blank 上年数字 lists every default channel's figure; the office replaces the channels and types only
    what it knows: the rows it never typed say nothing, a typed one that is not this year's figure is a warning."""
    year = tmp_path / "2023"
    [path] = pipeline.start_year(year).written
    office = sample_office(year_label="2023年度", window_start=dt.date(2022, 11, 1), window_end=dt.date(2023, 10, 31),
                           next_year_label="2024年度")
    wb = openpyxl.load_workbook(path)
    for field, value in dataclasses.asdict(office.info).items():
        set_form_value(wb, "基本信息", field, value, specs=OFFICE_SHEETS)
    fill_department(wb, "部门名单", [dataclasses.asdict(d) for d in office.departments], specs=OFFICE_SHEETS)
    fill_department(wb, "公开事项清单", [dataclasses.asdict(i) for i in office.checklist], specs=OFFICE_SHEETS)
    channels = wb["公开渠道"]
    for row in range(3, channels.max_row + 1):
        channels.cell(row, 1).value = None
    fill_department(wb, "公开渠道", [{"name": n} for n in ("学院官网", "官方微信公众号", "官方微博")],
                    specs=OFFICE_SHEETS)
    path.write_bytes(save_workbook(wb))
    made = pipeline.make_templates(year, tmp_path / "forms")
    assert len(made.written) == len(office.departments) and made.findings == (), [str(f) for f in made.findings]

    def typed(wb: Any) -> None:
        sheet = wb["上年数字"]
        rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
        sheet.cell(rows["微博条数"], 2).value = 12  # a channel the office no longer lists
        sheet.cell(rows["主动公开条数"], 2).value = 900
        sheet.cell(sheet.max_row + 1, 1).value, sheet.cell(sheet.max_row, 2).value = "主动公开条目", 5

    edit_workbook(path, typed)
    loaded = pipeline.load_office(year)
    assert loaded.office is not None
    said = {(f.severity, f.value, f.detail) for f in loaded.findings}
    assert said == {(Severity.WARNING, "微博条数", "本年度年度总表“公开渠道”表中没有“微博”"),
                    (Severity.WARNING, "主动公开条目", "是不是要写：主动公开条数？")}, said
    assert not any("docs/" in str(f) or "部门数" in str(f) for f in loaded.findings)
    assert pipeline.make_templates(year, tmp_path / "forms2").written  # warnings never stop the forms


def test_a_title_holding_the_school_name_is_not_given_it_twice(sample_year: Path, tmp_path: Path) -> None:
    import docx

    template = tmp_path / "模板.docx"
    document = docx.Document()
    document.add_paragraph("{{ 年份 }}{{ 学校名称 }}信息公开工作年度报告", style="Title")
    document.add_paragraph("本年度共主动公开信息{{ 主动公开条数 }}条。")
    document.save(str(template))
    built = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert built.report is not None, [str(f) for f in built.render_findings]
    assert built.report.name == "2018年湖南石油化工职业技术学院信息公开工作年度报告_v1.docx"


def test_a_chinese_numeral_year_label_moves_on_and_one_without_a_year_is_flagged(tmp_path: Path) -> None:
    assert next_year_label("二〇一七至二〇一八年度") == "二〇一八至二〇一九年度"
    assert next_year_label("二○一九年") == "二○二○年" and next_year_label("一九九九年") == "二〇〇〇年"
    old, new = tmp_path / "2017-2018", tmp_path / "2018-2019"
    old.mkdir()
    write(sample_office(year_label="二〇一七至二〇一八年度", school_year_label="本学年度").office_template(),
          old / OFFICE_FILE)
    started = pipeline.start_year(new, old)
    assert started.written
    assert form_values(new / OFFICE_FILE, "基本信息")["年度名称"] == "二〇一八至二〇一九年度"
    [flagged] = [f for f in started.findings if f.code == "year-label-not-shifted"]
    assert (flagged.sheet, flagged.value, flagged.detail) == ("基本信息", "本学年度", "“学年度写法”")


def test_a_killed_new_year_leaves_no_temporary_for_good(tmp_path: Path) -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # its pid is free: as a killed new-year's would be
    new = tmp_path / "2018-2019"
    new.mkdir()
    left = new / f".{OFFICE_FILE}.{dead.pid}.tmp"
    left.write_bytes(b"half a workbook")
    assert pipeline.start_year(new).written
    assert not left.exists() and [p.name for p in new.iterdir()] == [OFFICE_FILE]


def test_a_window_ending_in_9999_is_a_finding_not_an_internal_error(tmp_path: Path) -> None:
    year = tmp_path / "9998-9999"
    year.mkdir()
    write(sample_office(year_label="9998-9999年度", window_start=dt.date(9998, 9, 1), window_end=dt.date(9999, 8, 31),
                        deadline=dt.date(9999, 12, 31)).office_template(), year / OFFICE_FILE)
    loaded = pipeline.load_office(year)
    bound = "年份应在 1990 至 2999 之间"
    assert [(f.sheet, f.value, f.detail) for f in loaded.findings if f.code == "window-invalid"] == [
        ("基本信息", "9998-09-01", bound), ("基本信息", "9999-08-31", bound)]
    started = pipeline.start_year(tmp_path / "next", year)
    assert not started.written and "window-invalid" in [f.code for f in started.findings]
    assert pipeline.build_report(year, tmp_path / "out").report is None
    assert next_year_date(dt.date(9999, 12, 31)) == dt.date(9999, 12, 31)
