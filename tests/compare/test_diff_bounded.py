"""`diff` on untrusted files: pre-checks, capped workers, a bounded engine, a near-linear summary."""

from __future__ import annotations

import difflib
import os
import random
import re
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import pytest
from hostile import (
    many_paragraphs,
    package_parts,
    sheet,
    write_bad_ole_header,
    write_bomb,
    write_encrypted_lookalike,
    write_zip,
)

from report_builder.compare import files, inputs, paragraph_diff, redline, workbook_diff
from report_builder.compare.inputs import DiffError, paragraph_texts
from report_builder.compare.paragraph_diff import summarize_paragraphs
from report_builder.compare.redline import redline_docx
from report_builder.compare.workbook_diff import diff_workbooks


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "report_builder", *map(str, args)],
                          capture_output=True, text=True, timeout=300)
    assert "Traceback" not in done.stdout + done.stderr
    return done


def write_docx(path: Path, texts: list[str]) -> Path:
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    document.save(str(path))
    return path


def write_docx_bomb(path: Path, megabytes: int = 20) -> Path:
    """A real .docx whose document.xml is `megabytes` MB of repeated paragraphs (deflates ~1000:1)."""
    source = write_docx(path.with_name("plain.docx"), ["x"])
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                out.writestr(info, src.read(info))
        ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        with out.open("word/document.xml", "w") as part:
            part.write(f'<?xml version="1.0"?><w:document {ns}><w:body>'.encode())
            block = b"<w:p><w:r><w:t>x</w:t></w:r></w:p>" * 30_000
            for _ in range(megabytes * 1024 * 1024 // len(block)):
                part.write(block)
            part.write(b"</w:body></w:document>")
    return path


def finding_code(error: pytest.ExceptionInfo[DiffError]) -> str:
    assert error.value.finding is not None
    return error.value.finding.code


# ---- Word files ----------------------------------------------------------------------------------

def test_an_encrypted_docx_says_it_has_a_password(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx", ["甲"])
    locked = write_encrypted_lookalike(tmp_path / "加密.docx")

    with pytest.raises(DiffError) as info:
        redline_docx(good, locked, tmp_path / "r.docx")
    assert finding_code(info) == "document-encrypted" and "加密.docx" in info.value.message

    done = run("diff", good, locked, "--out", tmp_path / "r.docx")
    assert done.returncode == 1 and "密码" in done.stderr
    assert not (tmp_path / "r.docx").exists()


def test_a_zip_bomb_docx_is_refused_before_parsing(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx", ["甲"])
    bomb = write_docx_bomb(tmp_path / "炸弹.docx")

    started = time.monotonic()
    with pytest.raises(DiffError) as info:
        paragraph_texts(bomb)
    assert finding_code(info) == "document-unsafe"
    done = run("diff", good, bomb, "--out", tmp_path / "r.docx")
    assert done.returncode == 1 and "炸弹.docx" in done.stderr
    assert time.monotonic() - started < 10


def test_reading_a_docx_runs_under_a_memory_cap(tmp_path: Path) -> None:
    # In a fresh process: a long-lived pytest parent has freed heap the forked worker could reuse uncounted.
    good = write_docx(tmp_path / "good.docx", [f"第{i}段" for i in range(5000)])
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from report_builder.compare import inputs\n"
        "inputs.READ_MEMORY_MB = 1  # far too little to parse 5,000 paragraphs\n"
        "try:\n"
        "    inputs.paragraph_texts(Path(sys.argv[1]))\n"
        "except inputs.DiffError as error:\n"
        "    print(error.finding.code if error.finding else '', error.message)\n"
    )
    done = subprocess.run([sys.executable, "-c", script, str(good)], capture_output=True, text=True, timeout=120)
    assert done.stdout.startswith("compare-too-large ") and "good.docx" in done.stdout, done.stdout + done.stderr
    assert "超过上限（1 MB）" in done.stdout


def test_documents_over_the_paragraph_limit_are_refused_before_the_engine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    short = write_docx(tmp_path / "短.docx", ["甲"] * 5)
    long = write_docx(tmp_path / "长.docx", [f"第{i}段" for i in range(20)])
    monkeypatch.setattr(redline, "MAX_PARAGRAPHS", 10)
    fake_engine(tmp_path, "exit 1\n", monkeypatch)  # had it run: compare-failed

    with pytest.raises(DiffError) as info:
        redline_docx(short, long, tmp_path / "r.docx")
    assert finding_code(info) == "compare-too-large" and "长.docx" in info.value.message
    assert "20 个段落" in info.value.message and not (tmp_path / "r.docx").exists()


def test_two_29000_paragraph_documents_end_in_a_chinese_finding(tmp_path: Path) -> None:
    """Issue 19: 29,000 paragraphs took 107 s and 1.5 GB in the engine; now refused when read, by count."""
    template = Path(__file__).resolve().parents[2] / "templates" / "年度报告模板.docx"
    old = many_paragraphs(template, tmp_path / "旧.docx", 29_000)
    new = many_paragraphs(template, tmp_path / "新.docx", 29_001)
    done = run("diff", old, new, "--out", tmp_path / "修订.docx")
    assert done.returncode == 1 and not (tmp_path / "修订.docx").exists()
    assert f"超过上限 {redline.MAX_PARAGRAPHS:,}" in done.stdout + done.stderr
    assert re.search(r"文件有 29,\d{3} 个段落", done.stdout + done.stderr)


def test_a_write_failure_of_the_redline_is_said_in_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(path: Path, data: bytes, *, overwrite: bool = False) -> None:
        raise OSError(30, "Read-only file system", str(path))

    monkeypatch.setattr(redline, "write_atomic", read_only)
    with pytest.raises(DiffError) as info:
        redline._write_atomic(tmp_path / "r.docx", b"x")
    assert "所在磁盘只读，不能写入" in info.value.message and "Read-only" not in info.value.message


# ---- the redline engine -------------------------------------------------------------------------

def fake_engine(tmp_path: Path, script: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stand in for the Docxodus binary with a shell script."""
    program = tmp_path / "fake-engine.sh"
    program.write_text("#!/bin/sh\n" + script)
    program.chmod(0o755)
    monkeypatch.setattr(redline, "_engine_command", lambda *args: [str(program)])


def test_engine_failure_shows_no_english_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_docx(tmp_path / "good.docx", ["甲"])
    english = "Unhandled exception. System.IO.FileFormatException: File contains corrupted data."
    fake_engine(tmp_path, f"echo '{english}' >&2\nexit 134\n", monkeypatch)

    with pytest.raises(DiffError) as info:
        redline_docx(good, good, tmp_path / "r.docx")
    assert finding_code(info) == "compare-failed"
    assert "Exception" not in info.value.message and "corrupted" not in info.value.message
    assert english in info.value.detail  # kept for --debug
    assert not (tmp_path / "r.docx").exists()


def test_engine_out_of_memory_is_said_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_docx(tmp_path / "good.docx", ["甲"])
    fake_engine(tmp_path, "echo 'System.OutOfMemoryException: Out of memory.' >&2\nexit 134\n", monkeypatch)

    with pytest.raises(DiffError) as info:
        redline_docx(good, good, tmp_path / "r.docx")
    assert finding_code(info) == "compare-too-large" and "OutOfMemory" not in info.value.message


def test_engine_timeout_kills_its_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_docx(tmp_path / "good.docx", ["甲"])
    child = tmp_path / "child.pid"
    fake_engine(tmp_path, f"sleep 300 &\necho $! > {child}\nwait\n", monkeypatch)
    monkeypatch.setattr(redline, "ENGINE_TIMEOUT_S", 1.0)

    started = time.monotonic()
    with pytest.raises(DiffError) as info:
        redline_docx(good, good, tmp_path / "r.docx")
    assert finding_code(info) == "compare-too-large"
    assert time.monotonic() - started < 10
    pid = int(child.read_text())
    time.sleep(0.2)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0]
    except (FileNotFoundError, IndexError):
        return False
    return state not in "ZX"


# ---- workbooks ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "make", "code"), [
    ("远处单元格.xlsx", lambda p: write_zip(p, package_parts(sheet([("A1", 1), ("XFD1048576", 2)]))), "file-unsafe"),
    ("坏文件头.xls", write_bad_ole_header, "file-corrupt"),
    ("压缩炸弹.xlsx", lambda p: write_bomb(p, 300), "file-unsafe"),
])
def test_hostile_workbooks_are_findings_not_crashes(tmp_path: Path, name: str, make: object, code: str) -> None:
    good = write_zip(tmp_path / "good.xlsx", package_parts(sheet([("A1", 1)])))
    hostile = tmp_path / name
    make(hostile)  # type: ignore[operator]

    started = time.monotonic()
    with pytest.raises(DiffError) as info:
        diff_workbooks(good, hostile)
    assert finding_code(info) == code and name in info.value.message
    done = run("diff", good, hostile)
    assert done.returncode == 1 and name in done.stderr
    assert re.search(r"[\u4e00-\u9fff]", done.stderr.replace(name, ""))  # a Chinese message, not a tool's
    assert "memory allocation" not in done.stderr and "panicked" not in done.stderr
    assert time.monotonic() - started < 10


def test_compare_reads_excel_and_word_only_through_the_one_readers() -> None:
    for module in (files, inputs, paragraph_diff, redline, workbook_diff):
        source = Path(module.__file__ or "").read_text(encoding="utf-8")
        assert "calamine" not in source.replace("python-calamine", "")
        assert "wordprocessingml" not in source and "import docx" not in source


# ---- the paragraph summary ----------------------------------------------------------------------

def test_summary_of_a_rewritten_long_report_is_fast() -> None:
    old = [f"第{i}段：旧的内容，共{i * 7}条。" for i in range(20_000)] + [str(i % 10) for i in range(5_000)]
    new = [f"第{i}段：新的内容，合计{i * 3}条。" for i in range(20_000)] + [str(i % 7) for i in range(5_000)]

    started = time.monotonic()
    summary = summarize_paragraphs(old, new)
    assert time.monotonic() - started < 10
    assert summary.added + summary.changed + summary.moved == len(new) - summary.unchanged


@pytest.mark.parametrize("seed", range(40))
def test_opcodes_are_difflibs_on_small_inputs(seed: int) -> None:
    rng = random.Random(seed)
    a = [rng.choice("甲乙丙丁戊己") for _ in range(rng.randint(0, 60))]
    b = [rng.choice("甲乙丙丁戊己庚") for _ in range(rng.randint(0, 60))]
    assert paragraph_diff.opcodes(a, b) == difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


@pytest.mark.parametrize("seed", range(5))
def test_opcodes_on_large_inputs_cover_both_sides_and_equal_is_equal(seed: int) -> None:
    rng = random.Random(seed)
    a = [rng.choice(["0", "1", f"段{rng.randint(0, 10**6)}"]) for _ in range(3_000)]
    b = [t if rng.random() < 0.8 else f"改{rng.randint(0, 10**6)}" for t in a]
    rng.shuffle(b[1000:1100])
    ops = paragraph_diff.opcodes(a, b)
    assert ops[0][1] == 0 and ops[0][3] == 0 and ops[-1][2] == len(a) and ops[-1][4] == len(b)
    for (_, _, i2, _, j2), (_, i1, _, j1, _) in zip(ops, ops[1:], strict=False):
        assert (i2, j2) == (i1, j1)
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
    unchanged = sum(i2 - i1 for tag, i1, i2, _, _ in ops if tag == "equal")
    assert unchanged > 0.7 * len(a)


@pytest.mark.parametrize("seed", range(20))
def test_moves_are_the_old_list_remove_result(seed: int) -> None:
    rng = random.Random(seed)
    added = [rng.choice("甲乙丙丁") for _ in range(rng.randint(0, 12))]
    deleted = [rng.choice("甲乙丙戊") for _ in range(rng.randint(0, 12))]
    want_added, want_deleted, want_moved = list(added), list(deleted), []
    for text in list(want_deleted):
        if text in want_added:
            want_added.remove(text)
            want_deleted.remove(text)
            want_moved.append(text)
    assert paragraph_diff._moves(added, deleted) == (want_added, want_deleted, want_moved)


def test_long_paragraphs_are_compared_in_linear_time() -> None:
    x = "".join(random.Random(1).choice("甲乙丙丁戊己庚辛") for _ in range(200_000))
    y = x[::-1]
    started = time.monotonic()
    summarize_paragraphs(["头", x, "尾"], ["头", y, "尾"])
    assert time.monotonic() - started < 10


def test_no_stray_processes(tmp_path: Path) -> None:
    before = _children()
    good = write_docx(tmp_path / "good.docx", ["甲"])
    paragraph_texts(good)
    assert _children() <= before


def _children() -> set[int]:
    me = str(os.getpid())
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().split(") ")[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == me and fields[0] not in "ZX":
            found.add(int(stat.parent.name))
    return found
