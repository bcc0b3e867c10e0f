"""Load on the intake desk (issue 13): N departments upload at once to `report-builder serve` on localhost.

    python benchmarks/desk_load.py [--departments 60] [--rounds 3] [--root /tmp/rb_desk_load]

The year is benchmarks/generate.py's (the office workbook and N filled department workbooks, seeded); a fresh
year folder holding only the office workbook is served on a free port. Every 4th department uploads a copy with
a mistake (an application received two years before the window) in odd rounds and its clean workbook in even
rounds; one department also gets hostile files (a zip bomb, a billion-laughs sheet, a shared-strings bomb)
through its own link, sent at the same moment as everyone else's upload.

Each round, every client first opens its page (csrf cookie and field), waits at a barrier, then POSTs the
workbook to /d/<token>/upload and follows the 303 to the findings page: the latency is from sending the upload
to having that page. Printed: p50/p95/max latency, throughput, and the peak memory of the server's process
tree (RSS and PSS summed over the server, its fork server and the check workers, sampled every 50 ms).
Verified afterwards: every department has exactly the submissions it sent, each with the sha256 of what it
sent (SQLite state file, read-only); every page a client got names its own department and its own link; the
accepted `<部门>.xlsx` is that department's clean bytes; each hostile upload got an error finding; every
department's findings for the same bytes are the same in every round.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import openpyxl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import INFO, generate_year  # noqa: E402
from hostile import billion_laughs, package_parts, sheet, write_bomb, write_zip  # noqa: E402
from process_tree import Memory, cpu_seconds  # noqa: E402

from report_builder.names import safe_stem  # noqa: E402
from report_builder.outputs.excel import save_workbook  # noqa: E402
from report_builder.outputs.filling import fill_department  # noqa: E402
from report_builder.schema import OFFICE_FILE  # noqa: E402

START_TIMEOUT = 60.0  # seconds until the server's port answers
REQUEST_TIMEOUT = 120.0  # seconds for one request (a hung server fails the run instead of hanging it)
LINK = re.compile(r"^(?P<name>[^\t]+)\t(?P<url>http://\S+/d/(?P<token>[A-Za-z0-9_\-]+))$")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
H1 = re.compile(r"<h1>([^<]*)</h1>")
STATUS = re.compile(r'<span id="status"[^>]*>([^<]*)</span>')


@dataclass
class Upload:
    """One upload as a client saw it."""

    department: str
    sha256: str
    hostile: str  # "" for a department's workbook, else the hostile case's name
    seconds: float = 0.0
    page_seconds: float = 0.0  # of `seconds`: from the 303 to having the findings page
    url: str = ""
    h1: str = ""
    status: str = ""
    error: str = ""


@dataclass
class Plan:
    year: Path
    clean: dict[str, bytes]  # department → its filled workbook
    mistaken: dict[str, bytes]  # the departments that send a copy with a mistake in odd rounds
    hostile: dict[str, bytes]  # case name → bytes, all sent through `target`'s link
    target: str


def prepare(departments: int, root: Path) -> Plan:
    """A fresh year folder (only the office workbook) and the bytes each client will send."""
    source = generate_year(departments)  # cached under /tmp/rb_bench/<N>/, shared with run.py
    run = root / f"run-{os.getpid()}"
    shutil.rmtree(run, ignore_errors=True)
    year = run / source.name
    year.mkdir(parents=True)
    shutil.copyfile(source / OFFICE_FILE, year / OFFICE_FILE)
    clean = {p.stem: p.read_bytes() for p in sorted(source.glob("*.xlsx")) if p.name != OFFICE_FILE}
    mistaken = {name: _with_mistake(data) for i, (name, data) in enumerate(sorted(clean.items())) if i % 4 == 0}
    hostile_dir = run / "hostile"
    hostile_dir.mkdir()
    makers = {"压缩炸弹": lambda p: write_bomb(p, 200),
              "实体炸弹": lambda p: write_zip(p, package_parts(sheet([("A1", 1)], prolog=billion_laughs()))),
              "共享字符串炸弹": _sst_bomb}
    hostile = {}
    for name, make in makers.items():
        path = hostile_dir / f"{name}.xlsx"
        make(path)
        hostile[name] = path.read_bytes()
    return Plan(year, clean, mistaken, hostile, sorted(clean)[1])


def _with_mistake(data: bytes) -> bytes:
    """The workbook with its first application received two years before the window: date-outside-window
    (one year before would be an application carried over, no error)."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    fill_department(wb, "依申请公开", [{"received": INFO.window_start.replace(year=INFO.window_start.year - 2)}])
    return save_workbook(wb)


def _sst_bomb(path: Path) -> None:
    strings = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="4000000000" ' \
              'uniqueCount="4000000000"><si><t>a</t></si></sst>'
    write_zip(path, package_parts(sheet([("A1", 1)]), shared_strings=strings))


# ---- the server -----------------------------------------------------------------------------------------------


