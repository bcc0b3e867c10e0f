"""The desk's state: one SQLite file beside the year folder (WAL), one connection per call, no ORM.

Tables: `departments` (name, token), `submissions` (one row per upload, numbered per department; its findings
as JSON), `office` (one row: the password's scrypt hash and salt), `sessions` (the office's logins), `secrets`
(the key of the form tokens). See docs/intake-desk.md. Everything here is readable by the office's account only:
folders 0700, files 0600 (made so, and checked at start by `private.make_private`).
"""

from __future__ import annotations

import contextlib
import fcntl
import hmac
import json
import os
import re
import secrets
import shutil
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from report_builder.atomic import process_alive, temporary_owner, write_atomic
from report_builder.findings import Finding

__all__ = ["PRIVATE_FILE", "PRIVATE_FOLDER", "Department", "OverQuota", "Quota", "Repaired", "Store", "Submission",
           "default_state", "make_folder"]

PRIVATE_FOLDER, PRIVATE_FILE = 0o700, 0o600  # the state: the office's account only

SCHEMA = """
CREATE TABLE IF NOT EXISTS departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    token TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY,
    department INTEGER NOT NULL REFERENCES departments(id),
    n INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    file TEXT NOT NULL,
    status TEXT NOT NULL,
    errors INTEGER NOT NULL DEFAULT 0,
    warnings INTEGER NOT NULL DEFAULT 0,
    findings TEXT NOT NULL DEFAULT '[]',
    size INTEGER NOT NULL DEFAULT 0,
    UNIQUE (department, n)
);
CREATE TABLE IF NOT EXISTS office (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash BLOB NOT NULL,
    salt BLOB NOT NULL,
    session_secret BLOB NOT NULL  -- no longer used (sessions are rows of `sessions`); kept for old state files
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,  -- sha256 of the cookie's value: the value itself is never stored
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS secrets (
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL
);
"""
PENDING = "pending"  # a submission stored, not yet checked (a server killed meanwhile re-checks it at start)
UPLOAD_NAME = re.compile(r"^(\d+)\.xlsx$")  # uploads/<department id>/<n>.xlsx, names we chose
STAGING_PREFIXES = (".templates.", ".feedback.")  # Desk's half-made folders, renamed into place when whole


def default_state(year_dir: Path) -> Path:
    """The SQLite file of a year's desk: `YEAR_DIR/../.<year>.desk.sqlite3` (beside the year, not in it)."""
    year_dir = Path(year_dir).resolve()
    return year_dir.parent / f".{year_dir.name}.desk.sqlite3"


@dataclass(frozen=True, slots=True)
class Repaired:
    """What `Store.repair` removed at start: leftovers of a server killed mid-write."""

    temporaries: int = 0  # `.<n>.xlsx.<pid>.tmp` of a write that never finished
    orphans: int = 0  # `<n>.xlsx` written whole but whose row was never committed
    staging: int = 0  # `.templates.*` / `.feedback.*` folders never renamed into place

    def __bool__(self) -> bool:
        return bool(self.temporaries or self.orphans or self.staging)


@dataclass(frozen=True, slots=True)
class Quota:
    """What one department may store: uploads a day, and bytes of all its uploads together."""

    uploads_a_day: int
    bytes_in_all: int


class OverQuota(Exception):
    """An upload refused before it is stored: `kind` is "day" or "bytes", `limit` the bound passed."""

    def __init__(self, kind: str, limit: int) -> None:
        super().__init__(kind, limit)
        self.kind, self.limit = kind, limit


@dataclass(frozen=True, slots=True)
class Department:
    id: int
    name: str
    token: str


@dataclass(frozen=True, slots=True)
class Submission:
    id: int
    department: int
    n: int
    received_at: str
    sha256: str
    file: str  # relative to the state folder, a name we chose
    status: str  # PENDING, or the status word (已通过 / 仅有提示 / 有错误待改)
    errors: int
    warnings: int
    findings: tuple[Finding, ...]


