"""Ctrl-C or SIGTERM at any moment: one plain Chinese line, exit code 1, no traceback (workers included)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest

from report_builder.cli.signals import INTERRUPTED

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads signal masks from /proc")


def caught_signals(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(line.split()[1] for line in status if line.startswith("SigCgt:")), 16)


def start(*args: str | Path, cwd: Path) -> subprocess.Popen[bytes]:
    """Start the command and return once its own code runs (before that, only the interpreter is starting:
    it takes ~25 ms, and Python itself reports a Ctrl-C there)."""
    process = subprocess.Popen([sys.executable, "-m", "report_builder", *map(str, args)], cwd=cwd,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 30
    while not caught_signals(process.pid) & (1 << (signal.SIGTERM - 1)):  # cli/signals.py's handler is installed
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.001)
    return process


def children(pid: int) -> list[str]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return listing.read().split()


def wait_for_workers(process: subprocess.Popen[bytes], *, until_gone: bool = False) -> None:
    """Until worker processes run (the check), or until they have run and ended (merging, rendering)."""
    deadline, seen = time.monotonic() + 60, False
    while not seen or (until_gone and children(process.pid)):
        assert process.poll() is None and time.monotonic() < deadline, "finished before the moment to test"
        seen = seen or bool(children(process.pid))
        time.sleep(0.001)


def assert_interrupted(process: subprocess.Popen[bytes]) -> None:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 1, err.decode()
    assert b"Traceback" not in out + err and b"Process " not in err  # "Process ForkProcess-1:" from a worker
    last = err.decode().strip().splitlines()[-1]
    published = re.fullmatch(r"已中断：中断前已完整写出 (.+\.docx)，其后的步骤未完成。", last)
    if published is not None:  # the signal came after the version was whole (a fast build): it says which
        report = Path(published.group(1))
        assert report.is_file() and report.with_suffix(".manifest.json").is_file(), last
    else:
        assert last == INTERRUPTED


@pytest.mark.parametrize(("signum", "moment"), [
    (signal.SIGINT, 0.0), (signal.SIGINT, 0.05), (signal.SIGINT, 0.1), (signal.SIGINT, 0.3), (signal.SIGINT, "render"),
    (signal.SIGTERM, 0.05), (signal.SIGTERM, 0.3), (signal.SIGTERM, "workers"), (signal.SIGTERM, "render"),
])
def test_a_build_interrupted_at_any_moment_says_so_plainly(signum: int, moment: float | str, sample_year: Path,
                                                           tmp_path: Path) -> None:
    process = start("build", sample_year, "--out", tmp_path / "out", cwd=tmp_path)
    if isinstance(moment, float):
        time.sleep(moment)  # 0–0.1 s: still importing the CLI (it takes ~0.2 s); 0.3 s: importing or starting
    else:
        wait_for_workers(process, until_gone=moment == "render")
    process.send_signal(signum)
    assert_interrupted(process)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_the_whole_process_group_interrupted_while_workers_run(signum: int, sample_year: Path,
                                                               tmp_path: Path) -> None:
    """A terminal's Ctrl-C reaches every process of the group: workers end quietly too."""
    process = start("check", sample_year, cwd=tmp_path)
    wait_for_workers(process)
    os.killpg(process.pid, signum)
    assert_interrupted(process)


def test_the_installed_command_runs_the_entry_module() -> None:
    [script] = entry_points(group="console_scripts", name="report-builder")
    assert script.value == "report_builder.cli:entry"


