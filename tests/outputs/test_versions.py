"""Versions that are never lost, manifests, figures that explain themselves, the diff command."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from conftest import edit_workbook

from report_builder import atomic, pipeline
from report_builder.outputs import version_history, versions
from report_builder.outputs.filling import fill_department
from report_builder.outputs.sources_workbook import SOURCES_SHEET


def cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "report_builder", *map(str, args)],
                          capture_output=True, text=True, env=env)


def test_a_changed_count_gives_v2_and_the_manifests_name_it(sample_year: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    v1 = pipeline.build_report(sample_year, out)
    edit_workbook(sample_year / "教务处.xlsx", lambda wb: fill_department(wb, "主动公开", [{"count": 60}]))
    v2 = pipeline.build_report(sample_year, out)
    assert v1.report and v2.report and v1.report.name.endswith("_v1.docx") and v2.report.name.endswith("_v2.docx")
    assert v1.report.is_file() and v2.report.is_file()
    old, new = versions.read_manifest(v1.report), versions.read_manifest(v2.report)
    assert old and new
    changed = version_history.figure_changes(old["figures"], new["figures"])
    assert {c.name: (c.old, c.new, c.departments) for c in changed} == {
        "主动公开条数": (1000, 1016, ("教务处",)),
        "校园网信息公开专栏条数": (400, 416, ("教务处",)),
    }
    assert [i["file"] for i in new["inputs"] if i not in old["inputs"]] == ["教务处.xlsx"]
    assert new["checks"]["errors"] == 0 and new["template"]["sha256"] == old["template"]["sha256"]

    done = cli("diff", v1.report, v2.report, "--out", tmp_path / "redline.docx")
    if "python-redlines" in done.stderr:
        pytest.skip("the redline engine (python-redlines[docxodus]) is not installed")
    assert done.returncode == 0, done.stderr
    assert "主动公开条数：1000 → 1016（教务处）" in done.stdout
    assert "修改段落 1" in done.stdout
    listing = cli("versions", out / "2017-2018")
    assert "_v1.docx" in listing.stdout and "修改 教务处.xlsx" in listing.stdout


def test_the_sources_workbook_leads_each_figure_to_its_cells(sample_year: Path, tmp_path: Path) -> None:
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report
    ws = openpyxl.load_workbook(result.sources)[SOURCES_SHEET]
    rows = [tuple(c.value for c in row) for row in ws.iter_rows(min_row=3)]
    start = next(i for i, r in enumerate(rows) if r[0] == "主动公开条数")
    assert rows[start][1] == 1000 and "近1000余条" in rows[start][2]
    below = []
    for row in rows[start + 1:]:
        if row[0]:
            break
        below.append(row)
    assert ("教务处", "教务处.xlsx", "主动公开", "B3", "44") in [r[2:7] for r in below]
    assert sum(int(r[6]) for r in below) == 1000
    liaison = next(i for i, r in enumerate(rows) if r[0] == "联络员人数")
    assert "联络员15人组成" in rows[liaison][2]


def test_a_killed_build_leaves_no_partial_file_and_no_hole(sample_year: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = (
        "import sys, time, report_builder.outputs.versions as v\n"
        "real = v.os.fsync\n"
        "def slow(fd):\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "v.os.fsync = slow\n"
        "from report_builder import pipeline\n"
        "pipeline.build_report(sys.argv[1], sys.argv[2])\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", script, str(sample_year), str(out)],
                              stdout=subprocess.PIPE, text=True)
    assert writer.stdout and writer.stdout.readline().strip() == "writing"
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait()
    writer.stdout.close()
    folder = out / "2017-2018"
    assert not list(folder.glob("*.docx")), "a partial report was left under its final name"
    time.sleep(0.01)
    result = pipeline.build_report(sample_year, out)
    assert result.report and result.report.name.endswith("_v1.docx")
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")], "stale temporary files were left"


def test_versions_are_claimed_atomically(tmp_path: Path) -> None:
    first = versions.write_next_version(tmp_path, "报告", ".docx", b"one").path
    (tmp_path / "报告_v2.docx").write_bytes(b"someone else")  # another build took v2 meanwhile
    third = versions.write_next_version(tmp_path, "报告", ".docx", b"three")
    assert (first.name, third.path.name, third.unchanged) == ("报告_v1.docx", "报告_v3.docx", False)
    again = versions.write_next_version(tmp_path, "报告", ".docx", b"three")
    assert again == versions.Saved(third.path, True)
    with pytest.raises(FileExistsError):
        atomic.write_atomic(first, b"overwrite?")
    assert first.read_bytes() == b"one"


def test_the_same_inputs_built_while_another_build_of_them_runs_give_one_version(tmp_path: Path) -> None:
    """Issue 19: the later build finds, under the folder's lock, the version the earlier one published."""
    manifest = {"tool": "t", "fingerprint": "same", "inputs": [], "figures": {"x": {"value": 1}}}
    inner: list[versions.Published] = []

    def files() -> dict[str, bytes]:
        return {".docx": b"report"}

    def make_files() -> dict[str, bytes]:  # while this build makes its files, another build of the same publishes
        inner.append(versions.write_version(tmp_path, "报告", "same", manifest, files))
        return files()

    outer = versions.write_version(tmp_path, "报告", "same", manifest, make_files)
    assert not inner[0].unchanged and outer.unchanged and outer.report == inner[0].report
    assert sorted(p.name for p in tmp_path.iterdir()) == ["报告_v1.docx", "报告_v1.manifest.json"]


def test_pdf_without_libreoffice_is_a_clear_warning(sample_year: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PATH": str(Path(sys.executable).parent)}
    done = cli("build", sample_year, "--out", tmp_path / "out", "--pdf", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "未能生成 PDF" in done.stdout and "Traceback" not in done.stdout + done.stderr
    assert list((tmp_path / "out" / "2017-2018").glob("*_v1.docx"))


def test_manifest_records_inputs_template_and_tool(sample_year: Path, tmp_path: Path) -> None:
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.manifest
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert len(manifest["inputs"]) == 16 and all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["tool"].startswith("report_builder ")
    assert manifest["figures"]["联络员人数"]["value"] == 15
    assert manifest["checks"]["rows_read"] == manifest["checks"]["rows_accepted"]


