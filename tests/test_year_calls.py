"""The public calls about a year in progress (report_builder.year_calls, docs/season.md): the year folder's file
of each listed department (`year_status`), a department's share of the newest report version (`department_share`),
and the liaison's e-mail column of 部门名单."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from conftest import ROOT, edit_workbook
from factory import write
from years import OFFICE, W, check, make_year, rows, the, valid_department

import report_builder as rb
from report_builder.outputs.filling import fill_department
from report_builder.outputs.manifests import manifest_path
from report_builder.schema import OFFICE_FILE, OFFICE_SHEETS


def test_the_folder_names_each_department_s_file_however_it_came(tmp_path: Path) -> None:
    year = make_year(tmp_path, {"教务处.xlsx": rows("依申请公开", {"fee": "abc"})})
    (year / "财务处.xlsx").unlink()
    write(valid_department(OFFICE, "财务处"), year / "财务处（邮件发来的）.xlsx")  # by hand, under its own name
    (year / "招生就业处.xlsx").write_bytes(b"not a workbook")
    os.utime(year / "党政办公室.xlsx", (1_600_000_000, 1_600_000_000))
    status = rb.year_status(year)
    assert set(status.files) == {"党政办公室", "教务处", "招生就业处", "财务处"} and status.missing == ()
    assert status.files["财务处"].file == "财务处（邮件发来的）.xlsx" and status.files["财务处"].errors == 0
    assert status.files["教务处"].errors > 0 and status.files["教务处"].sha256
    unreadable = status.files["招生就业处"]  # found by its name
    assert unreadable.errors == 1 and unreadable.sha256 == hashlib.sha256(b"not a workbook").hexdigest()
    assert status.files["党政办公室"].modified == 1_600_000_000
    assert status.check.totals() == rb.check_submissions(year).totals()  # the board's totals are check's


def test_two_files_of_one_department_the_one_named_after_it_is_its_file(tmp_path: Path) -> None:
    year = make_year(tmp_path)
    shutil.copyfile(year / "教务处.xlsx", year / "教务处(1).xlsx")
    (year / "党政办公室.xlsx").unlink()
    status = rb.year_status(year)
    assert status.files["教务处"].file == "教务处.xlsx" and status.missing == ("党政办公室",)
    assert rb.year_status(year).files["教务处"].findings == ()
    duplicate = [f for f in status.check.findings if f.code == "duplicate-department"]
    assert [f.file for f in duplicate] == ["教务处(1).xlsx"]


def test_a_department_sees_its_share_of_the_newest_version(tmp_path: Path, sample_year: Path) -> None:
    assert rb.department_share(tmp_path / "out" / "2017-2018", "教务处") is None  # nothing built yet
    built = rb.build_report(sample_year, tmp_path / "out")
    assert built.report is not None
    share = rb.department_share(built.report.parent, "教务处")
    assert share is not None and share.version == built.report and share.file == "教务处.xlsx"
    assert share.sha256 == next(r.sha256 for r in built.check.files if r.file == "教务处.xlsx")
    by_figure = {line.figure: line for line in share.lines}
    total = by_figure["主动公开条数"]
    assert (total.value, total.share, total.unit) == (1000, 110, "条")  # 教务处's 110 of "近1000余条"
    assert total.sentence[total.at[0]:total.at[1]] == "1000" and total.sentence[total.at[1]:total.after] == "余条"
    liaisons = by_figure["联络员人数"]
    assert (liaisons.share, liaisons.unit, liaisons.sentence[liaisons.at[0]:liaisons.after]) == (1, "人", "15人")
    assert [line.figure for line in share.lines] == ["联络员人数", "主动公开条数", "未公开事项数"]  # reading order
    none = rb.department_share(built.report.parent, "宣传统战部")  # no 清单 item: no 未公开事项数 of its own
    assert none is not None and "未公开事项数" not in {line.figure for line in none.lines}


def test_a_version_from_before_sentences_were_kept_gives_its_figures(tmp_path: Path, sample_year: Path) -> None:
    built = rb.build_report(sample_year, tmp_path / "out")
    assert built.report is not None
    manifest = manifest_path(built.report)
    record = json.loads(manifest.read_text(encoding="utf-8"))
    del record["sentences"], record["department_files"]
    manifest.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    share = rb.department_share(built.report.parent, "教务处")
    assert share is not None and share.file == ""
    assert {(line.figure, line.share, line.sentence) for line in share.lines} >= {("主动公开条数", 110, "")}


def test_a_liaison_s_address_is_optional_and_a_wrong_one_a_warning(tmp_path: Path) -> None:
    def addresses(wb: object) -> None:
        fill_department(wb, OFFICE_SHEETS[1].name, [{"email": "jwc@example.edu.cn"}, {"email": "王老师"}],
                        specs=OFFICE_SHEETS)
    report = check(tmp_path, {OFFICE_FILE: addresses})
    assert the(report, "email-invalid", OFFICE_FILE, "部门名单", "B4").severity is W
    assert report.office is not None and report.office.departments[0].email == "jwc@example.edu.cn"
    assert report.ok


def test_an_office_workbook_without_the_address_column_still_reads(tmp_path: Path) -> None:
    year = tmp_path / "2017-2018"
    shutil.copytree(ROOT / "inputs" / "2017-2018", year)
    edit_workbook(year / OFFICE_FILE, lambda wb: wb["部门名单"].delete_cols(2))
    loaded = rb.load_office(year)
    assert loaded.office is not None and not loaded.findings
    assert all(d.email is None for d in loaded.office.departments)