def test_an_interrupt_swallowed_by_a_weakref_callback_is_delivered_again(tmp_path: Path) -> None:
    """Python prints "Exception ignored" and drops a KeyboardInterrupt raised inside a callback."""
    script = (
        "import os, signal, weakref\n"
        "from report_builder.cli import signals\n"
        "signals.install_handlers()\n"
        "class Thing: pass\n"
        "thing = Thing()\n"
        "ref = weakref.ref(thing, lambda _: [os.kill(os.getpid(), signal.SIGINT), sum(range(10**5))])\n"
        "try:\n"
        "    del thing\n"
        "    sum(range(10**7))\n"
        "    print('not interrupted')\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "interrupted"
    assert "Exception ignored" not in done.stderr and "Traceback" not in done.stderr


def test_whatever_an_interrupt_turned_into_is_reported_as_the_interrupt(monkeypatch: pytest.MonkeyPatch,
                                                                      tmp_path: Path) -> None:
    """On Python 3.11 a KeyboardInterrupt inside a class body's __set_name__ becomes a RuntimeError."""
    import report_builder
    from report_builder import cli
    from report_builder.cli import signals

    def interrupted_check(*args: object, **kwargs: object) -> None:
        raise RuntimeError("Error calling __set_name__") from KeyboardInterrupt()

    monkeypatch.setattr(report_builder, "check_submissions", interrupted_check)
    assert cli.main(["check", str(tmp_path)]) == 3  # without a signal: an internal error
    monkeypatch.setitem(signals._state, "signals", 1)  # Ctrl-C arrived: the error is its aftermath
    assert cli.main(["check", str(tmp_path)]) == 1


def test_an_error_left_by_the_interruption_in_a_callback_is_quiet() -> None:
    """multiprocessing's Finalize cut off half made by Ctrl-C raises AttributeError later, in a weakref
    callback: after an interrupt that is a consequence of it, not a traceback for the user."""
    script = (
        "import os, signal, sys, weakref\n"
        "from report_builder.cli import signals\n"
        "signals.install_handlers()\n"
        "class Thing: pass\n"
        "def broken(_): raise AttributeError('no _key')\n"
        "thing = Thing(); ref = weakref.ref(thing, broken)\n"
        "try:\n"
        "    os.kill(os.getpid(), signal.SIGINT); sum(range(10**6))\n"
        "except KeyboardInterrupt:\n"
        "    del thing\n"
        "    print('interrupted')\n"
        "before = Thing(); other = weakref.ref(before, broken)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "interrupted"
    assert "Traceback" not in done.stderr and "AttributeError" not in done.stderr


def test_an_interrupt_a_library_swallowed_is_still_reported() -> None:
    """A broad `except BaseException: pass` somewhere ate the KeyboardInterrupt: the run still says it."""
    script = (
        "import os, signal, sys\n"
        "from report_builder import cli\n"
        "def swallowing(argv=None):\n"
        "    try:\n"
        "        os.kill(os.getpid(), signal.SIGINT)\n"
        "        sum(range(10**6))\n"
        "    except BaseException:\n"
        "        pass\n"
        "    return 0\n"
        "cli.main = swallowing\n"
        "sys.exit(cli.entry())\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and done.stderr.strip() == INTERRUPTED


def test_an_interrupt_after_the_version_was_published_says_what_was_published(sample_year: Path,
                                                                               tmp_path: Path) -> None:
    """Ctrl-C lands right after the version is whole (here: as `write_version` returns)."""
    script = (
        "import os, signal, sys\n"
        "from report_builder import cli\n"
        "from report_builder.outputs import versions\n"
        "publish = versions._publish\n"
        "def publish_then_interrupt(*args, **kwargs):\n"
        "    report = publish(*args, **kwargs)\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return report\n"
        "versions._publish = publish_then_interrupt\n"
        "sys.argv = ['report-builder', *sys.argv[1:]]\n"
        "sys.exit(cli.entry())\n"
    )
    done = subprocess.run([sys.executable, "-c", script, "build", str(sample_year), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    [report] = (tmp_path / "out" / "2017-2018").glob("*_v1.docx")
    assert report.with_suffix(".manifest.json").is_file()  # whole
    last = done.stderr.strip().splitlines()[-1]
    assert last == f"已中断：中断前已完整写出 {report}，其后的步骤未完成。"


@pytest.mark.skipif(not Path("/usr/bin/soffice").exists() and not Path("/usr/lib/libreoffice/program/soffice").exists(),
                    reason="LibreOffice not installed")
def test_an_interrupt_while_libreoffice_runs_leaves_no_libreoffice(sample_year: Path, tmp_path: Path) -> None:
    process = start("build", sample_year, "--out", tmp_path / "out", "--pdf", cwd=tmp_path)
    deadline, office = time.monotonic() + 60, []
    while not office:  # LibreOffice started (it runs in a session of its own, still our child)
        assert process.poll() is None and time.monotonic() < deadline, "finished before LibreOffice started"
        office = [pid for pid in children(process.pid) if "soffice" in _command_line(int(pid))]
        time.sleep(0.005)
    group = os.getpgid(int(office[0]))
    process.send_signal(signal.SIGINT)
    assert_interrupted(process)
    deadline = time.monotonic() + 0.5  # SIGKILLed: gone in milliseconds (a conversion left running takes seconds)
    while (left := _alive_in(group)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert left == [], "LibreOffice outlived the command"
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").rglob("*.docx"))  # nothing half made


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:  # a worker that just ended
        return ""


def _alive_in(group: int) -> list[str]:
    """The processes of a process group that are not dead (a zombie, killed and not yet reaped, is dead)."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            alive.append(pid)
    return alive


def test_the_command_imports_almost_nothing_before_its_ctrl_c_handler() -> None:
    """The early window (issue 19): until cli.entry installs the handlers, only Python's own start-up and the
    package's `__init__` run; the package imports nothing there (typing and importlib cost ~12 ms)."""
    script = ("import signal, sys; before = set(sys.modules); import report_builder.cli; "  # signal: what it needs
              "print(' '.join(sorted(set(sys.modules) - before)))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])})
    expected = ["__future__", "report_builder", "report_builder.cli", "report_builder.cli.signals"]
    assert done.stdout.split() == expected, done.stdout + done.stderr
