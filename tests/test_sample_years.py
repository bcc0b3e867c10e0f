"""The second bundled sample year (inputs/2022-2023): applications, cases and 表二 in the government's format.

Its 表三 is recomputed here from the department workbooks' rows (read back with openpyxl, counted by
hand), so the figures are checked against the workbooks, not against the code that made them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections import Counter
from pathlib import Path

import make_second_sample
import openpyxl
import pytest
from conftest import ROOT, edit_workbook, report_text

from report_builder import pipeline
from report_builder.findings import Finding, Severity
from report_builder.schema import HEADER_ROW, OFFICE_FILE
from report_builder.tables import APPLICANTS, APPLICATION_ROWS, identities, per_applicant

BUNDLED = ROOT / "inputs" / "2022-2023"
START, END = dt.date(2022, 9, 1), dt.date(2023, 8, 31)


@pytest.fixture
def second_year(tmp_path: Path) -> Path:
    """A copy of the bundled second year, free to edit."""
    return Path(shutil.copytree(BUNDLED, tmp_path / "2022-2023"))


def build(year: Path, out: Path) -> pipeline.BuildResult:
    return pipeline.build_report(year, out)


def errors(result: pipeline.BuildResult) -> list[Finding]:
    return [f for f in (*result.check.findings, *result.render_findings) if f.severity is Severity.ERROR]


def figures(result: pipeline.BuildResult) -> dict[str, int]:
    assert result.manifest is not None, [str(f) for f in errors(result)]
    return {name: entry["value"] for name, entry in json.loads(result.manifest.read_text("utf-8"))["figures"].items()}


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """A sheet's filled rows as {header: value}, read with openpyxl (not the tool's reader)."""
    ws = openpyxl.load_workbook(path)[sheet]
    rows = list(ws.iter_rows(min_row=HEADER_ROW, values_only=True))
    return [dict(zip(rows[0], row, strict=False)) for row in rows[1:] if any(v is not None for v in row)]


def application_table(year: Path) -> Counter[str]:
    """表三 counted by hand from every department's 依申请公开 rows."""
    counted: Counter[str] = Counter()
    for path in sorted(year.glob("*.xlsx")):
        if path.name == OFFICE_FILE:
            continue
        for row in sheet_rows(path, "依申请公开"):
            received, answered, outcome = row["收到日期"], row["答复日期"], row["处理结果"]
            assert isinstance(received, dt.datetime)
            names = ["上年结转件数" if received.date() < START else "依申请公开件数"]
            if answered is None:
                names.append("结转下年度件数")
            else:
                group, _, detail = str(outcome).partition("（")
                names += ["办结件数", f"{group}件数"]
                if detail:
                    names.append(f"{group}_{detail.rstrip('）')}件数")
                if group == "不予公开":
                    names.append(f"不予公开_{row['不予公开理由']}件数")
            for name in names:
                counted[name] += 1
                counted[f"{name}_{row['申请人类型']}"] += 1
    return counted


def test_second_year_checks_clean_and_builds(second_year: Path, tmp_path: Path) -> None:
    assert pipeline.check_submissions(second_year).findings == ()
    result = build(second_year, tmp_path / "out")
    assert errors(result) == [] and result.report is not None
    text = "\n".join(report_text(result.report))
    assert ("2022-2023年度学院共受理信息公开申请10件，另有上年结转1件；办结10件，其中予以公开3件、部分公开2件、"
            "不予公开2件、无法提供1件、不予处理1件、其他处理1件，结转下年度继续办理1件；"
            "按期答复9件，未收取任何费用。") in text
    assert "受到举报1件、行政复议1件、行政诉讼1件。" in text
    assert "2023年3月28日，行政复议：申请人对不予公开教职工人事档案材料的答复不服。结果：维持。" in text


def test_every_government_table_has_figures_and_holds_its_identities(second_year: Path, tmp_path: Path) -> None:
    values = figures(build(second_year, tmp_path / "out"))
    assert [rule for rule in identities() if not rule.holds(values)] == []
    assert values["规范性文件现行有效件数"] and values["行政事业性收费金额"]  # 表二
    assert values["上年结转件数_自然人"] == values["结转下年度件数_自然人"] == 1  # 表三 rows 二 and 四
    assert values["行政复议_维持件数"] and values["复议后起诉_尚未审结件数"] and values["举报件数"]  # 表四
    assert {a for a in APPLICANTS if values[per_applicant("依申请公开件数", a)]} >= {"自然人", "商业企业", "科研机构",
                                                                                  "法律服务机构"}


def test_table_three_is_what_the_workbook_rows_count(second_year: Path, tmp_path: Path) -> None:
    values = figures(build(second_year, tmp_path / "out"))
    counted = application_table(second_year)
    cells = [per_applicant(row.figure, a) for row in APPLICATION_ROWS for a in (*APPLICANTS, None)]
    assert {name: values[name] for name in cells} == {name: counted[name] for name in cells}
    assert counted["部分公开件数"] and counted["不予公开_四类过程性信息件数"] and counted["其他处理件数"]


def set_last_year(name: str, value: int) -> object:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb["上年数字"]
        row = next(r for r in range(HEADER_ROW + 1, ws.max_row + 1) if ws.cell(r, 1).value == name)
        ws.cell(row, 2).value = value
    return change


def test_a_carry_last_year_does_not_list_stops_the_build_at_table_three(second_year: Path, tmp_path: Path) -> None:
    for name in ("结转下年度件数", "结转下年度件数_自然人"):  # last year carried 2; the departments list 1
        edit_workbook(second_year / OFFICE_FILE, set_last_year(name, 2))  # type: ignore[arg-type]
    result = build(second_year, tmp_path / "out")
    assert result.report is None
    found = [f for f in errors(result) if f.code == "table-identity"]
    assert {(f.sheet, f.value) for f in found} == {("表三", "1")}
    assert {re.findall(r"（(\w+)栏）", f.detail)[0] for f in found} == {"自然人", "总计"}
    assert all("一 + 二 = 三（七）总计 + 四" in f.detail and "党政办公室" in f.detail for f in found)


def test_a_breakdown_off_its_total_is_an_error_at_the_department(second_year: Path, tmp_path: Path) -> None:
    def one_more(wb: openpyxl.Workbook) -> None:
        wb["主动公开分类"]["B3"].value += 1
    edit_workbook(second_year / "宣传统战部.xlsx", one_more)
    result = build(second_year, tmp_path / "out")
    assert result.report is None
    assert [(f.code, f.file, f.sheet) for f in errors(result)] == [
        ("breakdown-mismatch", "宣传统战部.xlsx", "主动公开分类")]


def test_bundled_second_year_is_what_the_script_makes(tmp_path: Path) -> None:
    fresh = tmp_path / "2022-2023"
    make_second_sample.write_year(fresh, make_second_sample.SECOND)
    assert sorted(p.name for p in fresh.iterdir()) == sorted(p.name for p in BUNDLED.iterdir())
    for path in fresh.iterdir():
        made, bundled = (openpyxl.load_workbook(p) for p in (path, BUNDLED / path.name))
        assert made.sheetnames == bundled.sheetnames, path.name
        for sheet in made.sheetnames:
            assert list(made[sheet].values) == list(bundled[sheet].values), f"{path.name} › {sheet} is stale"
