"""Human cell values: dates and numbers typed as text are read with a warning that says what was
understood; anything ambiguous is an error, never a guess. First `cells.parse_cell` alone, then the
same values typed into the real templates and checked with `pipeline.check_submissions`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from years import ACT, APP, E, W, act, app, check, department, error_codes, rows, steps, the

from report_builder.intake.cells import _UNSAFE_CHARS, BLANK, parse_cell, show
from report_builder.outputs.filling import fill_department
from report_builder.schema import Activity, Application, ChannelCount, ChecklistAnswer, Column, columns

DATE = next(c for c in columns(Application) if c.field == "received")
FEE = next(c for c in columns(Application) if c.field == "fee")
COUNT = next(c for c in columns(ChannelCount) if c.field == "count")
OUTCOME = next(c for c in columns(Application) if c.field == "outcome")
SUMMARY = next(c for c in columns(Activity) if c.field == "summary")
SEPT_1 = dt.date(2017, 9, 1)


# ---- dates --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "2017.9.1", "2017/9/1", "2017-09-01", "2017-9-1", "2017年9月1日", "2017年09月01号", "2017 年 9 月 1 日",
    "２０１７年９月１日", "２０１７．９．１", "2017－09－01", " 2017-09-01 ", "20170901", "2017/9/1 10:30",
    "2017-09-01 00:00:00",
])
def test_a_date_typed_as_text_is_read_with_a_warning(text: str) -> None:
    parsed = parse_cell(text, DATE)
    assert (parsed.value, parsed.code) == (SEPT_1, "date-as-text")
    assert "2017-09-01" in parsed.detail  # says what it understood


@pytest.mark.parametrize("text", ["17.9.1", "9/1/2017", "1/9/2017", "2017年9月", "2017.9", "2017-9", "9月1日",
                                  "17年9月1日", "9/1"])
def test_an_ambiguous_date_is_an_error(text: str) -> None:
    parsed = parse_cell(text, DATE)
    assert (parsed.value, parsed.code) == (None, "ambiguous-date")


@pytest.mark.parametrize("raw", ["下周一", "2017-02-30", "2017.13.1", "二〇一七年九月一日", True, dt.time(9, 30)])
def test_what_is_not_a_date_is_an_error(raw: Any) -> None:
    parsed = parse_cell(raw, DATE)
    assert (parsed.value, parsed.code) == (None, "not-a-date")


@pytest.mark.parametrize("raw", [SEPT_1, dt.datetime(2017, 9, 1), dt.datetime(2017, 9, 1, 15, 30)])
def test_a_real_date_is_read_silently(raw: Any) -> None:
    assert parse_cell(raw, DATE).value == SEPT_1
    assert parse_cell(raw, DATE).code is None


# ---- numbers ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [
    ("12", 12), ("１２", 12), (" 12 ", 12), ("12条", 12), ("12 条", 12), ("１２条", 12), ("12人次", 12),
    ("12.0", 12), ("1,200", 1200), ("0", 0),
])
def test_a_number_typed_as_text_is_read_with_a_warning(text: str, value: int) -> None:
    parsed = parse_cell(text, COUNT)
    assert (parsed.value, parsed.code) == (value, "number-as-text")
    assert str(value) in parsed.detail


@pytest.mark.parametrize(("raw", "code"), [
    ("十二", "not-a-number"), ("约12条", "not-a-number"), (True, "not-a-number"), (SEPT_1, "not-a-number"),
    ("12.5", "not-whole-number"), (12.5, "not-whole-number"), ("２.５", "not-whole-number"),
    (-3, "negative-number"), ("-3", "negative-number"), ("−3", "negative-number"), ("－３条", "negative-number"),
])
def test_a_wrong_number_is_an_error(raw: Any, code: str) -> None:
    parsed = parse_cell(raw, FEE)
    assert (parsed.value, parsed.code) == (None, code)


PEOPLE = next(c for c in columns(Activity) if c.field == "people")
NUMBER = next(c for c in columns(ChecklistAnswer) if c.field == "number")


@pytest.mark.parametrize(("column", "bound"), [(COUNT, 100_000), (FEE, 1_000_000), (PEOPLE, 100_000),
                                               (NUMBER, 10_000)])
def test_every_number_has_an_upper_bound(column: Column, bound: int) -> None:
    assert column.maximum == bound
    assert (parse_cell(bound, column).value, parse_cell(bound, column).code) == (bound, None)
    for raw in (bound + 1, float(bound + 1), f"{bound + 1}", f"{bound + 1}条"):
        parsed = parse_cell(raw, column)
        assert (parsed.value, parsed.code) == (None, "number-too-large"), raw
        assert str(bound) in parsed.detail  # says the bound


@pytest.mark.parametrize(("raw", "code"), [
    (1e308, "number-too-large"), (10**30, "number-too-large"), ("9" * 5000, "number-too-large"),
    ("１" * 5000 + "条", "number-too-large"), (float("inf"), "not-a-number"), (float("-inf"), "not-a-number"),
    (float("nan"), "not-a-number"),
])
def test_an_absurd_number_is_an_error_not_a_figure(raw: Any, code: str) -> None:
    parsed = parse_cell(raw, FEE)
    assert (parsed.value, parsed.code) == (None, code)
    assert len(show(raw)) < 5010 if isinstance(raw, str) else len(show(raw)) < 40  # 1e308 is not 309 digits


@pytest.mark.parametrize(("raw", "text"), [
    (None, ""), (True, "TRUE"), (False, "FALSE"), (7, "7"), (7.0, "7"), (7.5, "7.5"), ("2017.9.1", "2017.9.1"),
    (dt.date(2018, 3, 5), "2018-03-05"), (dt.datetime(2018, 3, 5), "2018-03-05"),
    (dt.datetime(2018, 3, 5, 10, 30), "2018-03-05 10:30:00"), (dt.time(10, 30), "10:30:00"),
])
def test_a_cell_is_shown_as_excel_shows_it(raw: Any, text: str) -> None:
    assert show(raw) == text


def test_leading_zeros_are_not_digits_of_the_number() -> None:
    assert parse_cell("0" * 5000 + "12", COUNT).value == 12


def test_a_real_whole_number_is_read_silently() -> None:
    assert parse_cell(12, COUNT) == parse_cell(12.0, COUNT)
    assert (parse_cell(12.0, COUNT).value, parse_cell(12.0, COUNT).code) == (12, None)


# ---- text and lists -----------------------------------------------------------------------------

@pytest.mark.parametrize("column", [DATE, FEE, SUMMARY, OUTCOME])
@pytest.mark.parametrize("raw", [None, "", "   ", "\u3000"])
def test_a_blank_cell_is_blank_for_any_column(column: Column, raw: Any) -> None:
    assert parse_cell(raw, column) == BLANK


def test_text_is_stripped_and_checked_against_its_limit() -> None:
    assert parse_cell("  信息公开培训 ", SUMMARY).value == "信息公开培训"
    assert parse_cell("长" * 200, SUMMARY).code is None
    assert parse_cell("长" * 201, SUMMARY).code == "text-too-long"
    assert parse_cell(13800000000, SUMMARY).value == "13800000000"  # a phone number typed as a number
    assert parse_cell(True, SUMMARY).code == "not-text"


@pytest.mark.parametrize(("raw", "value", "removed"), [
    ("R&D\x01 <研发> a<b", "R&D <研发> a<b", ["U+0001"]),
    ("\x00a\x08b\x0bc\x0cd\x1fe", "abcde", ["U+0000", "U+0008", "U+000B", "U+000C", "U+001F"]),
    ("部门\u202e网站\u202c", "部门网站", ["U+202E", "U+202C"]),
    ("\u2066甲\u2069\u202a乙\u202d", "甲乙", ["U+2066", "U+2069", "U+202A", "U+202D"]),
    ("标\ue000记\ue001\ue002", "标记", ["U+E000", "U+E001", "U+E002"]),
    ("a\ufffe\uffffb\ud800", "ab", ["U+FFFE", "U+FFFF", "U+D800"]),
])
def test_characters_xml_cannot_hold_are_removed_with_a_warning(raw: str, value: str, removed: list[str]) -> None:
    parsed = parse_cell(raw, SUMMARY)
    assert (parsed.value, parsed.code) == (value, "text-control-character")
    assert [part for part in removed if part in parsed.detail] == removed


def test_tabs_and_line_breaks_stay_and_a_choice_is_cleaned_too() -> None:
    assert parse_cell("第一行\n第二行\t完", SUMMARY) == parse_cell("第一行\n第二行\t完", SUMMARY)._replace(code=None)
    assert parse_cell("第一行\n第二行\t完", SUMMARY).value == "第一行\n第二行\t完"
    parsed = parse_cell("予以\x07公开", OUTCOME)
    assert (parsed.value, parsed.code) == ("予以公开", "text-control-character")


def test_the_fast_path_skips_only_printable_text() -> None:
    # parse_cell looks for unsafe characters only in text that str.isprintable() rejects
    unsafe = [chr(c) for c in range(0x10000) if _UNSAFE_CHARS.match(chr(c))]
    assert len(unsafe) == 29 + 2048 + 2 + 5 + 4 + 3
    assert not any(c.isprintable() for c in unsafe)


@pytest.mark.parametrize("raw", ["\x01", "\x01 \x02", "\u202e", " \ue000 "])
def test_a_cell_of_nothing_but_such_characters_is_blank(raw: str) -> None:
    assert parse_cell(raw, SUMMARY) == BLANK


def test_a_choice_must_be_one_of_the_list() -> None:
    assert parse_cell(" 予以公开 ", OUTCOME).value == "予以公开"
    assert parse_cell("同意", OUTCOME).code == "not-in-list"
    assert parse_cell(1, OUTCOME).code == "not-in-list"


# ---- the same, typed into the real templates ----------------------------------------------------

def test_text_dates_and_numbers_in_a_workbook_are_read_with_warnings(tmp_path: Path) -> None:
    report = check(tmp_path, {"教务处.xlsx": steps(
        rows("依申请公开", app(received="2017.9.1", answered="２０１８年８月３１日", fee="１２元")),
        rows("工作记录", act(date="2017年9月1日", people=" 30 ")),
        rows("主动公开", {"count": "12条"}),
    )})
    assert error_codes(report) == set()
    for code, sheet, cell, understood in [
        ("date-as-text", "依申请公开", "A3", "2017-09-01"), ("date-as-text", "依申请公开", "C3", "2018-08-31"),
        ("number-as-text", "依申请公开", "G3", "12"), ("date-as-text", "工作记录", "B3", "2017-09-01"),
        ("number-as-text", "工作记录", "D3", "30"), ("number-as-text", "主动公开", "B3", "12"),
    ]:
        finding = the(report, code, "教务处.xlsx", sheet, cell)
        assert finding.severity is W
        assert understood in finding.message
    wb = department(report, "教务处.xlsx")
    assert dataclasses.asdict(wb.applications[0]) == {**APP, "received": SEPT_1, "answered": dt.date(2018, 8, 31),
                                               "fee": 12, "reason": None}
    assert dataclasses.asdict(wb.activities[0]) == {**ACT, "date": SEPT_1, "people": 30}
    assert wb.counts[0].count == 12


@pytest.mark.parametrize("text", ["17.9.1", "9/1/2017", "2017年9月"])
def test_an_ambiguous_date_in_a_workbook_rejects_its_row(tmp_path: Path, text: str) -> None:
    report = check(tmp_path, {"教务处.xlsx": rows("依申请公开", APP, app(received=text))})
    assert the(report, "ambiguous-date", "教务处.xlsx", "依申请公开", "A4").severity is E
    assert error_codes(report) == {"ambiguous-date"}
    assert len(department(report, "教务处.xlsx").applications) == 1


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904])
def test_real_dates_read_right_in_both_date_systems(tmp_path: Path, epoch: dt.datetime | None) -> None:
    days = [dt.date(2017, 9, 1), dt.date(2018, 2, 28), dt.date(2018, 8, 31)]

    def fill(wb: Any) -> None:
        if epoch is not None:
            wb.epoch = epoch
        fill_department(wb, "工作记录", [act(date=day) for day in days])
        fill_department(wb, "依申请公开", [app(received=dt.datetime(2018, 3, 5, 9, 30))])
    report = check(tmp_path, {"教务处.xlsx": fill})
    path = tmp_path / "2017-2018" / "教务处.xlsx"
    with zipfile.ZipFile(path) as archive:
        assert (b'date1904="1"' in archive.read("xl/workbook.xml")) is (epoch is not None)
    assert openpyxl.load_workbook(path).epoch == (epoch or openpyxl.utils.datetime.CALENDAR_WINDOWS_1900)
    assert report.findings == ()
    wb = department(report, "教务处.xlsx")
    assert [a.date for a in wb.activities] == days
    assert wb.applications[0].received == dt.date(2018, 3, 5)
    assert (wb.info.window_start, wb.info.window_end) == (dt.date(2017, 9, 1), dt.date(2018, 8, 31))


# ---- hostile values in a workbook (issue 9) -----------------------------------------------------

def test_a_control_character_saved_by_excel_is_removed_from_the_text_with_a_warning(tmp_path: Path) -> None:
    # Excel stores U+0001 as "_x0001_" and the reader decodes it; in the Word XML it made docxtpl's
    # recovering parser drop every <, > and & after it in the whole report
    report = check(tmp_path, {"教务处.xlsx": rows("工作记录", act(summary="R&D_x0001_ <研发> a<b\u202e"))})
    finding = the(report, "text-control-character", "教务处.xlsx", "工作记录", "C3")
    assert finding.severity is W
    assert "U+0001" in finding.message and "U+202E" in finding.message
    assert error_codes(report) == set()
    assert department(report, "教务处.xlsx").activities[0].summary == "R&D <研发> a<b"


@pytest.mark.parametrize(("sheet", "record", "cell"), [
    ("主动公开", {"count": 1e308}, "B3"),
    ("主动公开", {"count": "9" * 5000}, "B3"),
    ("依申请公开", app(fee=10**15), "G3"),
    ("工作记录", act(people=100_001), "D3"),
])
def test_an_absurd_number_in_a_workbook_is_an_error_at_its_cell_and_the_file_is_read(
        tmp_path: Path, sheet: str, record: dict[str, object], cell: str) -> None:
    report = check(tmp_path, {"教务处.xlsx": rows(sheet, record)})
    assert the(report, "number-too-large", "教务处.xlsx", sheet, cell).severity is E
    assert error_codes(report) == {"number-too-large"}
    [result] = [r for r in report.files if r.file == "教务处.xlsx"]
    assert result.tally.rejected == 1 and result.tally.accepted == result.tally.read - 1 >= 10
