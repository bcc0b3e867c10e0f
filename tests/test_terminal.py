"""What reaches the user's terminal: no escape sequence from a file, no 200 KB line, no traceback."""

from __future__ import annotations

import errno
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import edit_workbook

from report_builder import atomic, cli
from report_builder.cli import run as cli_run
from report_builder.display import clip, escape, escape_json
from report_builder.findings import Finding
from report_builder.outputs.filling import fill_department, set_form_value

ESC, BEL = "_x001B_", "_x0007_"  # how Excel stores control characters in a cell; the reader decodes them
LONG = 100_000
FILE = "\x1b]0;pwned\x07\x1b[2J教务处.xlsx"  # sets the window title, then clears the screen
# what a terminal obeys: C0 (but newline), DEL, C1 (U+009B is CSI), bidi controls
OBEYED = [bytes([b]) for b in range(0x20) if b != 0x0A] + [b"\x7f"] + [chr(c).encode() for c in range(0x80, 0xA0)] \
    + [chr(c).encode() for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]


def hostile_year(year: Path) -> Path:
    """The sample year with 教务处's file name, department name and cells holding escape sequences,
    and a 100,000-character cell (more than Excel allows: the XML is edited after saving)."""
    def change(wb: object) -> None:
        fill_department(wb, "依申请公开", [
            {"received": "2018.3.5", "summary": "LONG-CELL", "outcome": "予以公开", "on_time": "是",
             "applicant": "自然人"},
            {"received": "2018.3.6", "summary": "摘要", "outcome": f"{ESC}[31m\u202e红{ESC}[0m", "on_time": "是"},
        ])
        set_form_value(wb, "基本信息", "department", f"{ESC}]0;x{BEL}{ESC}[2J教务处_x009B_")

    path = year / "教务处.xlsx"
    edit_workbook(path, change)
    with zipfile.ZipFile(path) as source:
        parts = {info: source.read(info) for info in source.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in parts.items():
            target.writestr(info, data.replace(b"LONG-CELL", "长".encode() * LONG))
    return path.rename(year / FILE)


def run(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "report_builder", *map(str, args)],
                          capture_output=True, timeout=300, cwd=cwd)


def assert_plain(output: bytes) -> None:
    assert b"Traceback" not in output
    assert not [seq for seq in OBEYED if seq in output]


def test_escape_sequences_and_huge_cells_never_reach_the_terminal(sample_year: Path, tmp_path: Path) -> None:
    hostile_year(sample_year)
    done = run("check", sample_year, "--json", tmp_path / "check.json", cwd=tmp_path)
    assert done.returncode == 1
    assert_plain(done.stdout + done.stderr)
    assert len(done.stdout) < 20_000  # the 100,000-character cell printed 200 KB
    assert "␛]0;pwned␇␛[2J教务处.xlsx › 依申请公开!B3" in done.stdout.decode()  # still says where, visibly

    data = json.loads((tmp_path / "check.json").read_text(encoding="utf-8"))
    entry = next(e for e in data["files"] if e["file"] == FILE)  # the JSON keeps the exact name
    long = next(f for f in entry["findings"] if f["cell"] == "B3" and f["sheet"] == "依申请公开")
    assert (long["code"], long["value_length"]) == ("text-too-long", LONG)
    assert len(long["value"]) < 2_000
    wrong = next(f for f in entry["findings"] if f["cell"] == "D4")
    assert (wrong["code"], wrong["value"]) == ("not-in-list", "\x1b[31m\u202e红\x1b[0m")

    built = run("build", sample_year, "--out", tmp_path / "out", cwd=tmp_path)
    assert built.returncode == 1
    assert_plain(built.stdout + built.stderr)
    assert len(built.stdout) < 20_000


def test_json_to_stdout_is_valid_and_escaped(sample_year: Path, tmp_path: Path) -> None:
    hostile_year(sample_year)
    done = run("check", sample_year, "--json", "-", cwd=tmp_path)
    assert done.returncode == 1
    assert_plain(done.stdout + done.stderr)
    assert len(done.stdout) < 40_000
    data = json.loads(done.stdout)
    entry = next(e for e in data["files"] if e["file"] == FILE)
    department = next(f for f in entry["findings"] if f["sheet"] == "基本信息")
    # the cell check strips the C0 controls (ESC, BEL) XML cannot hold; the C1 \x9b stays and json escapes it
    assert (department["code"], department["value"]) == ("unknown-department", "]0;x[2J教务处\x9b")


