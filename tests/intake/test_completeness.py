"""Empty is not done (intake/completeness.py, docs/season.md): every sheet a department reports on is answered,
by content or by its 本部门本年度无此项 choice; an untouched form, new or old, is never accepted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from factory import write
from openpyxl.worksheet.worksheet import Worksheet
from years import APP, OFFICE, Change, E, W, app, check, department, make_year, rows, steps, the, typed_department

from report_builder import pipeline
from report_builder.outputs.filling import fill_department, nothing_cell, set_form_value, set_nothing, type_zeros
from report_builder.schema import DEPARTMENT_SHEETS, NOTHING_LABEL

ANSWERED = [s.name for s in DEPARTMENT_SHEETS if s.answered and s.required]  # 主动公开 … 工作记录


def as_sent(root: Path, change: Change) -> pipeline.CheckReport:
    """The year with 教务处's form as `change` leaves it (no 本部门本年度无此项 chosen for it afterwards)."""
    year = make_year(root)
    wb = typed_department(OFFICE, "教务处")
    change(wb)
    write(wb, year / "教务处.xlsx")
    return pipeline.check_submissions(year)


def untouched(wb: Any) -> None:
    """The blank form with only the liaison typed (and the 清单 statuses, required anyway): nothing answered."""
    for name in ANSWERED:
        set_nothing(wb, name, None)
        ws = wb[name]
        for row in ws.iter_rows(min_row=3):
            if name != "主动公开":
                for cell in row:
                    cell.value = None
            else:
                row[1].value = None  # the count; the channel stays, as the office pre-filled it


def old_form(wb: Any) -> None:
    """A form made before the choice existed: no 本部门本年度无此项, counts pre-filled with 0 (as it was sent)."""
    untouched(wb)
    for name in ANSWERED:
        ws = wb[name]
        label = next(c for c in ws[1] if c.value == NOTHING_LABEL)
        label.value = None
    type_zeros(wb)


def test_an_untouched_form_names_each_sheet_left_empty(tmp_path: Path) -> None:
    report = as_sent(tmp_path, untouched)
    found = [f for f in report.findings if f.file == "教务处.xlsx"]
    assert [(f.code, f.sheet, f.cell) for f in found] == [
        ("sheet-not-answered", "主动公开", "E1"), ("sheet-not-answered", "依申请公开", "J1"),
        ("sheet-not-answered", "举报复议诉讼", "F1"), ("sheet-not-answered", "工作记录", "F1")]
    assert all(f.severity is E and f.sheet in f.message and NOTHING_LABEL in f.hint for f in found)
    result = next(r for r in report.files if r.file == "教务处.xlsx")
    assert result.tally.read == result.tally.accepted + result.tally.rejected  # the 9 blank counts: rejected rows


def test_nothing_chosen_answers_a_sheet_and_blank_counts_read_as_zero(tmp_path: Path) -> None:
    def nothing(wb: Any) -> None:
        untouched(wb)
        for name in ANSWERED:
            set_nothing(wb, name)
    report = check(tmp_path, {"教务处.xlsx": nothing})
    assert report.ok and not [f for f in report.findings if f.file == "教务处.xlsx"]
    counts = department(report, "教务处.xlsx").counts
    assert len(counts) == 9 and {c.count for c in counts} == {0}


def test_a_sheet_answered_in_part_asks_for_each_blank_count(tmp_path: Path) -> None:
    def some(wb: Any) -> None:
        untouched(wb)
        fill_department(wb, "主动公开", [{"count": 7}, {"count": 0}])
        for name in ANSWERED[1:]:
            set_nothing(wb, name)
    report = check(tmp_path, {"教务处.xlsx": some})
    required = [f.cell for f in report.findings if f.code == "required" and f.file == "教务处.xlsx"]
    assert required == [f"B{r}" for r in range(5, 12)]  # a typed 0 is an answer; a blank is not
    assert not [f for f in report.findings if f.code == "sheet-not-answered"]


def test_nothing_chosen_with_content_reads_the_content_and_says_so(tmp_path: Path) -> None:
    def both(wb: Any) -> None:
        fill_department(wb, "依申请公开", [APP, app(summary="第二件")])
        set_nothing(wb, "依申请公开")
        fill_department(wb, "主动公开", [{"count": 5}])
        set_nothing(wb, "主动公开")
    report = check(tmp_path, {"教务处.xlsx": both})
    assert report.ok
    warning = the(report, "none-but-filled", "教务处.xlsx", "依申请公开", "J1")
    assert warning.severity is W and "2 行" in warning.message
    assert "1 处不为 0" in the(report, "none-but-filled", "教务处.xlsx", "主动公开", "E1").message
    workbook = department(report, "教务处.xlsx")
    assert len(workbook.applications) == 2 and workbook.counts[0].count == 5


def test_typed_zeros_and_rows_need_no_choice(tmp_path: Path) -> None:
    """What a department that reports something does: 0 typed where it has none, rows where it has some."""
    report = check(tmp_path, {"教务处.xlsx": steps(rows("依申请公开", APP), rows("工作记录", {"kind": "评议",
                                                  "date": APP["received"], "summary": "评议会"}))})
    assert report.ok and not [f for f in report.findings if f.file == "教务处.xlsx"]


def test_an_old_form_left_untouched_is_one_error_naming_its_sheets(tmp_path: Path) -> None:
    report = as_sent(tmp_path, old_form)
    found = [f for f in report.findings if f.file == "教务处.xlsx"]
    assert [(f.code, f.sheet) for f in found] == [("form-untouched", "主动公开")]
    assert found[0].severity is E and all(name in found[0].message for name in ANSWERED)
    assert "旧版" in found[0].hint


def test_an_old_form_with_anything_reported_is_read_as_before(tmp_path: Path) -> None:
    """A year in progress with forms sent before this version: an empty sheet there is no error."""
    def some(wb: Any) -> None:
        old_form(wb)
        fill_department(wb, "主动公开", [{"count": 3}])
    report = check(tmp_path, {"教务处.xlsx": some})
    assert report.ok and not [f for f in report.findings if f.file == "教务处.xlsx"]
    assert department(report, "教务处.xlsx").counts[0].count == 3


def test_the_desk_and_check_say_the_same_of_one_file(tmp_path: Path) -> None:
    report = as_sent(tmp_path, untouched)
    alone = pipeline.check_file(report.year_dir / "教务处.xlsx", report.office)
    in_year = next(r for r in report.files if r.file == "教务处.xlsx")
    assert alone.findings == in_year.findings


def test_the_form_puts_the_choice_beside_each_self_check() -> None:
    wb = OFFICE.department_template("教务处")
    set_form_value(wb, "基本信息", "liaison", "张老师")
    places = {}
    for spec in DEPARTMENT_SHEETS:
        ws = wb[spec.name] if spec.name in wb.sheetnames else None
        if isinstance(ws, Worksheet):
            places[spec.name] = nothing_cell(ws)
    assert places == {"基本信息": "", "主动公开": "E1", "清单事项": "", "依申请公开": "J1", "举报复议诉讼": "F1",
                      "工作记录": "F1", "文字材料": ""}
    choice = wb["依申请公开"]["J1"]
    assert choice.protection.locked is False
    rules = [dv for dv in wb["依申请公开"].data_validations.dataValidation if "J1" in str(dv.sqref)]
    assert len(rules) == 1 and rules[0].formula1 == '"是,否"'
