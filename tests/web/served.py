"""The intake desk as a browser meets it: `report-builder serve` in its own process (for tests/web/conftest.py).

`start_desk` writes nothing but the office workbook into a fresh year folder (no department has submitted),
starts `python -m report_builder serve YEAR --port P` on a free port, waits (bounded) until the port
answers, reads the office's one-time password from the server's first-start output and every department's
link from `serve --links`, and stops the server at the end (terminate, then kill; bounded).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from factory import SampleOffice, sample_office, write

from report_builder.schema import OFFICE_FILE

START_TIMEOUT = 30.0  # seconds until the port must answer
STOP_TIMEOUT = 10.0  # seconds after terminate before kill, and after kill
LINKS_TIMEOUT = 60.0
PASSWORD_TIMEOUT = 10.0
# a password line of the first start: a line that names 密码 (or "password") and ends in a token_urlsafe-like word
PASSWORD_LINE = re.compile(r"(密码|password)", re.IGNORECASE)
PASSWORD_WORD = re.compile(r"([A-Za-z0-9_\-]{8,})\s*$")
LINK_LINE = re.compile(r"^(?P<name>[^\t]+)\t(?P<url>https?://\S+/d/(?P<token>[A-Za-z0-9_\-]+))$")


@dataclass
class Desk:
    """A running server: its base URL, year folder, each department's link and the office's password."""

    url: str
    year: Path
    links: dict[str, str]
    password: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # every line the server printed so far

    def token(self, department: str) -> str:
        return self.links[department].rsplit("/", 1)[1]


def office_with_deadline(deadline: dt.date) -> SampleOffice:
    return sample_office(deadline=deadline)


def make_intake_year(root: Path, office: SampleOffice) -> Path:
    """A year folder holding only the office workbook: every department has yet to submit."""
    year = root / "2017-2018"
    year.mkdir(parents=True)
    write(office.office_template(), year / OFFICE_FILE)
    return year


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def serve_command(year: Path, port: int, *extra: str) -> list[str]:
    return [sys.executable, "-m", "report_builder", "serve", str(year), "--port", str(port), *extra]


def _environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", **(extra or {})}


def _collect(process: subprocess.Popen[str], lines: list[str]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line.rstrip("\n"))


def _wait_for_port(port: int, process: subprocess.Popen[str], output: list[str]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"服务端启动后即退出（{process.returncode}）：\n" + "\n".join(output))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"服务端 {START_TIMEOUT:.0f} 秒内未在端口 {port} 应答：\n" + "\n".join(output))


def _password(output: list[str]) -> str:
    """The one-time password printed at first start (waits a little: it may follow the listening line)."""
    deadline = time.monotonic() + PASSWORD_TIMEOUT
    while time.monotonic() < deadline:
        for line in list(output):
            if PASSWORD_LINE.search(line) and (word := PASSWORD_WORD.search(line)):
                return word.group(1)
        time.sleep(0.1)
    pytest.fail("首次启动的输出中没有办公室密码：\n" + "\n".join(output))


def read_links(year: Path, port: int, *extra: str) -> dict[str, str]:
    """`serve --links` (with the server's `extra` flags): one `部门名称<TAB>URL` line per department, name → URL."""
    done = subprocess.run(serve_command(year, port, *extra, "--links"), capture_output=True, text=True,
                          encoding="utf-8", env=_environment(), timeout=LINKS_TIMEOUT, check=False)
    assert done.returncode == 0, done.stderr
    links = {}
    for line in done.stdout.splitlines():
        if match := LINK_LINE.match(line.strip()):
            links[match["name"]] = match["url"]
    return links


def stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(STOP_TIMEOUT)


@contextmanager
def run_server(year: Path, port: int, *extra: str,
               cwd: Path | None = None,
               env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """`serve YEAR --port PORT [extra]` answering on its port (its output collected) until the block ends; run in
    `cwd` (where reports built on the desk go, under output/): the year's parent folder when not given (`env`:
    more environment variables for it, such as SSL_CERT_FILE)."""
    process = subprocess.Popen(serve_command(year, port, *extra), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, text=True, encoding="utf-8", env=_environment(env),
                               cwd=cwd or year.parent)
    output: list[str] = []
    reader = threading.Thread(target=_collect, args=(process, output), daemon=True)
    reader.start()
    try:
        _wait_for_port(port, process, output)
        yield process, output
    finally:
        stop(process)
        reader.join(STOP_TIMEOUT)
        if process.stdout is not None:
            process.stdout.close()


@contextmanager
def start_desk(root: Path, office: SampleOffice, *extra: str, scheme: str = "http",
               env: dict[str, str] | None = None) -> Iterator[Desk]:
    """A year with only the office workbook, served on a free port until the block ends (`extra`: more flags of
    `serve`, such as --cert and --key with scheme "https"; `env`: more environment variables)."""
    with serve_year(make_intake_year(root, office), *extra, scheme=scheme, env=env) as desk:
        yield desk


@contextmanager
def serve_year(year: Path, *extra: str, scheme: str = "http", env: dict[str, str] | None = None) -> Iterator[Desk]:
    """A year folder as it is, served on a free port until the block ends (reports built on the desk go to
    the year's parent folder's output/)."""
    port = free_port()
    with run_server(year, port, *extra, env=env) as (process, output):
        password = _password(output)
        links = read_links(year, port, *extra)
        yield Desk(f"{scheme}://127.0.0.1:{port}", year, links, password, process, output)


