"""A desk killed with SIGKILL during uploads (issue 13): it restarts with every completed upload, no partial file,
no pending row, the year folder's accepted workbooks equal to the newest accepted submissions, and no worker of
the killed server left running. Also `Desk.recover` on leftovers made by hand (no server, no timing)."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx
from factory import DEPARTMENTS, sample_office

from report_builder.names import safe_stem
from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from report_builder.web import Desk, Store, default_state
from report_builder.web.desk import CLEAN, WARNINGS
from web.served import free_port, make_intake_year, read_links, run_server

OFFICE = sample_office()
UPLOADS_EACH = 12  # workbooks each department's thread may send (the loop is bounded by them)
KILL_AFTER = 8  # the server is killed once this many uploads got their 303
REQUEST_TIMEOUT = 60.0
KILL_WAIT = 120.0  # seconds for KILL_AFTER responses
ORPHAN_WAIT = 30.0  # seconds for the killed server's helper processes to end
UPLOADED = re.compile(r"/d/[A-Za-z0-9_\-]+/s/(\d+)$")


def workbook(department: str, liaison: str) -> bytes:
    """The department's generated workbook, filled so that it passes; `liaison` makes each one's bytes differ."""
    wb = OFFICE.department_template(department)
    set_form_value(wb, "基本信息", "liaison", liaison)
    mine = [item for item in OFFICE.checklist if item.department == department]
    fill_department(wb, "清单事项", [{"status": "已公开"}] * len(mine))
    type_zeros(wb)
    answer_empty_sheets(wb)
    return save_workbook(wb)


@dataclass
class Sent:
    """The uploads whose 303 came back before the kill: (department, n) → sha256."""

    done: dict[tuple[str, int], str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    enough: threading.Event = field(default_factory=threading.Event)

    def add(self, department: str, n: int, digest: str) -> None:
        with self.lock:
            self.done[(department, n)] = digest
            if len(self.done) >= KILL_AFTER:
                self.enough.set()


def upload_loop(base: str, department: str, link: str, files: list[bytes], sent: Sent) -> None:
    """Upload each file in turn until the server stops answering (its death ends the loop)."""
    path = link.removeprefix(base)
    with httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT, follow_redirects=False) as client:
        for data in files:
            try:
                page = client.get(path)
                csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
                assert csrf is not None, page.text
                answer = client.post(f"{path}/upload", data={"csrf": csrf.group(1)},
                                     files={"file": ("上传.xlsx", data)})
            except httpx.TransportError:
                return
            assert answer.status_code == 303, answer.text
            match = UPLOADED.search(answer.headers["location"])
            assert match is not None
            sent.add(department, int(match.group(1)), hashlib.sha256(data).hexdigest())


def descendants(pid: int) -> set[int]:
    """Every living process below `pid` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def leftovers(folder: Path, live: int = 0) -> list[Path]:
    """Temporary files and staging folders anywhere under `folder` (but the blank forms the `live` server is
    making now, in `.templates.<its pid>.…`)."""
    return [p for p in folder.rglob("*") if (p.name.endswith(".tmp") or p.name.startswith((".templates.",
                                                                                          ".feedback.")))
            and not p.name.startswith(f".templates.{live}.")]


def rows(state: Path) -> list[tuple[str, int, str, str, str]]:
    with sqlite3.connect(state) as db:
        return list(db.execute("SELECT d.name, s.n, s.sha256, s.file, s.status FROM submissions s "
                               "JOIN departments d ON d.id = s.department ORDER BY d.name, s.n"))


