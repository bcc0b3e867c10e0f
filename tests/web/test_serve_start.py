"""Starting `report-builder serve`: one server per year, a port in use is said in Chinese (no uvicorn trace)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
from pathlib import Path

from web.served import make_intake_year, office_with_deadline, run_server, serve_command

TIMEOUT = 60


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


def test_a_second_server_of_the_same_year_is_refused(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(dt.date.today()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        first_port = probe.getsockname()[1]
    with run_server(year, first_port):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            second_port = probe.getsockname()[1]
        second = run(serve_command(year, second_port))
    assert second.returncode == 1
    assert "网页收表已经在运行" in second.stderr and "Traceback" not in second.stderr + second.stdout


def test_a_port_in_use_is_said_in_chinese(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(dt.date.today()))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        done = run(serve_command(year, taken.getsockname()[1]))
    assert done.returncode == 1
    assert "已被其他程序占用" in done.stderr and "--port" in done.stderr
    assert "Errno" not in done.stderr + done.stdout and "Traceback" not in done.stderr + done.stdout


def test_the_same_server_started_again_on_its_port_is_named(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(dt.date.today()))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with run_server(year, port):
        again = run(serve_command(year, port))
    assert again.returncode == 1 and "网页收表已经在运行" in again.stderr


def test_a_serve_that_cannot_start_writes_nothing_beside_the_year(tmp_path: Path) -> None:
    empty = tmp_path / "2018-2019"
    empty.mkdir()
    done = run(serve_command(empty, 8377))
    assert done.returncode == 1 and "年度总表" in done.stderr
    year = make_intake_year(tmp_path / "other", office_with_deadline(dt.date.today()))
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = run(serve_command(year, taken.getsockname()[1]))
    assert busy.returncode == 1
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []
