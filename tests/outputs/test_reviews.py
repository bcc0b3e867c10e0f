"""Reviews of a version (outputs/reviews.py, review_record.py): decisions written once beside it, the gate on its
exact sha256, the required roles, the 审核记录 in the filing package, and what `build` and `versions` say."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import edit_workbook
from years import make_year

import report_builder
from report_builder import cli
from report_builder.outputs.filing import PACKAGE_MANIFEST
from report_builder.outputs.filling import fill_department
from report_builder.outputs.reviews import MAX_COMMENT, MAX_COMMENTS, MAX_DECISIONS, decisions_folder

Comment = report_builder.ReviewComment


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year with v1; v2 (教务处's count typed as 321); v3 (400, no web page); v4 (v3's report with the web page)."""
    root = tmp_path_factory.mktemp("reviews")
    year = make_year(root)
    out = root / "out"
    for count, html in ((None, True), (321, True), (400, False), (None, True)):
        if count is not None:
            edit_workbook(year / "教务处.xlsx", lambda wb, n=count: fill_department(wb, "主动公开", [{"count": n}]))
        assert report_builder.build_report(year, out, html=html).report is not None
    return out / year.name


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / built.name))


def version(folder: Path, n: int) -> Path:
    return next(folder.glob(f"*_v{n}.docx"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def decide(report: Path, reviewer: str, role: str, approved: bool = True, *comments: Comment,
           seen: str = "") -> report_builder.ReviewDecision:
    decision = report_builder.record_review(report, reviewer=reviewer, role=role, approved=approved,
                                            seen_sha256=seen or sha(report), comments=comments,
                                            reviewer_id=f"desk:{reviewer}")
    assert isinstance(decision, report_builder.ReviewDecision), decision
    return decision


def refused(report: Path, **kwargs: object) -> str:
    arguments: dict[str, object] = {"reviewer": "李老师", "role": "审核", "approved": True, "seen_sha256": sha(report)}
    found = report_builder.record_review(report, **{**arguments, **kwargs})  # type: ignore[arg-type]
    assert isinstance(found, report_builder.Finding), found
    return found.code


def test_a_decision_is_a_file_written_once_beside_the_version(folder: Path) -> None:
    report = version(folder, 2)
    first = decide(report, "李老师", "审核", False, Comment(12, "数字请核对 <b>"))
    assert first.number == 1 and first.report == report.name and first.report_sha256 == sha(report)
    assert first.manifest_sha256 == sha(report.with_suffix(".manifest.json"))
    assert first.comments[0].quote.startswith("2017-2018年度学院利用多种渠道")  # the block's opening words
    written = decisions_folder(report) / "1.json"
    stamp = written.stat().st_mtime_ns
    second = decide(report, "李老师", "审核", True)
    assert second.number == 2 and written.stat().st_mtime_ns == stamp  # a later decision is a later file
    assert json.loads(written.read_text(encoding="utf-8"))["comments"][0]["text"] == "数字请核对 <b>"
    assert report_builder.review_decisions(folder) == (first, second)


def test_the_gate_is_every_required_role_on_exactly_these_bytes(folder: Path) -> None:
    v2, v3, v4 = version(folder, 2), version(folder, 3), version(folder, 4)
    assert report_builder.review_status(v2).label == "待保密审查"  # 保密审查 alone, when the office set nothing
    decide(v2, "李老师", "审核")
    assert report_builder.review_status(v2).missing == ("保密审查",)
    decide(v2, "王老师", "保密审查")
    assert report_builder.review_status(v2).publishable and report_builder.review_status(v2).label == "可以发布"
    assert report_builder.review_status(v3).label == "待保密审查"  # an approval of v2 does not carry to v3
    assert report_builder.set_review_roles(folder, ["审定", "不存在的角色"]) == ("保密审查", "审定")
    assert report_builder.review_status(v2).label == "待审定"
    decide(v3, "王老师", "保密审查")
    decide(v3, "赵校长", "审定", False, Comment(0, "请重写概述"))
    assert report_builder.review_status(v3).label == "已退回修改（赵校长）；待审定"
    decide(v3, "赵校长", "审定", True)  # changed their mind on the same bytes: the latest decision counts
    assert report_builder.review_status(v3).publishable
    assert sha(v4) == sha(v3) and report_builder.review_status(v4).publishable  # the same report: the same decisions
    listed = {v.path.name: v.review for v in report_builder.list_report_versions(folder).versions}
    assert listed == {version(folder, 1).name: "待保密审查、审定", v2.name: "待审定", v3.name: "可以发布",
                      v4.name: "可以发布"}


def test_a_report_other_than_the_one_seen_is_never_approved(folder: Path) -> None:
    v2, v3 = version(folder, 2), version(folder, 3)
    assert refused(v3, seen_sha256=sha(v2)) == "review-version-changed"  # rebuilt between showing and clicking
    v2.write_bytes(v2.read_bytes() + b"\0")  # edited after the build
    assert refused(v2, seen_sha256=sha(v2)) == "review-version-changed"
    status = report_builder.review_status(v2)
    assert status.changed and not status.publishable and "改动" in status.label
    loose = folder / "别的文件_v1.docx"
    loose.write_bytes(v3.read_bytes())  # a report without a manifest is no version
    assert refused(loose, seen_sha256=sha(loose)) == "review-version-changed"
    assert not decisions_folder(v2).exists() and not decisions_folder(v3).exists()


def test_what_a_decision_may_hold(folder: Path) -> None:
    v2 = version(folder, 2)
    assert refused(v2, role="校长") == "review-role-unknown"
    assert refused(v2, approved=False) == "review-return-needs-comment"
    assert refused(v2, comments=[Comment(1, "长" * (MAX_COMMENT + 1))]) == "review-comment-refused"
    assert refused(v2, comments=[Comment(1, "  ")]) == "review-comment-refused"
    assert refused(v2, comments=[Comment(1, "好")] * (MAX_COMMENTS + 1)) == "review-comment-refused"
    assert refused(v2, comments=[Comment(999, "没有这一段")]) == "review-comment-refused"
    assert refused(v2, reviewer=" ") == "review-comment-refused"
    assert not decisions_folder(v2).exists()
    for _ in range(MAX_DECISIONS):
        decide(v2, "李老师", "审核")
    assert refused(v2, reviewer_id="desk:李老师") == "review-comment-refused"
    assert len(list(decisions_folder(v2).iterdir())) == MAX_DECISIONS


def test_a_decision_file_of_another_shape_does_not_count(folder: Path) -> None:
    v2 = version(folder, 2)
    good = decide(v2, "王老师", "保密审查")
    (decisions_folder(v2) / "2.json").write_text('{"schema_version": 1, "approved": true}', encoding="utf-8")
    (decisions_folder(v2) / "3.json").symlink_to(decisions_folder(v2) / "1.json")
    status = report_builder.review_status(v2)
    assert status.decisions == (good,) and [f.code for f in status.findings] == ["review-unreadable"] * 2
    assert decide(v2, "李老师", "审核").number == 4  # numbers are never reused


def test_the_next_build_carries_what_the_reviewers_said(tmp_path: Path) -> None:
    year = make_year(tmp_path)
    out = tmp_path / "out"
    first = report_builder.build_report(year, out).report
    assert first is not None
    decide(first, "李老师", "审核", False, Comment(12, "主动公开的条数偏少，请核对"))
    edit_workbook(year / "教务处.xlsx", lambda wb: fill_department(wb, "主动公开", [{"count": 321}]))
    second = report_builder.build_report(year, out)
    assert second.report is not None and second.manifest is not None
    notes = [f for f in second.render_findings if f.code == "review-comment"]
    assert [(f.file, f.detail) for f in notes] == [
        (first.name, "李老师（审核，退回修改）对“2017-2018年度学院利用多种渠道，主动向校内和社会公开…（共 37 字）”："
                     "主动公开的条数偏少，请核对")]
    carried = json.loads(second.manifest.read_text(encoding="utf-8"))["previous_review"]
    assert carried["report"] == first.name and carried["report_sha256"] == sha(first)
    assert carried["decisions"][0]["comments"][0]["text"] == "主动公开的条数偏少，请核对"
    assert report_builder.build_report(year, out).unchanged  # nothing new: nothing said again


def test_the_record_is_written_at_publication_and_filed_with_its_hashes(folder: Path) -> None:
    v2 = version(folder, 2)
    decide(v2, "李老师", "审核", True, Comment(12, "已核对"))
    decide(v2, "王老师", "保密审查")
    package = report_builder.write_filing_package(folder, 2, "三部分")
    assert package.path is not None and [f.code for f in package.findings if f.code != "pdf-failed"] == []
    record = json.loads(v2.with_name(v2.stem + ".审核记录.json").read_text(encoding="utf-8"))
    assert record["report_sha256"] == sha(v2) and record["manifest_sha256"] == sha(v2.with_suffix(".manifest.json"))
    assert record["required"] == ["保密审查"] and [d["reviewer"] for d in record["decisions"]] == ["李老师", "王老师"]
    word = docx.Document(str(v2.with_name(v2.stem + ".审核记录.docx")))
    cells = [c.text for t in word.tables for r in t.rows for c in r.cells]
    assert sha(v2) in cells and "李老师" in cells and "保密审查" in cells
    assert any(c.endswith("：已核对") for c in cells)  # the comment, after the opening words of its paragraph
    with zipfile.ZipFile(package.path) as opened:
        assert opened.testzip() is None
        listing = json.loads(opened.read(PACKAGE_MANIFEST))
        files = {name: opened.read(name) for name in opened.namelist() if name != PACKAGE_MANIFEST}
    assert {"审核记录（Word）", "审核记录（数据）"} <= {e["label"] for e in listing["files"]}
    for entry in listing["files"]:
        assert entry["sha256"] == hashlib.sha256(files[entry["file"]]).hexdigest()
    decide(v2, "赵校长", "审定")  # after publication: kept in 审核意见, the record is not rewritten
    again = report_builder.write_filing_package(folder, 2, "三部分")
    assert again.unchanged and [f.code for f in again.findings] == ["review-record-exists"]


def test_a_record_of_other_bytes_is_not_filed(folder: Path) -> None:
    v2 = version(folder, 2)
    decide(v2, "王老师", "保密审查")
    record = v2.with_name(v2.stem + ".审核记录.json")
    record.write_text(json.dumps({"report_sha256": "0" * 64}), encoding="utf-8")  # a record of another report
    package = report_builder.write_filing_package(folder, 2, "三部分")
    assert package.path is None and [(f.code, f.file) for f in package.findings] == [
        ("package-file-changed", record.name)]


def test_the_commands_say_what_approval_is_missing(folder: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    decide(version(folder, 4), "王老师", "保密审查")
    assert cli.main(["versions", str(folder)]) == 0
    table = capsys.readouterr().out
    assert "审核" in table.splitlines()[0] and table.count("可以发布") == 2 and table.count("待保密审查") == 2
    (tmp_path / "elsewhere").mkdir()
    year = make_year(tmp_path / "elsewhere")
    assert cli.main(["build", str(year), "--out", str(tmp_path / "out")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-2] == "审核：待保密审查" and lines[-1].startswith("格式：")  # the build's last line stays last