def test_a_server_killed_during_uploads_restarts_with_every_completed_upload(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, OFFICE)
    port = free_port()
    files = {d: [workbook(d, f"联系人{i}") for i in range(UPLOADS_EACH)] for d in DEPARTMENTS}
    sent = Sent()
    with run_server(year, port) as (process, _output):
        links = read_links(year, port)
        base = f"http://127.0.0.1:{port}"
        threads = [threading.Thread(target=upload_loop, args=(base, d, links[d], files[d], sent), daemon=True)
                   for d in DEPARTMENTS]
        for thread in threads:
            thread.start()
        assert sent.enough.wait(KILL_WAIT), f"{KILL_WAIT:.0f} 秒内只完成了 {len(sent.done)} 份上传"
        helpers = descendants(process.pid)
        with sent.lock:  # no 303 counts after the kill
            os.kill(process.pid, signal.SIGKILL)
            completed = dict(sent.done)
        process.wait(10)
        for thread in threads:
            thread.join(REQUEST_TIMEOUT)
        assert not any(t.is_alive() for t in threads)
        killed = time.monotonic()
        while any(running(p) for p in helpers) and time.monotonic() < killed + ORPHAN_WAIT:
            time.sleep(0.1)
        assert not [p for p in helpers if running(p)], "被杀的服务端留下了仍在运行的子进程"
        gone = time.monotonic() - killed
    print(f"kill: {len(completed)} uploads had their 303 before SIGKILL; {len(helpers)} helper processes "
          f"gone {gone:.2f} s after")

    started = time.monotonic()
    with run_server(year, port) as (again, output):  # the same port: nothing of the killed server holds it
        restart = time.monotonic() - started
        state = default_state(year)
        found = rows(state)
        print(f"kill: restart {restart:.2f} s; {len(found)} rows; output: {output}")
        numbers: dict[str, list[int]] = {}
        for name, n, digest, file, status in found:
            numbers.setdefault(name, []).append(n)
            assert status in (CLEAN, WARNINGS), (name, n, status)
            path = state.with_suffix("") / file
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        for (name, n), digest in completed.items():
            assert (name, n, digest) in {(r[0], r[1], r[2]) for r in found}
        for name, ns in numbers.items():
            assert ns == list(range(1, len(ns) + 1)), (name, ns)
            [newest] = [r for r in found if r[0] == name and r[1] == ns[-1]]
            accepted = year / f"{safe_stem(name)}.xlsx"
            assert accepted.read_bytes() == (state.with_suffix("") / newest[3]).read_bytes()
        assert leftovers(state.with_suffix(""), again.pid) == [] and leftovers(year) == []


def dead_pid() -> int:
    """The id of a process that has ended (and was reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(30)
    return child.pid


def test_recover_removes_what_a_killed_server_left(tmp_path: Path) -> None:
    year = make_intake_year(tmp_path, OFFICE)
    store = Store(default_state(year))
    desk = Desk(year, store)
    desk.office()  # departments get their ids and tokens
    by_name = {d.name: d for d in store.departments()}
    first = workbook("教务处", "张老师")
    second = workbook("教务处", "李老师")
    # 1 checked and accepted; 2 recorded as passed, but the kill came before the year folder got it
    desk.receive(by_name["教务处"], first)
    done = store.reserve(by_name["教务处"].id, "2018-09-01T10:00:00+08:00",
                         hashlib.sha256(second).hexdigest(), second)
    store.record(done.id, CLEAN, ())
    # 财务处: 1 stored but never checked
    money = workbook("财务处", "王老师")
    store.reserve(by_name["财务处"].id, "2018-09-01T10:00:00+08:00", hashlib.sha256(money).hexdigest(), money)
    folder = store.folder
    pid = dead_pid()
    uploads = folder / "uploads" / str(by_name["教务处"].id)
    (uploads / f".3.xlsx.{pid}.tmp").write_bytes(second[:100])  # killed while writing
    (uploads / "3.xlsx").write_bytes(second)  # renamed, but its row never committed
    (folder / ".templates.abc").mkdir()
    (folder / ".feedback.xyz").mkdir()
    (folder / ".feedback.xyz" / "x.xlsx").write_bytes(b"half")
    (year / f".教务处.xlsx.{pid}.tmp").write_bytes(second[:10])  # accept_submission killed mid-write

    recovered = desk.recover()

    assert (recovered.repaired.temporaries, recovered.repaired.orphans, recovered.repaired.staging) == (1, 1, 2)
    assert (recovered.rechecked, recovered.accepted) == (1, 1)  # 财务处 is accepted by its check
    assert "已修复" in recovered.summary()
    assert leftovers(folder) == [] and leftovers(year) == []
    assert not (uploads / "3.xlsx").exists()
    assert store.pending() == []
    assert [s.n for s in store.submissions(by_name["教务处"].id)] == [1, 2]
    assert (year / "教务处.xlsx").read_bytes() == second
    assert (year / "财务处.xlsx").read_bytes() == money
    again = desk.recover()  # a second start finds nothing to do
    assert not again.repaired and (again.rechecked, again.accepted) == (0, 0) and again.summary() == ""


def test_a_live_writer_keeps_its_temporary_file(tmp_path: Path) -> None:
    store = Store(tmp_path / ".2017-2018.desk.sqlite3")
    uploads = store.folder / "uploads" / "1"
    uploads.mkdir(parents=True)
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"]) as other:
        try:
            (uploads / f".1.xlsx.{other.pid}.tmp").write_bytes(b"being written")
            assert not store.repair()
            assert (uploads / f".1.xlsx.{other.pid}.tmp").exists()
        finally:
            other.kill()
