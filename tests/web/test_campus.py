"""`report-builder serve` as a campus service (issue 18), each case a real server: HTTPS from a certificate, links
with the campus address, hints that repeat the flags, a new password, a clean Ctrl-C, a bad 部门名单 name, private
state files."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import ssl
import stat
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2 as httpx
import pytest
from factory import DEPARTMENTS, sample_office

from report_builder.cli.serve import _network_address
from report_builder.findings import CATALOG
from report_builder.schema import DepartmentEntry
from report_builder.web import default_state
from report_builder.web.credential import PASSWORD_ALPHABET
from web.certificate import self_signed
from web.served import (
    STOP_TIMEOUT,
    free_port,
    make_intake_year,
    office_with_deadline,
    read_links,
    run_server,
    serve_command,
    start_desk,
)

TIMEOUT = 60
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SOON = dt.date.today() + dt.timedelta(30)


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, encoding="utf-8", timeout=TIMEOUT, check=False,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})


@contextmanager
def office_client(base: str, password: str, verify: ssl.SSLContext | bool = True) -> Iterator[httpx.Client]:
    """A browser of the office, logged in."""
    with httpx.Client(base_url=base, verify=verify, follow_redirects=True, timeout=TIMEOUT) as client:
        token = CSRF.search(client.get("/office").text)
        assert token is not None
        answer = client.post("/office/login", data={"csrf": token.group(1), "password": password})
        assert 'id="board"' in answer.text, answer.text
        yield client


def test_a_desk_with_a_certificate_answers_over_tls_with_secure_cookies(tmp_path: Path) -> None:
    cert, key = self_signed(tmp_path)
    trusted = ssl.create_default_context(cafile=str(cert))
    with start_desk(tmp_path, office_with_deadline(SOON), "--cert", str(cert), "--key", str(key),
                    scheme="https") as desk:
        assert all(link.startswith(f"{desk.url}/d/") for link in desk.links.values()), desk.links
        with httpx.Client(base_url=desk.url, verify=trusted, timeout=TIMEOUT) as browser:
            page = browser.get(f"/d/{desk.token('教务处')}")
        assert page.status_code == 200 and "<h1>教务处</h1>" in page.text
        assert "; secure" in page.headers["set-cookie"].lower()
        with office_client(desk.url, desk.password, trusted) as office:
            session = next(c for c in office.cookies.jar if c.name == "desk_office")
            assert session.secure and 'id="local-only"' in office.get("/office").text
        with pytest.raises(httpx.TransportError):  # plain HTTP on the TLS port gets nothing
            httpx.get(desk.url.replace("https://", "http://") + "/office", timeout=10)
        assert any("网页收表已启动：党政办公室打开 https://127.0.0.1:" in line for line in desk.output)


def test_bad_certificate_options_are_said_in_chinese(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(SOON))
    cert, _ = self_signed(tmp_path)
    (tmp_path / "locked").mkdir()
    locked_cert, locked_key = self_signed(tmp_path / "locked", passphrase=b"secret")  # never a prompt to hang on
    for extra in (["--cert", str(cert)], ["--cert", str(cert), "--key", str(cert)],
                  ["--cert", str(locked_cert), "--key", str(locked_key)], ["--trusted-proxy", "proxy.example.edu.cn"]):
        done = run(serve_command(year, free_port(), *extra))
        assert done.returncode == 2 and "Traceback" not in done.stderr + done.stdout, done.stderr
        assert re.search(r"--cert 和 --key 须一起给出|无法使用证书|--trusted-proxy 应是", done.stderr)


def test_on_every_address_links_and_board_give_the_campus_address_and_port(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(SOON))
    port = free_port()
    campus = _network_address()
    links = read_links(year, port, "--host", "0.0.0.0")
    assert links and all(link.startswith(f"http://{campus}:{port}/d/") for link in links.values()), links
    with run_server(year, port, "--host", "0.0.0.0") as (_, output):
        password = next(line.rsplit("：", 1)[1] for line in output if "登录密码" in line)
        with office_client(f"http://127.0.0.1:{port}", password) as office:
            board = office.get("/office").text
            rows = re.findall(r'<a href="(/office/d/\d+)">', board)  # each department's page: its link
            shown = [re.findall(r'<code id="link">([^<]+)</code>', office.get(row).text)[0] for row in rows]
    assert sorted(shown) == sorted(links.values())
    started = next(line for line in output if line.startswith("网页收表已启动"))
    assert f"http://{campus}:{port}/office" in started
    assert f"report-builder serve {year} --host 0.0.0.0 --port {port} --links" in started  # the flags repeated
    if campus != "127.0.0.1":  # a machine with a network: departments can open them
        assert 'id="local-only"' not in board and not any(line.startswith("注意") for line in output)


def test_on_this_computer_only_the_links_board_and_start_say_so(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(SOON))
    port = free_port()
    listed = run(serve_command(year, port, "--links"))
    again = f"report-builder serve {year} --host 0.0.0.0 --port {port} 重新启动"
    assert listed.returncode == 0 and "只能在这台电脑上打开" in listed.stderr and again in listed.stderr
    assert all(line.startswith(f"http://127.0.0.1:{port}/d/") for line in
               (row.split("\t")[1] for row in listed.stdout.splitlines()))
    with run_server(year, port) as (_, output):
        password = next(line.rsplit("：", 1)[1] for line in output if "登录密码" in line)
        with office_client(f"http://127.0.0.1:{port}", password) as office:
            board = office.get("/office").text
    assert re.search(r'<p id="local-only"[^>]*>这些链接只能在这台电脑上打开.*?--host 0\.0\.0\.0', board)
    assert any(line.startswith("注意：这些链接只能在这台电脑上打开") and again in line for line in output)


def test_a_new_password_ends_every_session(tmp_path: Path) -> None:
    with start_desk(tmp_path, office_with_deadline(SOON)) as desk:
        assert re.fullmatch(r"[A-Za-z0-9]{4}(-[A-Za-z0-9]{4}){3}", desk.password)
        assert not set(desk.password) & set("0Oo1lI")
        with office_client(desk.url, desk.password) as office:
            renewed = run(serve_command(desk.year, 0, "--new-password"))  # while the desk runs
            assert renewed.returncode == 0, renewed.stderr
            new = renewed.stdout.strip().rsplit("：", 1)[1]
            assert new != desk.password and all(ch in PASSWORD_ALPHABET + "-" for ch in new)
            after = office.get("/office")
            assert after.status_code == 401 and 'id="board"' not in after.text
        with office_client(desk.url, new):
            pass
        with httpx.Client(base_url=desk.url, timeout=TIMEOUT) as browser:
            token = CSRF.search(browser.get("/office").text)
            assert token is not None
            old = browser.post("/office/login", data={"csrf": token.group(1), "password": desk.password})
            assert old.status_code == 401


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_is_a_clean_stop(tmp_path: Path, stop: signal.Signals) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(SOON))
    with run_server(year, free_port()) as (process, output):
        process.send_signal(stop)
        code = process.wait(STOP_TIMEOUT)
    assert code == 0 and "网页收表已停止。" in output[-1] and not any("未完成" in line for line in output), output


def test_a_departments_name_that_cannot_be_a_file_name_stops_serve(tmp_path: Path) -> None:
    office = sample_office(departments=tuple(DepartmentEntry(name=n) for n in (*DEPARTMENTS, "党委办公室/校长办公室")))
    year = make_intake_year(tmp_path, office)
    for extra in ((), ("--links",)):
        done = run(serve_command(year, free_port(), *extra))
        assert done.returncode == 1, done.stdout + done.stderr
        assert CATALOG["name-unusable"].title in done.stderr and "党委办公室/校长办公室" in done.stderr
        assert "年度总表有错误，无法收表" in done.stderr and not done.stdout.strip()
    assert not default_state(year).exists()


def _modes(state: Path) -> dict[str, int]:
    paths = [*state.parent.glob(state.name + "*"), *state.with_suffix("").rglob("*"), state.with_suffix("")]
    return {str(p.relative_to(state.parent)): stat.S_IMODE(p.stat().st_mode) for p in paths}


@pytest.fixture
def usual_umask() -> Iterator[None]:
    """The server started with a usual umask (022): what the desk writes is private anyway."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("usual_umask")
