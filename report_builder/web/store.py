"""The desk's state: one SQLite file beside the year folder (WAL), one connection per call, no ORM.

Tables: `departments` (name, token), `submissions` (one row per upload, numbered per department; its findings
as JSON), `office` (one row: the password's scrypt hash and salt, the session secret). See docs/intake-desk.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
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

from report_builder.findings import Finding

__all__ = ["Department", "Repaired", "Store", "Submission", "default_state"]

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
    UNIQUE (department, n)
);
CREATE TABLE IF NOT EXISTS office (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash BLOB NOT NULL,
    salt BLOB NOT NULL,
    session_secret BLOB NOT NULL
);
"""
PENDING = "pending"  # a submission stored, not yet checked (a server killed meanwhile re-checks it at start)
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
UPLOAD_NAME = re.compile(r"^(\d+)\.xlsx$")  # uploads/<department id>/<n>.xlsx, names we chose
TEMPORARY_NAME = re.compile(r"^\..+\.(\d+)\.tmp$")  # what `_write_whole` writes first: .<name>.<pid>.tmp
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
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    # ---- departments --------------------------------------------------------------------------------------

    def add_departments(self, names: Iterable[str]) -> list[Department]:
        """Every named department with its token; a token is made once, the first time a name is seen."""
        with self._connect() as db:
            for name in names:
                db.execute("INSERT OR IGNORE INTO departments (name, token) VALUES (?, ?)",
                           (name, secrets.token_urlsafe(24)))
        return self.departments()

    def departments(self) -> list[Department]:
        with self._connect() as db:
            return [Department(*row) for row in db.execute("SELECT id, name, token FROM departments ORDER BY id")]

    def department_by_token(self, token: str) -> Department | None:
        with self._connect() as db:
            row = db.execute("SELECT id, name, token FROM departments WHERE token = ?", (token,)).fetchone()
        if row is None or not hmac.compare_digest(row[2], token):
            return None
        return Department(*row)

    # ---- submissions --------------------------------------------------------------------------------------

    def reserve(self, department: int, received_at: str, sha256: str, data: bytes) -> Submission:
        """The next numbered submission of a department: its bytes written whole under a name we choose,
        then its row (PENDING) committed; both in one write transaction, so two uploads never share a number."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                (last,) = db.execute("SELECT COALESCE(MAX(n), 0) FROM submissions WHERE department = ?",
                                     (department,)).fetchone()
                n = last + 1
                file = f"uploads/{department}/{n}.xlsx"
                _write_whole(self.folder / file, data)
                cursor = db.execute(
                    "INSERT INTO submissions (department, n, received_at, sha256, file, status) VALUES (?,?,?,?,?,?)",
                    (department, n, received_at, sha256, file, PENDING))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Submission(cursor.lastrowid or 0, department, n, received_at, sha256, file, PENDING, 0, 0, ())

    def record(self, submission_id: int, status: str, findings: Iterable[Finding]) -> None:
        """A submission's check result."""
        found = tuple(findings)
        errors = sum(f.severity.name == "ERROR" for f in found)
        warnings = sum(f.severity.name == "WARNING" for f in found)
        data = json.dumps([_finding_dict(f) for f in found], ensure_ascii=False)
        with self._connect() as db:
            db.execute("UPDATE submissions SET status = ?, errors = ?, warnings = ?, findings = ? WHERE id = ?",
                       (status, errors, warnings, data, submission_id))

    def submissions(self, department: int) -> list[Submission]:
        """A department's submissions, oldest first."""
        with self._connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM submissions WHERE department = ? ORDER BY n",
                              (department,)).fetchall()
        return [_submission(row) for row in rows]

    def pending(self) -> list[Submission]:
        with self._connect() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM submissions WHERE status = ? ORDER BY id",
                              (PENDING,)).fetchall()
        return [_submission(row) for row in rows]

    def repair(self) -> Repaired:
        """At start, before serving: remove what a killed server left half-done in the state folder (temporary
        files of dead writers, upload files without a committed row, staging folders). Rows are never touched:
        a committed upload always keeps its file (it was renamed into place before the commit)."""
        with self._connect() as db:
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
                if (match := TEMPORARY_NAME.match(path.name)) and not _writing(int(match.group(1))):
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
        handle = open(self.folder / "serve.lock", "a+b")  # noqa: SIM115 - kept open for the server's life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return None
        return handle

    # ---- the office's credential ----------------------------------------------------------------------------

    def make_office_password(self) -> str | None:
        """At first start: a new one-time password (returned once; only its hash is kept). None when one exists."""
        password = secrets.token_urlsafe(12)
        salt = secrets.token_bytes(16)
        with self._connect() as db:
            cursor = db.execute("INSERT OR IGNORE INTO office (id, password_hash, salt, session_secret) "
                                "VALUES (1, ?, ?, ?)", (_hash(password, salt), salt, secrets.token_bytes(32)))
        return password if cursor.rowcount == 1 else None

    def set_office_password(self, password: str) -> None:
        """Replace the office's password (tests; a forgotten password: delete the state file's office row)."""
        salt = secrets.token_bytes(16)
        with self._connect() as db:
            db.execute("INSERT INTO office (id, password_hash, salt, session_secret) VALUES (1, ?, ?, ?) "
                       "ON CONFLICT (id) DO UPDATE SET password_hash = excluded.password_hash, salt = excluded.salt",
                       (_hash(password, salt), salt, secrets.token_bytes(32)))

    def check_office_password(self, password: str) -> bool:
        with self._connect() as db:
            row = db.execute("SELECT password_hash, salt FROM office WHERE id = 1").fetchone()
        return row is not None and hmac.compare_digest(row[0], _hash(password, row[1]))

    def session_secret(self) -> bytes:
        """The key that signs the office's session cookie (made with the password; b"" before first start)."""
        with self._connect() as db:
            row = db.execute("SELECT session_secret FROM office WHERE id = 1").fetchone()
        return bytes(row[0]) if row else b""


_COLUMNS = "id, department, n, received_at, sha256, file, status, errors, warnings, findings"


def _submission(row: tuple[Any, ...]) -> Submission:
    found = tuple(Finding(**item) for item in json.loads(str(row[9])))
    return Submission(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], found)


def _finding_dict(finding: Finding) -> dict[str, str]:
    return {"code": finding.code, "file": finding.file, "sheet": finding.sheet, "cell": finding.cell,
            "value": finding.value, "detail": finding.detail}


def _hash(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, **SCRYPT)


def _writing(pid: int) -> bool:
    """Whether the process that named a temporary file may still be writing it (alive, and not this one)."""
    if pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True


def _write_whole(path: Path, data: bytes) -> None:
    """`data` in a temporary file beside `path`, synced, then renamed: a killed server leaves no partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
