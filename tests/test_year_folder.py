"""What the year folder holds besides the workbooks (issue 19): every entry said once, none costly at every build."""

from __future__ import annotations

import json
import os
from pathlib import Path

from report_builder import pipeline
from report_builder.findings import Severity
from report_builder.intake.report_template import MAX_HASHED_BYTES


def test_entries_that_are_not_read_are_listed_once(sample_year: Path) -> None:
    (sample_year / "~$教务处.xlsx").write_bytes(b"lock")  # Excel's lock file while 教务处.xlsx is open
    (sample_year / ".DS_Store").write_bytes(b"\0")
    (sample_year / "补交").mkdir()
    (sample_year / "补交" / "财务处.xlsx").write_bytes(b"PK")
    (sample_year / ".教务处.xlsx.123.tmp").write_bytes(b"")  # a write in progress (ours): not the office's
    report = pipeline.check_submissions(sample_year)
    [skipped] = [f for f in report.year_findings if f.code == "folder-entries-skipped"]
    assert skipped.severity is Severity.WARNING and skipped.file == "2017-2018"
    assert skipped.detail == ".DS_Store、~$教务处.xlsx、补交/"
    assert report.ok  # a warning: the year's workbooks are all read


def test_a_clean_year_folder_says_nothing_of_it(sample_year: Path) -> None:
    assert not [f for f in pipeline.check_submissions(sample_year).year_findings if f.code == "folder-entries-skipped"]


def test_a_large_attachment_is_recorded_by_size_not_hashed_at_every_build(sample_year: Path, tmp_path: Path) -> None:
    big = sample_year / "附件.zip"
    with big.open("wb") as f:
        f.truncate(3 * 1024 * 1024 * 1024)  # sparse: 3 GB that cost no disk
    report = pipeline.check_submissions(sample_year)
    [result] = [r for r in report.files if r.file == "附件.zip"]
    [unknown, unhashed] = result.findings
    assert (unknown.code, unhashed.code) == ("file-unknown", "attachment-not-hashed")
    assert unhashed.detail == f"文件有 3,221,225,472 字节，超过 {MAX_HASHED_BYTES:,} 字节"
    built = pipeline.build_report(sample_year, tmp_path / "out")
    assert built.manifest is not None
    inputs = {i["file"]: i["sha256"] for i in json.loads(built.manifest.read_text(encoding="utf-8"))["inputs"]}
    assert inputs["附件.zip"] == f"unhashed:{3 * 1024 ** 3}:{big.stat().st_mtime_ns}"
    assert pipeline.build_report(sample_year, tmp_path / "out").unchanged  # the same file: the same version
    os.utime(big, ns=(big.stat().st_atime_ns, big.stat().st_mtime_ns + 10**9))
    again = pipeline.build_report(sample_year, tmp_path / "out")  # touched: recorded as changed
    assert not again.unchanged


def test_an_accepted_old_format_workbook_keeps_its_suffix_and_replaces_the_other(tmp_path: Path) -> None:
    """Issue 19: an accepted .xls was stored as `<部门>.xlsx` holding .xls bytes."""
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)
    (tmp_path / "教务处.xlsx").write_bytes(b"PK earlier")
    written = pipeline.accept_submission(tmp_path, "教务处", xls)
    assert [p.name for p in written.written] == ["教务处.xls"] and written.findings == ()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["教务处.xls"]  # one workbook per department
    written = pipeline.accept_submission(tmp_path, "教务处", b"PK\x03\x04 later")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["教务处.xlsx"]
