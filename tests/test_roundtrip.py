"""Round trips: what a department types comes back unchanged, and hostile text stays text.

1. A hypothesis property: valid department data, drawn from the schema's columns, written into
   the generated template, saved, read, checked and merged gives no finding and the same records.
2. Formula, template and XML syntax typed by a department is literal text in the built report
   and never a formula in the feedback workbook.
3. A filled template re-saved by LibreOffice Calc gives the same findings and records.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import subprocess
import tempfile
import uuid
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import openpyxl
import pytest
from conftest import edit_workbook, report_text
from factory import sample_office, write
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from years import ACT, CASE, check, department

from report_builder import pipeline
from report_builder.checking import check_workbook
from report_builder.dates import chinese_date
from report_builder.findings import Finding
from report_builder.intake.checks import check_department, check_office
from report_builder.intake.reader import read_workbook
from report_builder.outputs.excel import put
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value
from report_builder.report.merge import merge_year
from report_builder.report.summary import application_row, summarize_department
from report_builder.schema import (
    CHANNELS,
    DEPARTMENT_NARRATIVE_KEYS,
    DEPARTMENT_SHEETS,
    FEEDBACK_SHEET,
    FIRST_DATA_ROW,
    NEEDS_REASON,
    OFFICE_FILE,
    TITLE_ROW,
    Activity,
    Application,
    Case,
    ChannelCount,
    ChecklistAnswer,
    Column,
    DepartmentEntry,
    DepartmentInfo,
    DepartmentNarrative,
    DepartmentWorkbook,
    OfficeWorkbook,
    Row,
    columns,
)

DEPARTMENT = "教务处"
OFFICE = sample_office(
    departments=(DepartmentEntry(name=DEPARTMENT),),
    checklist=tuple(dataclasses.replace(item, department=DEPARTMENT) for item in sample_office().checklist),
)
START, END = OFFICE.info.window_start, OFFICE.info.window_end

# ---- strategies from the schema -----------------------------------------------------------------

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ASCII = st.characters(min_codepoint=0x20, max_codepoint=0x7E)  # incl. = < & { and space
OTHER = st.sampled_from("\n“”《》、，。；：（）％－　😀")  # a line break (Alt+Enter), CJK punctuation, emoji


def text(column: Column, *, closing_brace: bool = True) -> st.SearchStrategy[str]:
    """Text a person could type: CJK and ASCII, no blank ends (they are stripped), within max_length."""
    chars = st.one_of(CJK, ASCII if closing_brace else ASCII.filter(lambda c: c != "}"), OTHER)
    size = min(column.max_length or 300, 300)
    return st.text(chars, min_size=1, max_size=size).map(str.strip).filter(bool)


def value(column: Column, model: type[Row]) -> st.SearchStrategy[Any]:
    strategy: st.SearchStrategy[Any]
    if model is DepartmentNarrative and column.field == "key":  # a drop-down of the office's names (forms)
        strategy = st.sampled_from(DEPARTMENT_NARRATIVE_KEYS)
    elif model is ChecklistAnswer and column.field == "link":  # a web address (other text is a warning)
        host = st.from_regex(r"[a-z0-9]{1,20}(\.[a-z]{2,5}){1,3}", fullmatch=True)
        strategy = st.builds("https://{}/{}".format, host, text(column).map(lambda t: t[:200]))
    elif column.kind == "choice":
        strategy = st.sampled_from(column.choices)
    elif column.kind == "int":
        strategy = st.integers(min_value=column.minimum or 0, max_value=column.maximum or 10**6)
    elif column.kind == "date":
        strategy = st.dates(min_value=START, max_value=END)
    else:  # a narrative's "}" would close a {名称}: only data names go between braces there
        strategy = text(column, closing_brace=model is not DepartmentNarrative)
    return strategy if column.required else st.none() | strategy


def record(model: type[Row]) -> st.SearchStrategy[dict[str, Any]]:
    """The unlocked fields of one row of `model`; None is a cell left blank."""
    return st.fixed_dictionaries({c.field: value(c, model) for c in columns(model) if not c.locked})


def application(row: dict[str, Any]) -> dict[str, Any]:
    """Make a drawn application valid: answered on or after received, with an outcome and 按期 (or open:
    neither); a refusal has a reason."""
    if row["answered"] is not None and row["answered"] < row["received"]:
        row["answered"], row["received"] = row["received"], row["answered"]
    if row["answered"] is None:
        row["outcome"] = row["on_time"] = None
    else:
        row["outcome"], row["on_time"] = row["outcome"] or "予以公开", row["on_time"] or "是"
    if row["outcome"] in NEEDS_REASON and row["reason"] is None:
        row["reason"] = "国家秘密"
    return row


def events(model: type[Row], most: int = 20) -> st.SearchStrategy[list[dict[str, Any]]]:
    rows = record(model).map(application) if model is Application else record(model)
    return st.lists(rows, max_size=most)


MINE = [item for item in OFFICE.checklist if item.department == DEPARTMENT]
DEPARTMENT_DATA = st.fixed_dictionaries({
    "info": record(DepartmentInfo),
    "counts": st.lists(value(columns(ChannelCount)[1], ChannelCount), min_size=len(CHANNELS),
                       max_size=len(CHANNELS)),
    "checklist": st.lists(record(ChecklistAnswer), min_size=len(MINE), max_size=len(MINE)),
    "applications": events(Application),
    "cases": events(Case),
    "activities": events(Activity),
    "narratives": events(DepartmentNarrative, most=10),
})


# ---- writing and reading ------------------------------------------------------------------------

def typed_as_text(wb: Any) -> None:
    """In the template's text cells (format @) Excel keeps a typed "=…" or "#N/A" as text; openpyxl would not."""
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW):
            for cell in row:
                if cell.data_type in ("f", "e"):
                    cell.data_type = "s"