def test_a_finding_line_is_escaped_and_bounded() -> None:
    line = str(Finding("text-too-long", file=FILE, sheet="依\u202e申请", cell="B3", value="长\n" * LONG,
                       detail="“申请内容摘要”\x1b[2J"))
    assert len(line) < 500
    assert not [ch for ch in line if ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or ch == "\u202e"]
    assert f"（共 {2 * LONG} 字）" in line


@pytest.mark.parametrize(("text", "shown"), [
    ("a\x1b[2Jb", "a␛[2Jb"), ("\x07\x00\x7f", "␇␀␡"), ("\x9b31m", "<U+009B>31m"),
    ("x\u202ey\u2066", "x<U+202E>y<U+2066>"),
    ("教务\u200b处", "教务<U+200B>处"), ("\udc9b.xlsx", "<U+DC9B>.xlsx"), ("行一\n行二\t", "行一␊行二␉"),
    ("教务处\u3000（全角空格）", "教务处\u3000（全角空格）"), ("R&D <研发> “引号”", "R&D <研发> “引号”"),
])
def test_escape_shows_what_a_terminal_would_obey(text: str, shown: str) -> None:
    assert escape(text) == shown


def test_clip_and_escape_json() -> None:
    assert clip("长" * 100, 80) == "长" * 80 + "…（共 100 字）"
    assert clip("短", 80) == "短"
    data = {"v": "\x1b]0;t\x07 \u202e\x9b \udc9b \U000e0001 中文：“ok”"}
    text = escape_json(json.dumps(data, ensure_ascii=False))
    assert json.loads(text) == data
    assert text.isascii() is False and all(ch.isprintable() for ch in text)
    text.encode("utf-8")  # a lone surrogate from a non-UTF-8 file name no longer breaks writing


@pytest.mark.parametrize(("number", "code"), [
    (errno.EACCES, "io-permission-denied"), (errno.EPERM, "io-permission-denied"), (errno.EROFS, "io-read-only"),
    (errno.ENOSPC, "io-disk-full"), (errno.EDQUOT, "io-disk-full"), (errno.ENAMETOOLONG, "io-name-too-long"),
    (errno.ENOENT, "io-not-found"), (errno.ENOTDIR, "io-not-a-folder"), (errno.EISDIR, "io-is-a-folder"),
    (errno.EEXIST, "io-exists"),
])
def test_a_known_os_error_is_a_plain_message_and_exit_1(number: int, code: str, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "2017-2018").mkdir()
    target = tmp_path / "结果.json"

    def failing_write(path: Path, data: bytes, *, overwrite: bool = False) -> None:
        raise OSError(number, "system words", str(path.with_name(f".{path.name}.123.tmp")))

    monkeypatch.setattr(atomic, "write_atomic", failing_write)
    assert cli.main(["check", str(tmp_path / "2017-2018"), "--json", str(target)]) == 1
    err = capsys.readouterr().err
    assert str(target) in err and "内部错误" not in err  # the real name, not the temporary one
    finding = cli_run._os_error_finding(OSError(number, "system words", str(target)))
    assert finding is not None and (finding.code, finding.file) == (code, str(target))


def test_an_unknown_os_error_is_still_an_internal_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "2017-2018").mkdir()

    def failing_write(path: Path, data: bytes, *, overwrite: bool = False) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(atomic, "write_atomic", failing_write)
    assert cli.main(["check", str(tmp_path / "2017-2018"), "--json", str(tmp_path / "x.json")]) == 3


@pytest.mark.parametrize("where", ["folder", "long-name", "under-a-file"])
def test_json_to_a_place_that_cannot_be_written_exits_1(where: str, tmp_path: Path) -> None:
    (tmp_path / "2017-2018").mkdir()
    (tmp_path / "a-file").write_text("x")
    target = {"folder": tmp_path, "long-name": tmp_path / ("结果" * 60 + ".json"),
              "under-a-file": tmp_path / "a-file" / "x.json"}[where]
    done = run("check", tmp_path / "2017-2018", "--json", target, cwd=tmp_path)
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and "内部错误" not in done.stderr.decode()
    assert str(target).encode() in done.stderr or str(target.parent).encode() in done.stderr


def test_json_to_a_read_only_folder_exits_1(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root writes into read-only folders; the errno cases above cover it")
    (tmp_path / "2017-2018").mkdir()
    (tmp_path / "ro").mkdir(mode=0o500)
    done = run("check", tmp_path / "2017-2018", "--json", tmp_path / "ro" / "x.json", cwd=tmp_path)
    assert done.returncode == 1 and "内部错误" not in done.stderr.decode()
