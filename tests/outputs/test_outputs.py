"""Versions whole or absent (a fault at every write step), manifests of the wrong shape, write failures."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from report_builder import cli, pipeline
from report_builder.outputs import version_history, versions
from report_builder.outputs.manifests import load_manifest, parse_manifest
from report_builder.outputs.staging import output_failure

STEPS = ("open", "write", "fsync", "close", "link", "unlink", "replace", "mkdir")
MANIFEST = {"tool": "report_builder test", "built_at": "2018-09-20T10:00:00", "inputs": [], "figures": {}}


def files_of(content: str) -> dict[str, bytes]:
    return {".docx": f"report {content}".encode(), ".数据来源.xlsx": f"sources {content}".encode(),
            ".pdf": f"pdf {content}".encode()}


def publish(folder: Path, content: str) -> versions.Published:
    manifest = {**MANIFEST, "fingerprint": content}
    return versions.write_version(folder, "报告", content, manifest, lambda: files_of(content))


class Faults:
    """Wraps the low-level calls a write makes; the k-th one raises or ends the process (0: none)."""

    def __init__(self, at: int = 0, how: str = "") -> None:
        self.at, self.how, self.count, self.armed = at, how, 0, False
        self.real = {name: getattr(os, name) for name in STEPS}

    def install(self, setattr_: Callable[[Any, str, Any], None]) -> None:
        for name in STEPS:
            setattr_(os, name, self._wrap(name))

    def _wrap(self, name: str) -> Callable[..., Any]:
        real = self.real[name]

        def step(*args: Any, **kwargs: Any) -> Any:
            if self.armed:
                self.count += 1
                if self.count == self.at:
                    if self.how == "exit":
                        os._exit(70)
                    if self.how == "interrupt":
                        raise KeyboardInterrupt
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args, **kwargs)
        return step


def visible(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if not p.name.startswith(".")}


def assert_only_whole_versions(folder: Path) -> None:
    """Every file is part of a whole version (listed by a valid manifest), nothing hidden is left."""
    assert not [p.name for p in folder.iterdir() if p.name.startswith(".")], "temporary files or claims were left"
    listed = set()
    for manifest_file in folder.glob("*.manifest.json"):
        manifest = load_manifest(manifest_file)
        assert manifest is not None, f"{manifest_file.name} is not a valid manifest"
        for name, digest in manifest.files.items():
            assert versions.sha256((folder / name).read_bytes()) == digest
        listed |= {manifest_file.name, *manifest.files}
    assert set(visible(folder)) == listed, "a file of a version is there without its manifest"
    builds, incomplete = version_history.list_builds(folder)
    assert not incomplete and len(builds) == len(list(folder.glob("*.manifest.json")))


def count_steps(folder: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    counter = Faults()
    with monkeypatch.context() as patch:
        counter.install(patch.setattr)
        counter.armed = True
        publish(folder, "b")
    return counter.count


@pytest.fixture
def one_version(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "out"
    assert publish(folder, "a").report.name == "报告_v1.docx"
    yield folder


@pytest.mark.parametrize("how", ["exit", "raise", "interrupt"])
def test_a_fault_at_every_write_step_leaves_only_whole_versions(one_version: Path, tmp_path: Path, how: str,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    before = visible(one_version)
    probe = tmp_path / "probe"
    probe.mkdir()
    for name, data in before.items():
        (probe / name).write_bytes(data)
    steps = count_steps(probe, monkeypatch)
    assert steps >= 15  # claim, three files and the manifest staged, published, cleaned up
    for k in range(1, steps + 1):
        folder = tmp_path / f"{how}{k}"
        folder.mkdir()
        for name, data in before.items():
            (folder / name).write_bytes(data)
        pid = os.fork()
        if pid == 0:  # the build that fails at step k
            code = 0
            try:
                faults = Faults(k, how)
                faults.install(setattr)
                faults.armed = True
                publish(folder, "b")
            except (OSError, KeyboardInterrupt):
                code = 71
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        seen = visible(folder)
        if how == "exit":
            assert code == 70, f"step {k}"
        else:  # a failure in the process itself: nothing of v2 is left, or v2 is whole (failed after the commit)
            assert code in (0, 71), f"step {k}"
            whole = len(seen) == 8 and load_manifest(folder / "报告_v2.manifest.json") is not None
            assert seen == before or whole, f"step {k}: half a version after an error"
            assert code == 71 or whole, f"step {k}"
        v2_was_seen = any(name.startswith("报告_v2.") for name in seen)

        after = publish(folder, "c")  # the next build
        assert_only_whole_versions(folder)
        assert {n: d for n, d in visible(folder).items() if n.startswith("报告_v1.")} == before, f"step {k}"
        v2 = load_manifest(folder / "报告_v2.manifest.json")
        if v2_was_seen:  # a number whose files were visible keeps its content
            assert v2 is not None and v2.fingerprint == "b", f"step {k}"
        assert after.report.name == ("报告_v3.docx" if v2 and v2.fingerprint == "b" else "报告_v2.docx")
        assert cli.main(["versions", str(folder)]) == 0
        assert "不完整" not in capsys.readouterr().err


def test_a_build_killed_while_publishing_is_finished_by_the_next(sample_year: Path, tmp_path: Path) -> None:
    """The whole pipeline killed after publishing the report, before the commit, after it: the next one is whole."""
    script = (
        "import os, sys\n"
        "from report_builder import pipeline\nfrom report_builder.outputs import versions\n"
        "real_link, real_publish, seen = os.link, versions._publish, []\n"
        "def link(src, dst, *a, **k):\n"
        "    real_link(src, dst, *a, **k)\n"
        "    seen.append(dst)\n"
        "    if len(seen) == int(sys.argv[3]): os._exit(70)\n"
        "def publish(*a, **k):\n"
        "    os.link = link\n"
        "    return real_publish(*a, **k)\n"
        "versions._publish = publish\n"
        "pipeline.build_report(sys.argv[1], sys.argv[2])\n"
    )
    for k in (1, 2, 3):  # after the report's link, the 数据来源's, the manifest's (the commit)
        out = tmp_path / f"out{k}"
        killed = subprocess.run([sys.executable, "-c", script, str(sample_year), str(out), str(k)])
        assert killed.returncode == 70
        folder = out / "2017-2018"
        assert any(p.name.endswith("_v1.docx") for p in folder.iterdir())
        result = pipeline.build_report(sample_year, out)
        assert result.report and result.report.name.endswith("_v1.docx") and result.unchanged
        assert_only_whole_versions(folder)
        assert len(list(folder.glob("*_v1.*"))) == 3


BAD_MANIFESTS = [b"not json", b"[1, 2]", b'{"figures": 3}', b"\xff\xfe", b"[" * 100_000,
                 json.dumps({**MANIFEST, "fingerprint": "x", "schema_version": 99}).encode(),
                 json.dumps({**MANIFEST, "fingerprint": "x", "schema_version": 2}).encode()]  # 2 without files


def test_the_manifest_reader_refuses_every_wrong_shape(tmp_path: Path) -> None:
    assert parse_manifest(json.dumps({**MANIFEST, "fingerprint": "x"}).encode()) is not None  # schema 1: older tools
    assert [parse_manifest(content) for content in BAD_MANIFESTS] == [None] * len(BAD_MANIFESTS)
    assert load_manifest(tmp_path / "missing.manifest.json") is None and load_manifest(tmp_path) is None


@pytest.mark.parametrize("content", [BAD_MANIFESTS[0], BAD_MANIFESTS[1]])
def test_a_manifest_of_the_wrong_shape_is_an_incomplete_version(sample_year: Path, tmp_path: Path,
                                                                 content: bytes,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    first = pipeline.build_report(sample_year, out)
    assert first.manifest
    first.manifest.write_bytes(content)
    code = cli.main(["build", str(sample_year), "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "_v2.docx" in printed and printed.count("_v1.docx") == 1  # said once
    result = pipeline.build_report(sample_year, out, today=dt.date(2018, 10, 1))  # before the deadline
    assert result.unchanged and result.report and result.report.name.endswith("_v2.docx")
    assert not result.render_findings  # said once: by the build that stepped over it
    builds, incomplete = version_history.list_builds(out / "2017-2018")
    assert [b.path.name[-8:] for b in builds] == ["_v2.docx"] and [p.name[-8:] for p in incomplete] == ["_v1.docx"]
    assert versions.read_manifest(first.report) is None  # the diff command's reader refuses it too
    capsys.readouterr()
    assert cli.main(["versions", str(out / "2017-2018")]) == 0
    listing = capsys.readouterr()
    assert "_v1.docx" not in listing.out and listing.err.count("_v1.docx") == 1 and "_v2.docx" in listing.out


@pytest.mark.parametrize(("code", "detail"), [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有写入权限"),
                                             (errno.EDQUOT, "磁盘配额已用完"), (errno.EROFS, "只读"),
                                             (errno.ENAMETOOLONG, "过长"), (errno.EIO, "磁盘读写错误")])
def test_each_write_failure_is_said_in_chinese(tmp_path: Path, code: int, detail: str) -> None:
    finding = output_failure(tmp_path, OSError(code, os.strerror(code)))
    assert finding.code == "output-write-failed" and detail in finding.detail and finding.file == str(tmp_path)


@pytest.mark.parametrize(("code", "detail"), [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有写入权限")])
def test_a_failed_write_is_a_finding_and_leaves_nothing(sample_year: Path, tmp_path: Path, code: int, detail: str,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    real_link = os.link

    def link(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if str(dst).endswith(".manifest.json"):  # the last step: everything else is already published
            raise OSError(code, os.strerror(code))
        real_link(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "link", link)
    result = pipeline.build_report(sample_year, out)
    assert result.report is None and [f.code for f in result.render_findings] == ["output-write-failed"]
    assert detail in result.render_findings[0].detail and result.render_findings[0].file == str(out / "2017-2018")
    assert not list((out / "2017-2018").iterdir()), "half a version or temporary files were left"
    assert cli.main(["build", str(sample_year), "--out", str(out)]) == 1
    assert "磁盘" in capsys.readouterr().out or code != errno.ENOSPC


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders (the monkeypatched test covers it)")
def test_a_read_only_output_folder_is_a_finding(sample_year: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        result = pipeline.build_report(sample_year, out)
    finally:
        out.chmod(0o755)
    assert [f.code for f in result.render_findings] == ["output-write-failed"]
    assert not list(out.iterdir())


def test_templates_and_feedback_report_write_failures(sample_year: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = os.open

    def full_disk(path: Any, *args: Any, **kwargs: Any) -> int:
        if "教务处" in str(path):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", full_disk)
    assert cli.main(["templates", str(sample_year), "--out", str(tmp_path / "t")]) == 1
    written = pipeline.make_templates(sample_year, tmp_path / "t2")
    assert [f.code for f in written.findings] == ["output-write-failed"]
    (sample_year / "招生就业处.xlsx").write_bytes(b"not a workbook")
    (sample_year / "教务处.xlsx").write_bytes(b"not a workbook either")
    feedback = pipeline.write_feedback(pipeline.check_submissions(sample_year), tmp_path / "fb")
    names = [p.name for p in feedback.written]
    assert "招生就业处_反馈.xlsx" in names and not [n for n in names if "教务处" in n]  # one failure stops no other
    assert [f.code for f in feedback.findings] == ["output-write-failed"]
