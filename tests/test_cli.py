"""`report-builder check` as the office runs it: a subprocess, its exit code, its JSON and feedback files."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import edit_workbook

from report_builder.outputs.filling import fill_department, set_nothing
from report_builder.schema import FEEDBACK_SHEET

BAD_ROWS = [
    {"received": "2016.5.1", "summary": "申请公开招生计划", "answered": dt.date(2018, 3, 10), "outcome": "予以公开",
     "on_time": "是", "applicant": "自然人"},
    {"received": "2018.3.5", "summary": "申请公开收费标准", "answered": dt.date(2018, 3, 10), "outcome": "不予公开",
     "on_time": "是", "fee": "免费", "applicant": "自然人"},
]
BAD_FINDINGS = [  # (code, severity, sheet, cell), in the order the check reports them
    ("date-as-text", "warning", "依申请公开", "A3"),
    ("date-outside-window", "error", "依申请公开", "A3"),
    ("date-as-text", "warning", "依申请公开", "A4"),
    ("not-a-number", "error", "依申请公开", "G4"),
    ("reason-required", "error", "依申请公开", "E4"),
]


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "report_builder", *map(str, args)],
                          capture_output=True, text=True, timeout=300, cwd=cwd)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def spoil(year: Path) -> None:
    def typed(wb: Any) -> None:
        set_nothing(wb, "依申请公开", "否")  # the sample's 教务处 had none: now it has two
        fill_department(wb, "依申请公开", BAD_ROWS)
    edit_workbook(year / "教务处.xlsx", typed)


def file_entry(data: dict[str, Any], file: str) -> dict[str, Any]:
    return next(entry for entry in data["files"] if entry["file"] == file)


def test_a_clean_year_exits_0_with_no_feedback(sample_year: Path, tmp_path: Path) -> None:
    done = run("check", sample_year, "--json", tmp_path / "check.json", "--feedback", tmp_path / "fb", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    assert data["ok"] is True
    assert data["summary"]["errors"] == data["summary"]["warnings"] == 0
    assert data["summary"]["rows_read"] == data["summary"]["rows_accepted"] > 0
    assert len(data["files"]) == 16
    assert not list((tmp_path / "fb").glob("*"))  # nothing to send back


def test_a_bad_cell_exits_1_with_stable_json_and_feedback_for_its_department(sample_year: Path,
                                                                             tmp_path: Path) -> None:
    spoil(sample_year)
    done = run("check", sample_year, "--json", tmp_path / "check.json", "--feedback", tmp_path / "fb", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "教务处.xlsx › 依申请公开!A3" in done.stdout

    data = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    assert data["ok"] is False
    entry = file_entry(data, "教务处.xlsx")
    assert [(f["code"], f["severity"], f["sheet"], f["cell"]) for f in entry["findings"]] == BAD_FINDINGS
    assert all(f["file"] == "教务处.xlsx" and f["message"] and f["hint"] for f in entry["findings"])
    assert (entry["rows_read"], entry["rows_rejected"]) == (entry["rows_accepted"] + 2, 2)
    assert data["year_findings"] == []
    assert all(not e["findings"] for e in data["files"] if e["file"] != "教务处.xlsx")

    [feedback] = sorted((tmp_path / "fb").iterdir())
    assert feedback.name.startswith("教务处") and feedback.suffix == ".xlsx"
    wb = openpyxl.load_workbook(feedback)
    assert wb.sheetnames[0] == FEEDBACK_SHEET
    listed = {(row[0], row[1]) for row in wb[FEEDBACK_SHEET].iter_rows(min_row=3, values_only=True)}
    assert {(sheet, cell) for _, _, sheet, cell in BAD_FINDINGS} <= listed
    for _, _, sheet, cell in BAD_FINDINGS:
        assert wb[sheet][cell].comment is not None, cell
    assert wb["依申请公开"]["B3"].comment is None


def test_json_to_stdout(sample_year: Path, tmp_path: Path) -> None:
    spoil(sample_year)
    done = run("check", sample_year, "--json", "-", cwd=tmp_path)
    assert done.returncode == 1
    entry = file_entry(json.loads(done.stdout), "教务处.xlsx")
    assert [f["code"] for f in entry["findings"]] == [code for code, *_ in BAD_FINDINGS]


def test_a_file_that_is_not_a_workbook_is_a_finding_not_a_crash(sample_year: Path, tmp_path: Path) -> None:
    (sample_year / "教务处.xlsx").write_bytes(b"not a workbook at all")
    done = run("check", sample_year, "--json", tmp_path / "check.json", cwd=tmp_path)
    assert done.returncode == 1
    entry = file_entry(json.loads((tmp_path / "check.json").read_text(encoding="utf-8")), "教务处.xlsx")
    codes = [f["code"] for f in entry["findings"]]
    assert codes and all(code.startswith("file-") for code in codes)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(cwd=tmp_path).returncode == 2
    assert run("check", cwd=tmp_path).returncode == 2
    assert run("check", tmp_path / "没有这个文件夹", cwd=tmp_path).returncode == 2
    assert run("check", tmp_path, "--no-such-option", cwd=tmp_path).returncode == 2
    assert run("no-such-command", cwd=tmp_path).returncode == 2
    missing = run("check", tmp_path / "2099-2100", cwd=tmp_path)
    assert "2099-2100" in missing.stderr


@pytest.mark.parametrize("args", [(), ("check",), ("build", "x", "--json"), ("bild",), ("check", ".", "--nope"),
                                  ("build", "-h")])
def test_usage_and_help_are_in_chinese(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = run(*args, cwd=tmp_path)
    said = done.stdout + done.stderr
    assert "用法：report-builder" in said
    assert not re.search(r"\b(usage|error|required|expected|invalid|options|arguments|show this help)\b", said), said
    assert not re.search(r"\b(year_dir|new_dir|OUT|TEMPLATE|FEEDBACK)\b", said), said


def test_a_folder_without_the_office_workbook_exits_1(tmp_path: Path) -> None:
    (tmp_path / "2017-2018").mkdir()
    done = run("check", tmp_path / "2017-2018", "--json", tmp_path / "c.json", cwd=tmp_path)
    assert done.returncode == 1
    data = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert [f["code"] for f in data["year_findings"]] == ["missing-office-workbook"]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_shows_on_a_terminal_after_one_second_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from report_builder.cli import console

    clock = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    progress, quiet = console.Progress(enabled=True), console.Progress(enabled=False)  # quiet: `--json`
    progress(1, 40)
    assert terminal.getvalue() == ""  # the first second stays quiet
    clock[0] += 1.5
    progress(2, 40)
    quiet(2, 40)
    progress.close()
    assert terminal.getvalue() == "\r已检查 2/40 个文件\n"

    piped = io.StringIO()  # not a terminal: a log file, a pipe
    monkeypatch.setattr(sys, "stderr", piped)
    off_terminal = console.Progress(enabled=True)
    clock[0] += 5
    off_terminal(3, 40)
    off_terminal.close()
    assert piped.getvalue() == ""


def test_fields_and_guide_for_template_authors(sample_year: Path, tmp_path: Path) -> None:
    listed = run("fields", sample_year, cwd=tmp_path)
    assert listed.returncode == 0
    line = next(x for x in listed.stdout.splitlines() if x.split()[1:2] == ["主动公开条数"])
    assert "主动公开的信息条数" in line and line.rstrip().endswith("1000")
    written = run("guide", "--out", tmp_path / "说明.docx", cwd=tmp_path)
    assert written.returncode == 0 and (tmp_path / "说明.docx").is_file()
    again = run("guide", "--out", tmp_path / "说明.docx", cwd=tmp_path)
    assert again.returncode != 0 and "已有同名的文件" in again.stdout + again.stderr and "Traceback" not in again.stderr


def test_fields_of_a_year_whose_office_workbook_cannot_be_read_says_so_and_exits_1(sample_year: Path,
                                                                                  tmp_path: Path) -> None:
    (sample_year / "年度总表.xlsx").write_bytes(b"not a workbook")
    listed = run("fields", sample_year, cwd=tmp_path)
    assert listed.returncode == 1 and "年度总表.xlsx：不是 Excel 工作簿" in listed.stdout
    assert "无法列出本年度的值" in listed.stdout and "主动公开条数" not in listed.stdout


def test_a_message_ends_as_one_sentence() -> None:
    """No "。。" where a detail ends a sentence itself, and no "？。" after a question."""
    from report_builder.findings import Finding

    done = Finding("pdf-failed", "报告.docx", detail="生成 PDF 超时：LibreOffice 在 60 秒内没有完成转换。")
    asked = Finding("template-unknown-name", "模板.docx", "段落“x”", value="{{ 主动条数 }}",
                    detail="是不是要写：主动公开条数？")
    assert "。。" not in str(done) and "转换。Word 报告已生成" in str(done)
    assert str(asked).startswith("模板.docx › 段落“x”：报告模板使用了不存在的名称：是不是要写：主动公开条数？"
                                 "（填写的是")
    assert "”）。请改成" in str(asked)


def test_new_year_then_templates(tmp_path: Path) -> None:
    """`new-year` writes the next office workbook once and never again; `templates` refuses a bad one."""
    from conftest import ROOT

    new = tmp_path / "2018-2019"
    done = run("new-year", new, "--from", ROOT / "inputs" / "2017-2018", cwd=tmp_path)
    assert done.returncode == 0 and (new / "年度总表.xlsx").is_file()
    assert "顺延一年" in done.stdout
    again = run("new-year", new, cwd=tmp_path)
    assert again.returncode == 1 and "已有年度总表，未覆盖" in again.stdout
    blank = run("new-year", tmp_path / "空白", cwd=tmp_path)
    assert blank.returncode == 0 and (tmp_path / "空白" / "年度总表.xlsx").is_file()
    refused = run("templates", tmp_path / "空白", "--out", tmp_path / "forms", cwd=tmp_path)
    assert refused.returncode == 1 and not (tmp_path / "forms").exists()
    assert "年度总表.xlsx › 基本信息!B3：必填项为空" in refused.stdout
    assert run("templates", new, "--out", tmp_path / "forms", cwd=tmp_path).returncode == 0
    assert len(list((tmp_path / "forms").glob("*.xlsx"))) == 15