def test_state_files_are_readable_by_the_office_account_only(tmp_path: Path) -> None:
    with start_desk(tmp_path, office_with_deadline(SOON)) as desk:
        with httpx.Client(base_url=desk.url, timeout=TIMEOUT, follow_redirects=True) as browser:
            link = f"/d/{desk.token('教务处')}"
            token = CSRF.search(browser.get(link).text)
            assert token is not None
            template = browser.get(f"{link}/template").content
            browser.post(f"{link}/upload", data={"csrf": token.group(1)}, files={"file": ("x.xlsx", template)})
            assert browser.get(f"{link}/s/1/feedback.xlsx").status_code == 200
        state = default_state(desk.year)
        modes = _modes(state)
    names = set(modes)
    assert {".2017-2018.desk.sqlite3", ".2017-2018.desk", ".2017-2018.desk/desk.log"} <= names
    assert any(n.endswith("/1.xlsx") for n in names) and any(n.endswith("反馈.xlsx") for n in names)
    wrong = {name: oct(mode) for name, mode in modes.items()
             if mode != (0o700 if (tmp_path / name).is_dir() else 0o600)}
    assert wrong == {}


def test_serve_makes_state_private_at_start_or_refuses(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, office_with_deadline(SOON))
    assert run(serve_command(year, 0, "--links")).returncode == 0
    state = default_state(year)
    state.chmod(0o644)
    state.with_suffix("").chmod(0o755)
    (state.with_suffix("") / "desk.log").write_text("", encoding="utf-8")
    (state.with_suffix("") / "desk.log").chmod(0o644)
    fixed = run(serve_command(year, 0, "--links"))
    assert fixed.returncode == 0 and "已改为只有本账户可以读写（3 个文件或文件夹）" in fixed.stderr
    assert all("\t" in line for line in fixed.stdout.splitlines())  # the links alone on stdout
    assert set(_modes(state).values()) <= {0o600, 0o700}
    (state.with_suffix("") / "elsewhere").symlink_to(tmp_path)
    refused = run(serve_command(year, 0, "--links"))
    assert refused.returncode == 1 and "是一个链接" in refused.stderr and "未启动" in refused.stderr
