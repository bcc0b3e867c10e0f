"""The filing package (`package`, `write_filing_package`): one whole version in a zip whose manifest's hashes
match its files, written whole, never over another file, the same bytes for the same version."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

import report_builder
from report_builder import cli, pipeline
from report_builder.outputs.filing import PACKAGE_MANIFEST, PARTS, package_name

YEAR = ROOT / "inputs" / "2022-2023"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output folder holding v1 (three-part, no web page) and v2 (with it) and v1 of 八部分 (with it)."""
    out = tmp_path_factory.mktemp("filing")
    assert pipeline.build_report(YEAR, out).report is not None
    assert pipeline.build_report(YEAR, out, html=True).report is not None
    assert pipeline.build_report(YEAR, out, html=True, report_format="八部分").report is not None
    return out / YEAR.name


@pytest.fixture
def folder(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the built folder, free to change."""
    return Path(shutil.copytree(built, tmp_path / YEAR.name))


def opened(path: Path) -> tuple[dict[str, object], dict[str, bytes]]:
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        files = {name: package.read(name) for name in package.namelist()}
    return json.loads(files.pop(PACKAGE_MANIFEST)), files


def test_the_package_opens_and_its_hashes_match_its_files(folder: Path) -> None:
    result = report_builder.write_filing_package(folder, report_format="三部分")
    assert result.path is not None and not result.unchanged
    assert [f.code for f in result.findings] == ["review-missing"]  # nobody approved it: packed, but said
    report = next(folder.glob("*_v2.docx"))
    assert result.path.name == package_name(report) == report.name.replace("_v2.docx", "_报送材料_v2.zip")
    assert result.path.name.startswith("湖南石油化工职业技术学院2022-2023年度信息公开工作年度报告_报送材料")
    manifest, files = opened(result.path)
    listed = manifest["files"]
    assert isinstance(listed, list) and [e["file"] for e in listed] == list(files)
    for entry in listed:
        assert entry["sha256"] == hashlib.sha256(files[entry["file"]]).hexdigest()
        assert files[entry["file"]] == (folder / entry["file"]).read_bytes()  # the version's files as they are
    assert [Path(n).name.removeprefix(report.stem) for n in files] == [
        ".docx", ".html", ".txt", ".数据来源.xlsx", ".manifest.json"]
    assert result.packed == ("报告（Word）", "报告（网页版）", "报告（纯文本版）", "数据来源", "版本说明文件")
    assert result.missing == ("报告（PDF）", "审核记录（Word）", "审核记录（PDF）", "审核记录（数据）")
    assert manifest["not_included"] == list(result.missing)
    version_manifest = json.loads(files[report.with_suffix(".manifest.json").name])
    for name, digest in version_manifest["files"].items():
        assert hashlib.sha256(files[name]).hexdigest() == digest
    assert manifest["version"] == 2 and manifest["format"] == "三部分"


def test_packing_again_finds_the_same_bytes_and_writes_nothing(folder: Path) -> None:
    first = report_builder.write_filing_package(folder, report_format="三部分")
    assert first.path is not None
    data, mtime = first.path.read_bytes(), first.path.stat().st_mtime_ns
    other = Path(shutil.copytree(folder, folder.parent / "again"))
    os.unlink(other / first.path.name)
    second = report_builder.write_filing_package(folder, report_format="三部分")
    elsewhere = report_builder.write_filing_package(other, report_format="三部分")
    assert second.unchanged and second.path == first.path and first.path.stat().st_mtime_ns == mtime
    assert elsewhere.path is not None and elsewhere.path.read_bytes() == data  # same version, same bytes


def test_the_default_is_the_newest_version_of_the_format_built_last(folder: Path) -> None:
    result = report_builder.write_filing_package(folder)
    assert result.report_format == "八部分" and result.path is not None and "（八部分）_报送材料_v1" in result.path.name


def test_a_version_without_the_web_page_or_not_there_is_refused(folder: Path) -> None:
    none = report_builder.write_filing_package(folder, 1, "三部分")
    assert [f.code for f in none.findings] == ["package-needs-web-page"] and none.path is None
    missing = report_builder.write_filing_package(folder, 9, "三部分")
    assert [f.code for f in missing.findings] == ["package-version-missing"]
    assert "v1、v2" in missing.findings[0].detail
    unknown = report_builder.write_filing_package(folder, report_format="政府格式")
    assert [f.code for f in unknown.findings] == ["package-version-missing"]
    empty = report_builder.write_filing_package(folder / "nothing")
    assert [f.code for f in empty.findings] == ["versions-none"]
    assert not list(folder.glob("*.zip"))


@pytest.mark.parametrize("change", ["edited", "removed", "linked"])
def test_a_file_changed_since_the_build_is_refused(folder: Path, change: str) -> None:
    page = next(folder.glob("*报告_v2.html"))
    if change == "edited":
        page.write_bytes(page.read_bytes().replace("学院".encode(), "学校".encode(), 1))
    elif change == "removed":
        page.unlink()
    else:
        keep = page.with_name("copy.html")
        page.rename(keep)
        page.symlink_to(keep)
    result = report_builder.write_filing_package(folder, report_format="三部分")
    assert [(f.code, f.file) for f in result.findings] == [("package-file-changed", page.name)]
    assert result.path is None and not list(folder.glob("*.zip"))


def test_files_added_later_are_packed_and_hashed(folder: Path) -> None:
    """A PDF from a later `build --pdf` and a 审核记录's Word file beside a whole version."""
    report = next(folder.glob("*报告_v2.docx"))
    for suffix in (".pdf", ".审核记录.docx"):
        report.with_name(report.stem + suffix).write_bytes(f"{suffix} bytes".encode())
    result = report_builder.write_filing_package(folder, report_format="三部分")
    assert result.path is not None and result.missing == ("审核记录（PDF）", "审核记录（数据）")
    manifest, files = opened(result.path)
    entries = {e["label"]: e for e in manifest["files"]}  # type: ignore[union-attr]
    assert entries["审核记录（Word）"]["in_version_manifest"] is False
    assert entries["报告（Word）"]["in_version_manifest"] is True
    assert entries["报告（PDF）"]["sha256"] == hashlib.sha256(b".pdf bytes").hexdigest()
    assert [p.label for p in PARTS if p.label in entries] == list(entries)  # PARTS order: Word, PDF, … 审核记录


def test_a_different_package_of_the_same_name_is_never_replaced(folder: Path) -> None:
    first = report_builder.write_filing_package(folder, report_format="三部分")
    assert first.path is not None
    before = first.path.read_bytes()
    report = next(folder.glob("*报告_v2.docx"))
    report.with_suffix(".pdf").write_bytes(b"later")  # the version gained a file since it was packed
    second = report_builder.write_filing_package(folder, report_format="三部分")
    assert [f.code for f in second.findings] == ["package-exists"] and second.path is None
    assert first.path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_a_folder_that_cannot_be_written_is_a_finding(folder: Path) -> None:
    folder.chmod(0o555)
    try:
        result = report_builder.write_filing_package(folder, report_format="三部分")
    finally:
        folder.chmod(0o755)
    assert [f.code for f in result.findings] == ["output-write-failed"]
    assert not [p for p in folder.iterdir() if p.suffix in (".zip", ".tmp")]


def test_a_failed_write_leaves_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import report_builder.outputs.versions as versions

    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(versions.os, "write", full)
    result = report_builder.write_filing_package(folder, report_format="三部分")
    assert [(f.code, f.detail) for f in result.findings] == [("output-write-failed", "磁盘空间不足")]
    assert not [p for p in folder.iterdir() if ".zip" in p.name]


def test_the_command(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["package", str(folder), "--format", "三部分"]) == 0
    first = capsys.readouterr().out
    assert "报告格式：三部分" in first and "_报送材料_v2.zip" in first
    assert "未包含：报告（PDF）（可运行 build --pdf 生成）、审核记录（Word）、审核记录（PDF）、审核记录（数据）" in (
        first)
    assert "! " in first and "该版本尚未通过审核，不能发布：待保密审查" in first
    assert cli.main(["package", str(folder), "--format", "三部分"]) == 0
    assert "内容相同，未重新生成" in capsys.readouterr().out
    assert cli.main(["package", str(folder), "--format", "三部分", "--version", "1"]) == 1
    assert "该版本没有网页版和纯文本版" in capsys.readouterr().out
    assert cli.main(["package", str(folder / "nothing")]) == 2
    with zipfile.ZipFile(io.BytesIO(next(folder.glob("*.zip")).read_bytes())) as package:
        assert package.namelist()[0] == PACKAGE_MANIFEST