class Store:
    """The desk's SQLite file; `folder` (the same path without `.sqlite3`) holds uploads, feedback and the log."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.folder = self.path.with_suffix("")
        make_folder(self.folder)
        if not self.path.exists():  # SQLite makes its -wal and -shm files with the database file's mode
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            if "size" not in {row[1] for row in db.execute("PRAGMA table_info(submissions)")}:  # a 0.1 state file
                db.execute("ALTER TABLE submissions ADD COLUMN size INTEGER NOT NULL DEFAULT 0")
            db.execute("INSERT OR IGNORE INTO secrets (name, value) VALUES ('forms', ?)", (secrets.token_bytes(32),))

    @contextlib.contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection of its own (autocommit; `BEGIN IMMEDIATE` for a transaction), closed after the block."""
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    # ---- departments --------------------------------------------------------------------------------------

    def add_departments(self, names: Iterable[str]) -> list[Department]:
        """Every named department with its token; a token is made once, the first time a name is seen."""
        with self.connect() as db:
            for name in names:
                db.execute("INSERT OR IGNORE INTO departments (name, token) VALUES (?, ?)",
                           (name, secrets.token_urlsafe(24)))
        return self.departments()

    def departments(self) -> list[Department]:
        with self.connect() as db:
            return [Department(*row) for row in db.execute("SELECT id, name, token FROM departments ORDER BY id")]

    def department_by_token(self, token: str) -> Department | None:
        with self.connect() as db:
            row = db.execute("SELECT id, name, token FROM departments WHERE token = ?", (token,)).fetchone()
        if row is None or not hmac.compare_digest(row[2], token):
            return None
        return Department(*row)

    # ---- submissions --------------------------------------------------------------------------------------

    def reserve(self, department: int, received_at: str, sha256: str, data: bytes,
                quota: Quota | None = None) -> Submission:
        """The next numbered submission of a department: its bytes written whole under a name we choose,
        then its row (PENDING) committed; both in one write transaction, so two uploads never share a number.
        Over `quota` (uploads on received_at's day, bytes of all its uploads): OverQuota, nothing stored."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                last, today, stored = db.execute(
                    "SELECT COALESCE(MAX(n), 0), COALESCE(SUM(substr(received_at, 1, 10) = ?), 0), "
                    "COALESCE(SUM(size), 0) FROM submissions WHERE department = ?",
                    (received_at[:10], department)).fetchone()
                if quota is not None and today >= quota.uploads_a_day:
                    raise OverQuota("day", quota.uploads_a_day)
                if quota is not None and stored + len(data) > quota.bytes_in_all:
                    raise OverQuota("bytes", quota.bytes_in_all)
                n = last + 1
                file = f"uploads/{department}/{n}.xlsx"
                _write_whole(self.folder / file, data)
                cursor = db.execute(
                    "INSERT INTO submissions (department, n, received_at, sha256, file, status, size) "
                    "VALUES (?,?,?,?,?,?,?)", (department, n, received_at, sha256, file, PENDING, len(data)))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Submission(cursor.lastrowid or 0, department, n, received_at, sha256, file, PENDING, 0, 0, ())

    def record(self, submission_id: int, status: str, findings: Iterable[Finding],
               counts: tuple[int, int] | None = None) -> None:
        """A submission's check result: its status, the findings kept, and (errors, warnings) of all it had
        (those of `findings` when not given)."""
        found = tuple(findings)
        errors, warnings = counts or (sum(f.severity.name == "ERROR" for f in found),
                                      sum(f.severity.name == "WARNING" for f in found))
        data = json.dumps([_finding_dict(f) for f in found], ensure_ascii=False)
        with self.connect() as db:
            db.execute("UPDATE submissions SET status = ?, errors = ?, warnings = ?, findings = ? WHERE id = ?",
                       (status, errors, warnings, data, submission_id))

    def submissions(self, department: int) -> list[Submission]:
        """A department's submissions, oldest first."""
        with self.connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM submissions WHERE department = ? ORDER BY n",
                              (department,)).fetchall()
        return [_submission(row) for row in rows]

    def pending(self) -> list[Submission]:
        with self.connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM submissions WHERE status = ? ORDER BY id",
                              (PENDING,)).fetchall()
        return [_submission(row) for row in rows]

    def repair(self) -> Repaired:
        """At start, before serving: remove what a killed server left half-done in the state folder (temporary
        files of dead writers, upload files without a committed row, staging folders). Rows are never touched:
        a committed upload always keeps its file (it was renamed into place before the commit)."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")  # a writer of this state (there should be none) waits: no row appears now
            try:
                known = {(str(d), str(n)) for d, n in db.execute("SELECT department, n FROM submissions")}
                temporaries, orphans = self._repair_uploads(known)
            finally:
                db.execute("ROLLBACK")
        staging = [p for p in self.folder.iterdir() if p.is_dir() and p.name.startswith(STAGING_PREFIXES)]
        for folder in staging:
            shutil.rmtree(folder, ignore_errors=True)
        return Repaired(temporaries, orphans, len(staging))

    def _repair_uploads(self, known: set[tuple[str, str]]) -> tuple[int, int]:
        temporaries = orphans = 0
        uploads = self.folder / "uploads"
        for folder in sorted(uploads.iterdir()) if uploads.is_dir() else []:
            for path in sorted(folder.iterdir()) if folder.is_dir() else []:
                pid = temporary_owner(path.name)
                if pid is not None and not process_alive(pid, this_one=False):
                    path.unlink(missing_ok=True)
                    temporaries += 1
                elif (match := UPLOAD_NAME.match(path.name)) and (folder.name, match.group(1)) not in known:
                    path.unlink(missing_ok=True)
                    orphans += 1
        return temporaries, orphans

    # ---- one server per year ------------------------------------------------------------------------------

    def hold_serving_lock(self) -> IO[bytes] | None:
        """An exclusive lock on `serve.lock`, held while the returned file stays open (the kernel drops it when
        the process ends, even by SIGKILL); None when another server of this year holds it."""
        descriptor = os.open(self.folder / "serve.lock", os.O_RDWR | os.O_CREAT, PRIVATE_FILE)
        handle = open(descriptor, "a+b")  # noqa: SIM115 - kept open for the server's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle

    def form_key(self) -> bytes:
        """The key the form tokens are made with (security.form_token), made with the state file."""
        with self.connect() as db:
            (key,) = db.execute("SELECT value FROM secrets WHERE name = 'forms'").fetchone()
        return bytes(key)


_COLUMNS = "id, department, n, received_at, sha256, file, status, errors, warnings, findings"


def _submission(row: tuple[Any, ...]) -> Submission:
    found = tuple(Finding(**item) for item in json.loads(str(row[9])))
    return Submission(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], found)


def _finding_dict(finding: Finding) -> dict[str, str]:
    return {"code": finding.code, "file": finding.file, "sheet": finding.sheet, "cell": finding.cell,
            "value": finding.value, "detail": finding.detail}


def make_folder(path: Path) -> None:
    """`path` and its missing parents made as folders only the office's account can open (0700)."""
    missing = []
    while not path.is_dir():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
        folder.chmod(PRIVATE_FOLDER)  # mkdir's mode passes through the umask


def _write_whole(path: Path, data: bytes) -> None:
    """`data` written whole into the state (report_builder.atomic), readable by the office's account only."""
    make_folder(path.parent)
    write_atomic(path, data, overwrite=True, mode=PRIVATE_FILE)