def serve(year: Path, port: int, *extra: str) -> list[str]:
    """The command a user runs (the installed `report-builder` script), else `python -m report_builder` (the same;
    not `-m report_builder.cli`: each check worker of the fork server would run that main module again)."""
    script = Path(sys.executable).parent / "report-builder"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "report_builder"]
    return [*command, "serve", str(year), "--port", str(port), *extra]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server did not answer within {START_TIMEOUT:.0f} s")


def links(year: Path, port: int) -> dict[str, str]:
    out = subprocess.run(serve(year, port, "--links"), capture_output=True, text=True, check=True, timeout=120)
    return {m["name"]: m["url"] for line in out.stdout.splitlines() if (m := LINK.match(line.strip()))}


# ---- the clients ----------------------------------------------------------------------------------------------


class Redirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects as urllib does, and notes when the last one arrived."""

    arrived = 0.0

    def redirect_request(self, *args: Any, **kwargs: Any) -> urllib.request.Request | None:
        self.arrived = time.perf_counter()
        return super().redirect_request(*args, **kwargs)


class Client:
    """One browser: its own cookies, its department's link."""

    def __init__(self, link: str) -> None:
        self.link = link
        self.redirects = Redirects()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()), self.redirects)
        self.csrf = ""

    def open_page(self) -> None:
        with self.opener.open(self.link, timeout=REQUEST_TIMEOUT) as response:
            found = CSRF.search(response.read().decode("utf-8"))
        if found is None:
            raise RuntimeError(f"no csrf field on {self.link}")
        self.csrf = found.group(1)

    def upload(self, data: bytes, upload: Upload) -> None:
        boundary = uuid.uuid4().hex
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="csrf"\r\n\r\n{self.csrf}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="填报表.xlsx"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n").encode() + data + \
               f"\r\n--{boundary}--\r\n".encode()
        request = urllib.request.Request(f"{self.link}/upload", data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        started = time.perf_counter()
        with self.opener.open(request, timeout=REQUEST_TIMEOUT) as response:  # follows the 303 with a GET
            html = response.read().decode("utf-8")
            upload.url = response.geturl()
        upload.seconds = time.perf_counter() - started
        upload.page_seconds = upload.seconds - (self.redirects.arrived - started)
        upload.h1 = m.group(1) if (m := H1.search(html)) else ""
        upload.status = m.group(1) if (m := STATUS.search(html)) else ""


def one_round(plan: Plan, urls: dict[str, str], number: int) -> tuple[list[Upload], float]:
    """Every department (and each hostile file) uploads at once; (uploads, wall seconds of the round)."""
    jobs: list[tuple[Client, bytes, Upload]] = []
    for name, data in sorted(plan.clean.items()):
        sent = plan.mistaken[name] if name in plan.mistaken and number % 2 == 1 else data
        jobs.append((Client(urls[name]), sent, Upload(name, hashlib.sha256(sent).hexdigest(), "")))
    for case, data in plan.hostile.items():
        jobs.append((Client(urls[plan.target]), data, Upload(plan.target, hashlib.sha256(data).hexdigest(), case)))
    for client, _, _ in jobs:
        client.open_page()
    barrier = threading.Barrier(len(jobs) + 1)

    def run(client: Client, data: bytes, upload: Upload) -> None:
        barrier.wait()
        try:
            client.upload(data, upload)
        except Exception as error:  # noqa: BLE001 - a failed request is a result of the benchmark
            upload.error = f"{type(error).__name__}: {error}"

    threads = [threading.Thread(target=run, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return [upload for _, _, upload in jobs], time.perf_counter() - started


# ---- verification ---------------------------------------------------------------------------------------------


@dataclass
class Verdict:
    problems: list[str] = field(default_factory=list)

    def expect(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


def verify(plan: Plan, urls: dict[str, str], uploads: list[Upload], state: Path, rounds: int) -> Verdict:
    verdict = Verdict()
    with sqlite3.connect(f"file:{state}?mode=ro", uri=True) as db:
        ids = dict(db.execute("SELECT name, id FROM departments"))
        rows = db.execute("SELECT department, n, sha256, status, errors, findings FROM submissions").fetchall()
    by_place = {(d, n): (sha, status, errors, json.loads(f)) for d, n, sha, status, errors, f in rows}
    for upload in uploads:
        where = f"{upload.department}{'/' + upload.hostile if upload.hostile else ''}"
        verdict.expect(not upload.error, f"{where}: {upload.error}")
        match = re.fullmatch(re.escape(urls[upload.department]) + r"/s/(\d+)", upload.url)
        verdict.expect(match is not None, f"{where}: redirected to {upload.url or 'nothing'}")
        verdict.expect(upload.h1 == upload.department, f"{where}: its findings page names {upload.h1!r}")
        if match is None:
            continue
        row = by_place.get((ids[upload.department], int(match.group(1))))
        verdict.expect(row is not None and row[0] == upload.sha256, f"{where}: submission {match.group(1)} "
                       "does not hold the bytes it sent")
        if row and upload.hostile:
            verdict.expect(row[2] >= 1, f"{where}: the hostile file got no error ({row[1]})")
    for name, department in ids.items():
        sent = sorted(u.sha256 for u in uploads if u.department == name)
        stored = sorted(sha for (d, _), (sha, *_) in by_place.items() if d == department)
        verdict.expect(sent == stored, f"{name}: sent {len(sent)} submissions, {len(stored)} stored or others' bytes")
    findings_by_sha: dict[str, set[str]] = {}
    for sha, status, _, found in by_place.values():
        places = json.dumps(sorted((f["code"], f["sheet"], f["cell"], f["value"]) for f in found), ensure_ascii=False)
        findings_by_sha.setdefault(sha, set()).add(places)
        verdict.expect(status != "pending", f"a submission left pending ({sha[:12]})")
    verdict.expect(all(len(v) == 1 for v in findings_by_sha.values()),
                   "the same bytes got different findings in different rounds")
    mistaken = {hashlib.sha256(d).hexdigest() for d in plan.mistaken.values()}
    for sha, _, errors, _ in by_place.values():
        if sha in mistaken:
            verdict.expect(errors >= 1, f"a workbook with a mistake passed ({sha[:12]})")
        elif sha in {hashlib.sha256(d).hexdigest() for d in plan.clean.values()}:
            verdict.expect(errors == 0, f"a clean workbook got {errors} errors ({sha[:12]})")
    for name, data in plan.clean.items():
        accepted = plan.year / f"{safe_stem(name)}.xlsx"
        only_mistakes = name in plan.mistaken and rounds == 1
        verdict.expect(only_mistakes or (accepted.is_file() and accepted.read_bytes() == data),
                       f"{name}: the accepted workbook is not its clean bytes")
    return verdict


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--departments", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--root", type=Path, default=Path("/tmp/rb_desk_load"))
    parser.add_argument("--keep", action="store_true", help="keep the served year and its state file")
    parser.add_argument("--no-hostile", action="store_true", help="only the departments' workbooks (to compare)")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    plan = prepare(args.departments, args.root)
    if args.no_hostile:
        plan.hostile.clear()
    port = free_port()
    server = subprocess.Popen(serve(plan.year, port), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    memory = Memory(server.pid)
    try:
        wait_for(f"http://127.0.0.1:{port}/", server)
        urls = links(plan.year, port)
        memory.start()
        cpu_before = cpu_seconds(server.pid)
        uploads: list[Upload] = []
        for number in range(1, args.rounds + 1):
            done, wall = one_round(plan, urls, number)
            uploads += done
            ours = [u.seconds for u in done if not u.hostile and not u.error]
            print(f"round {number}: {len(done)} uploads in {wall:.2f} s ({len(done) / wall:.1f}/s); "
                  f"p50 {statistics.median(ours):.2f} s, p95 {percentile(ours, 0.95):.2f} s, max {max(ours):.2f} s")
        cpu = {k: v - cpu_before[k] for k, v in cpu_seconds(server.pid).items()}
        memory.stopped.set()
        memory.join()
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
    state = plan.year.parent / f".{plan.year.name}.desk.sqlite3"
    verdict = verify(plan, urls, uploads, state, args.rounds)
    ours = [u.seconds for u in uploads if not u.hostile and not u.error]
    hostile = [u.seconds for u in uploads if u.hostile and not u.error]
    print(f"\n{len(plan.clean)} departments + {len(plan.hostile)} hostile uploads at once, {args.rounds} rounds, "
          f"{len(uploads)} uploads; load average (1 min) before {load_before:.2f}, after {os.getloadavg()[0]:.2f}")
    print(f"departments' uploads: p50 {statistics.median(ours):.2f} s, p95 {percentile(ours, 0.95):.2f} s, "
          f"max {max(ours):.2f} s (n={len(ours)})")
    pages = [u.page_seconds for u in uploads if not u.hostile and not u.error]
    print(f"  of which the findings page after the 303: p50 {statistics.median(pages):.2f} s, "
          f"p95 {percentile(pages, 0.95):.2f} s, max {max(pages):.2f} s")
    if hostile:
        print(f"hostile uploads: max {max(hostile):.2f} s")
    print(f"server tree peak: RSS {memory.peak_rss / 1024:.0f} MB, PSS {memory.peak_pss / 1024:.0f} MB, "
          f"{memory.peak_processes} processes ({memory.samples} samples)")
    print(f"server CPU: {cpu['server']:.1f} s in the server process, {cpu['workers']:.1f} s in its fork server "
          f"and check workers ({(cpu['server'] + cpu['workers']) / len(uploads) * 1000:.0f} ms per upload)")
    for problem in verdict.problems[:30]:
        print("✗", problem)
    print("verified: no submission lost or misplaced" if not verdict.problems
          else f"{len(verdict.problems)} problems")
    if not args.keep:
        shutil.rmtree(plan.year.parent, ignore_errors=True)
    sys.exit(1 if verdict.problems else 0)


if __name__ == "__main__":
    main()