def write_department(data: Mapping[str, Any], path: Path) -> None:
    wb = OFFICE.department_template(DEPARTMENT)
    for name, given_value in data["info"].items():
        set_form_value(wb, "基本信息", name, given_value)
    fill_department(wb, "主动公开", [{"count": n} for n in data["counts"]])
    for spec in (s for s in DEPARTMENT_SHEETS[2:] if s.required):  # no 主动公开分类 without categories
        fill_department(wb, spec.name, data[spec.key])
    answer_empty_sheets(wb)  # 本部门本年度无此项 where the data has no rows
    typed_as_text(wb)
    write(wb, path)


def expected(model: type[Row], rows: Sequence[Mapping[str, Any]], **fixed: Any) -> tuple[Row, ...]:
    return tuple(model(**{**{k: v for k, v in r.items() if v is not None}, **fixed}) for r in rows)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=DEPARTMENT_DATA)
def test_valid_department_data_round_trips_unchanged(data: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        office_path, path = Path(tmp) / OFFICE_FILE, Path(tmp) / f"{DEPARTMENT}.xlsx"
        write(OFFICE.office_template(), office_path)
        write_department(data, path)
        office_raw, raw = read_workbook(office_path, OFFICE_FILE), read_workbook(path, path.name)
    assert not isinstance(office_raw, Finding) and not isinstance(raw, Finding)
    office_checked = check_office(office_raw, "2017-2018")
    office = office_checked.workbook
    assert isinstance(office, OfficeWorkbook) and office_checked.findings == ()
    checked = check_department(raw, office)
    assert [str(f) for f in checked.findings] == []
    assert checked.tally.rejected == 0
    wb = checked.workbook
    assert isinstance(wb, DepartmentWorkbook)
    merged, findings = merge_year(office, [summarize_department(wb)])
    assert [str(f) for f in findings] == []

    locked = {"department": DEPARTMENT, "year_label": OFFICE.info.year_label, "window_start": START,
              "window_end": END}
    assert wb.info == expected(DepartmentInfo, [data["info"]], **locked)[0]
    assert wb.counts == tuple(ChannelCount(channel=c, count=n)
                              for c, n in zip(CHANNELS, data["counts"], strict=True))
    assert wb.checklist == tuple(
        ChecklistAnswer(number=i.number, category=i.category, title=i.title,
                        **{k: v for k, v in answer.items() if v is not None})
        for i, answer in zip(MINE, data["checklist"], strict=True))
    sheets: list[tuple[type[Row], str]] = [(Application, "applications"), (Case, "cases"),
                                           (Activity, "activities"), (DepartmentNarrative, "narratives")]
    for model, key in sheets:
        assert getattr(wb, key) == expected(model, data[key]), key

    assert merged.figures["主动公开条数"].value == sum(data["counts"])
    received = merged.figures["依申请公开件数"].value + merged.figures["上年结转件数"].value
    assert received == len(data["applications"])
    assert sorted(map(repr, merged.lists["申请"])) == sorted(repr(application_row(DEPARTMENT, a).fields)
                                                           for a in wb.applications)
    assert [row["日期"] for row in merged.lists["案件"]] == [chinese_date(c.date) for c in
                                                             sorted(wb.cases, key=lambda c: c.date)]
    assert merged.figures["联络员人数"].value == 1


# ---- hostile text -------------------------------------------------------------------------------

HOSTILE = ('=HYPERLINK("http://x","y")', "=1+1", "{{ 7*7 }}", "{% for %}", "<w:p>&")


def type_text(ws: Any, cell: str, text: str) -> None:
    """Type `text` into a text cell as Excel keeps it (a leading = stays text in a cell formatted @)."""
    put(ws[cell], text)


def test_hostile_text_is_literal_in_the_report(sample_year: Path, tmp_path: Path) -> None:
    def cases(wb: Any) -> None:
        fill_department(wb, "举报复议诉讼", [CASE] * len(HOSTILE))
        for row, hostile in enumerate(HOSTILE, FIRST_DATA_ROW):
            type_text(wb["举报复议诉讼"], f"C{row}", hostile)

    def evaluations(wb: Any) -> None:
        fill_department(wb, "工作记录", [{**ACT, "kind": "评议"}] * len(HOSTILE), first_row=8)
        for row, hostile in enumerate(HOSTILE, 8):
            type_text(wb["工作记录"], f"C{row}", f"评议：{hostile}")
        fill_department(wb, "文字材料", [{"key": "其他公开情况"}], first_row=8)
        type_text(wb["文字材料"], "B8", '=HYPERLINK("http://x","y")<w:p>&=1+1')

    edit_workbook(sample_year / "纪检监察室.xlsx", cases)
    edit_workbook(sample_year / "党政办公室.xlsx", evaluations)
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.check.ok, [str(f) for f in result.check.findings]
    assert result.report is not None
    text = "\n".join(report_text(result.report))
    for hostile in HOSTILE:
        assert f"行政诉讼：{hostile}" not in text  # the kind is 举报
        assert f"举报：{hostile}" in text
        assert f"评议：{hostile}" in text
    assert '=HYPERLINK("http://x","y")<w:p>&=1+1' in text
    assert "49" not in text
    with zipfile.ZipFile(result.report) as docx:
        body = docx.read("word/document.xml").decode()
    assert "&lt;w:p&gt;&amp;" in body and "<w:p>&" not in body
    assert "HYPERLINK" not in re.sub(r"<w:t[^>]*>[^<]*</w:t>", "", body)  # only ever inside text runs


def test_hostile_text_is_never_a_formula_in_the_feedback(tmp_path: Path) -> None:
    def hostile_rows(wb: Any) -> None:
        fill_department(wb, "工作记录", [ACT] * len(HOSTILE))
        for row, hostile in enumerate(HOSTILE, FIRST_DATA_ROW):
            type_text(wb["工作记录"], f"A{row}", hostile)  # not from the list: shown back in 问题清单
            type_text(wb["工作记录"], f"C{row}", hostile)
    report = check(tmp_path, {"教务处.xlsx": hostile_rows})
    assert {f.value for f in report.findings if f.code == "not-in-list"} == set(HOSTILE)
    [path] = pipeline.write_feedback(report, tmp_path / "feedback").written

    wb = openpyxl.load_workbook(path)
    issues = wb[FEEDBACK_SHEET]
    shown = {c.value: c.data_type for row in issues.iter_rows(min_row=FIRST_DATA_ROW) for c in row}
    for hostile in HOSTILE:
        assert shown[hostile] == "s"
    for row in range(FIRST_DATA_ROW, FIRST_DATA_ROW + len(HOSTILE)):
        for column in "AC":
            cell = wb["工作记录"][f"{column}{row}"]
            assert (cell.value, cell.data_type) == (HOSTILE[row - FIRST_DATA_ROW], "s")
        assert wb["工作记录"][f"A{row}"].comment is not None
    for sheet, formulas in _formula_cells(path).items():
        assert sheet != FEEDBACK_SHEET or not formulas
        assert all(row == TITLE_ROW for row, _ in formulas), (sheet, formulas)  # only our self-check cells
        assert not any(h in f for _, f in formulas for h in ("HYPERLINK", "1+1")), sheet


def _formula_cells(path: Path) -> dict[str, list[tuple[int, str]]]:
    """Sheet name → (row, formula text) of every <f> in it, read from the raw XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel_ns = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    found: dict[str, list[tuple[int, str]]] = {}
    with zipfile.ZipFile(path) as archive:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        target = {r.get("Id"): r.get("Target", "") for r in rels}
        for sheet in book.iterfind("m:sheets/m:sheet", ns):
            part = target[sheet.get(rel_ns)].lstrip("/").removeprefix("xl/")
            xml = ElementTree.fromstring(archive.read(f"xl/{part}"))
            found[sheet.get("name", "")] = [
                (int(re.sub(r"[A-Z]+", "", c.get("r", "A0"))), f.text or "")
                for c in xml.iterfind(".//m:c", ns) if (f := c.find("m:f", ns)) is not None]
    return found


# ---- LibreOffice --------------------------------------------------------------------------------

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _resave_with_libreoffice(source: Path, out_dir: Path) -> Path:
    profile = Path(tempfile.gettempdir()) / f"lo_{uuid.uuid4().hex}"
    try:
        subprocess.run([str(SOFFICE), f"-env:UserInstallation=file://{profile}", "--headless",
                        "--convert-to", "xlsx", "--outdir", str(out_dir), str(source)],
                       check=True, capture_output=True, timeout=240)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    converted = out_dir / source.name
    assert converted.is_file(), f"LibreOffice wrote nothing for {source.name}"
    return converted


def _comparable(report: pipeline.CheckReport) -> tuple[Any, ...]:
    findings = sorted((f.code, f.file, f.sheet, f.cell, f.value) for f in report.findings)
    records = {}
    for result in report.files:
        wb = check_workbook(report.year_dir / result.file, report.office, report.year_dir.name).workbook
        records[result.file] = {k: v for k, v in dataclasses.asdict(wb).items() if k != "file"} if wb else None
    return findings, records, report.tally


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_a_template_resaved_by_libreoffice_reads_the_same(tmp_path: Path) -> None:
    def fill(wb: Any) -> None:
        fill_department(wb, "依申请公开", [
            {"received": "2017.9.1", "summary": "申请公开<实训>&经费", "answered": dt.date(2017, 9, 15),
             "outcome": "部分公开", "reason": "保护第三方合法权益", "on_time": "是", "fee": "１２元",
                 "applicant": "自然人"},
            {"received": dt.date(2018, 9, 1), "summary": "超出统计时间段", "outcome": "予以公开", "on_time": "是",
             "applicant": "自然人"},
        ])
        fill_department(wb, "工作记录", [ACT, {**ACT, "date": "17.9.1", "people": 2.5}])
        fill_department(wb, "主动公开", [{"count": 120}, {"count": "１２条"}])
        type_text(wb["工作记录"], "C3", "=1+1 不是公式")
        wb["工作记录"]["H9"] = "表外备注"
    (tmp_path / "a").mkdir()
    original = check(tmp_path / "a", {"教务处.xlsx": fill})
    assert {f.code for f in original.findings} >= {"date-as-text", "number-as-text", "date-outside-window",
                                                   "ambiguous-date", "not-whole-number", "data-outside-table"}
    year = tmp_path / "b" / "2017-2018"
    shutil.copytree(tmp_path / "a" / "2017-2018", year)
    converted = _resave_with_libreoffice(year / "教务处.xlsx", tmp_path / "lo")
    assert converted.read_bytes() != (year / "教务处.xlsx").read_bytes()
    shutil.copy(converted, year / "教务处.xlsx")
    assert _comparable(pipeline.check_submissions(year)) == _comparable(original)
    assert department(original, "教务处.xlsx").activities[0].summary == "=1+1 不是公式"
