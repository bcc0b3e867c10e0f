"""Tests for report_builder.intake.reader: values, positions, date systems, old .xls, failures as findings."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hostile import NS, has, package_parts, write_encrypted_lookalike, write_xls, write_zip
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from report_builder.findings import Finding
from report_builder.intake.reader import CellError, RawSheet, RawWorkbook, read_workbook
from report_builder.ooxml import cell_name, column_letter, column_number


def read_ok(path: Path) -> RawWorkbook:
    result = read_workbook(path, path.name)
    assert isinstance(result, RawWorkbook), result
    return result


def sheet_of(path: Path, name: str | None = None) -> RawSheet:
    book = read_ok(path)
    return book.sheets[0] if name is None else next(s for s in book.sheets if s.name == name)


def openpyxl_book(path: Path, *, epoch: dt.datetime | None = None) -> Path:
    """Data starting at C3 (rows 1-2 and columns A-B empty) of every kind of value."""
    book = openpyxl.Workbook()
    if epoch is not None:
        book.epoch = epoch
    ws = book.active
    assert ws is not None
    ws.title = "依申请公开"
    ws["C3"] = dt.date(2017, 9, 1)
    ws["D3"] = "2017.9.1"  # a date typed as text
    ws["E3"] = "12"  # a number stored as text
    ws["F3"] = dt.datetime(2018, 8, 31, 13, 45)
    ws["G3"] = dt.time(9, 30)
    ws["H3"] = True
    ws["I3"] = 3.5
    ws["J3"] = 7
    ws["C5"] = "第五行"
    book.save(path)
    return path


@pytest.mark.parametrize("epoch", [None, CALENDAR_MAC_1904], ids=["1900", "1904"])
def test_values_keep_their_absolute_positions_and_types(tmp_path: Path, epoch: dt.datetime | None) -> None:
    path = openpyxl_book(tmp_path / "教务处.xlsx", epoch=epoch)
    if epoch is not None:  # the file really is in the 1904 system
        assert b'date1904="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")
    sheet = sheet_of(path)
    assert sheet.name == "依申请公开"
    assert sheet.rows[0] == () and sheet.rows[1] == ()
    assert sheet.rows[2] == (None, None, dt.date(2017, 9, 1), "2017.9.1", "12",
                             dt.datetime(2018, 8, 31, 13, 45), dt.time(9, 30), True, 3.5, 7)
    assert type(sheet.rows[2][9]) is int  # Excel's 7.0 comes back as a whole number
    assert type(sheet.rows[2][2]) is dt.date
    assert sheet.rows[3] == ()
    assert sheet.rows[4] == (None, None, "第五行")
    assert len(sheet.rows) == 5
    assert sheet.value(2, 2) == dt.date(2017, 9, 1)
    assert sheet.value(4, 9) is None and sheet.value(99, 0) is None and sheet.value(-1, 0) is None


def test_formula_gives_its_cached_value(tmp_path: Path) -> None:
    cells = ('<row r="2"><c r="B2"><f>1+2</f><v>3</v></c><c r="C2" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>'
             '<c r="D2"><f>1/0</f></c><c r="E2" t="e"><v>#DIV/0!</v></c></row>')
    xml = f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>{cells}</sheetData></worksheet>'
    sheet = sheet_of(write_zip(tmp_path / "公式.xlsx", package_parts(xml)))
    assert sheet.rows == ((), (None, 3, "ab", CellError("", "1/0"), CellError("#DIV/0!")))


def test_leading_empty_columns_everywhere(tmp_path: Path) -> None:
    xml = (f'<?xml version="1.0"?><worksheet {NS}><sheetData><row r="4"><c r="E4"><v>1</v></c></row>'
           '<row r="6"><c r="D6"><v>2</v></c></row></sheetData></worksheet>')
    sheet = sheet_of(write_zip(tmp_path / "偏移.xlsx", package_parts(xml)))
    assert sheet.rows == ((), (), (), (None, None, None, None, 1), (), (None, None, None, 2))


def test_huge_declared_dimension_is_not_trusted(tmp_path: Path) -> None:
    xml = (f'<?xml version="1.0"?><worksheet {NS}><dimension ref="A1:XFD1048576"/><sheetData>'
           '<row r="2"><c r="B2"><v>5</v></c></row></sheetData></worksheet>')
    assert sheet_of(write_zip(tmp_path / "范围.xlsx", package_parts(xml))).rows == ((), (None, 5))


def test_sheets_in_order_hidden_included_chart_sheets_left_out(tmp_path: Path) -> None:
    from openpyxl.chart import BarChart, Reference

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "填表说明"
    ws.append([1, 2])
    chart = BarChart()
    chart.add_data(Reference(ws, min_col=1, max_col=2, min_row=1))
    book.create_chartsheet("图表").add_chart(chart)
    book.create_sheet("空表")
    hidden = book.create_sheet("隐藏")
    hidden.sheet_state = "hidden"
    hidden["A1"] = "h"
    book.save(tmp_path / "多表.xlsx")
    raw = read_ok(tmp_path / "多表.xlsx")
    sheets = [(s.name, s.rows) for s in raw.sheets]
    assert sheets == [("填表说明", ((1, 2),)), ("空表", ()), ("隐藏", (("h",),))]
    assert raw.file == "多表.xlsx" and raw.old_format is False


@pytest.mark.skipif(not has("xlwt"), reason="xlwt (test-only dependency) is not installed")
def test_old_xls_is_read(tmp_path: Path) -> None:
    raw = read_ok(write_xls(tmp_path / "旧.xls"))
    assert raw.old_format is True
    sheet = raw.sheets[0]
    assert sheet.name == "基本信息"
    assert sheet.rows[0] == ("部门基本信息",)
    assert sheet.rows[2] == (None, None, dt.date(2017, 9, 1), 12, "2017.9.1")


def test_encrypted_is_a_finding(tmp_path: Path) -> None:
    result = read_workbook(write_encrypted_lookalike(tmp_path / "x.xlsx"), "教务处.xlsx")
    assert isinstance(result, Finding) and result.code == "file-encrypted" and result.file == "教务处.xlsx"


def test_calamine_errors_become_findings(tmp_path: Path) -> None:
    # passes precheck (a zip with the two required parts) but the workbook part is not XML
    parts = package_parts()
    parts["xl/workbook.xml"] = "<workbook><sheets><sheet name='a' r:id='rId1'"
    result = read_workbook(write_zip(tmp_path / "坏.xlsx", parts), "坏.xlsx")
    assert isinstance(result, Finding) and result.code in ("file-corrupt", "file-read-failed")
    assert result.file == "坏.xlsx" and str(tmp_path) not in str(result)


def test_missing_file_is_a_finding(tmp_path: Path) -> None:
    result = read_workbook(tmp_path / "没有.xlsx", "没有.xlsx")
    assert isinstance(result, Finding) and result.code == "file-read-failed"


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (25, "Z"), (26, "AA"), (701, "ZZ"), (702, "AAA"),
                                                (16383, "XFD")])
def test_column_letter_and_number(index: int, letters: str) -> None:
    assert column_letter(index) == letters
    assert column_number(letters) == column_number(letters.encode()) == index + 1


def test_cell_name() -> None:
    assert cell_name(6, 2) == "C7"
    assert cell_name(0, 0) == "A1"
    with pytest.raises(ValueError):
        cell_name(-1, 0)
    with pytest.raises(ValueError):
        column_letter(-1)
