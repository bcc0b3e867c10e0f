"""The season around the uploads (docs/season.md): the deadline and what happens after it, extensions for one
department, and the board's one truth — the year folder (`report_builder.year_status`) and the desk's uploads
together.

Tables of their own beside store.py's (`CREATE TABLE IF NOT EXISTS`): `season` (name → value: the deadline
policy) and `extensions` (department → its own deadline).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import report_builder as rb
from report_builder.results import FolderFile, OfficeResult, YearStatus
from report_builder.web.desk import FIX, LATE, NONE, Row, status_of
from report_builder.web.store import PENDING, Department, Store, Submission

__all__ = ["ACCEPT", "CLOSE", "FOLDER", "POLICIES", "FolderView", "Season", "board_rows", "days_left", "late",
           "listing"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS season (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS extensions (
    department INTEGER PRIMARY KEY REFERENCES departments(id),
    until TEXT NOT NULL  -- an ISO date: the department's own deadline
);
"""
ACCEPT, CLOSE = "accept", "close"  # after the deadline: uploads accepted and marked late, or refused
POLICIES = {ACCEPT: "接收并标记逾期", CLOSE: "停止收表"}
FOLDER = "文件夹中已有"  # a department's file the year folder holds that did not come through the desk


class Season:
    """The office's choices for the season, kept in the desk's state."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.connect() as db:
            db.executescript(SCHEMA)

    def policy(self) -> str:
        with self.store.connect() as db:
            row = db.execute("SELECT value FROM season WHERE name = 'after_deadline'").fetchone()
        return str(row[0]) if row and row[0] in POLICIES else ACCEPT

    def set_policy(self, policy: str) -> None:
        if policy in POLICIES:
            with self.store.connect() as db:
                db.execute("INSERT INTO season (name, value) VALUES ('after_deadline', ?) "
                           "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (policy,))

    def extensions(self) -> dict[int, dt.date]:
        with self.store.connect() as db:
            rows = db.execute("SELECT department, until FROM extensions").fetchall()
        return {int(d): dt.date.fromisoformat(str(u)) for d, u in rows}

    def extend(self, department: int, until: dt.date | None) -> None:
        """The department's own deadline (None: the office workbook's again)."""
        with self.store.connect() as db:
            if until is None:
                db.execute("DELETE FROM extensions WHERE department = ?", (department,))
            else:
                db.execute("INSERT INTO extensions (department, until) VALUES (?, ?) ON CONFLICT (department) "
                           "DO UPDATE SET until = excluded.until", (department, until.isoformat()))

    def deadline(self, department: int, office: dt.date | None) -> dt.date | None:
        """The department's deadline: its extension, else the office workbook's 报送截止日期."""
        return self.extensions().get(department, office)

    def closed(self, department: int, office: dt.date | None, now: dt.datetime) -> dt.date | None:
        """The deadline that closes uploads for the department now (None while it may upload)."""
        deadline = self.deadline(department, office)
        if deadline is None or self.policy() != CLOSE or not late(now, deadline):
            return None
        return deadline


def late(moment: dt.datetime | str, deadline: dt.date | None) -> bool:
    """Whether `moment` (a time, or a submission's received_at) is after the deadline's day (local time)."""
    if deadline is None:
        return False
    when = dt.datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return when.astimezone().date() > deadline


def days_left(deadline: dt.date | None, today: dt.date) -> int | None:
    return None if deadline is None else (deadline - today).days


def listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each entry of a folder with its modification time and size (what a check of it depends on)."""
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            stat = path.lstat()
        except OSError:
            continue
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)


@dataclass
class FolderView:
    """The year folder as `check` sees it (`rb.year_status`), checked again only when an entry of it changes.
    `status(wait=False)` never waits and never checks: it gives the last one (department pages; the app checks
    the folder again when it is idle, and the board whenever it is opened)."""

    year_dir: Path
    office: Callable[[], OfficeResult]
    _last: tuple[tuple[tuple[str, int, int], ...], YearStatus] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, file: FolderFile) -> bool:
        """Whether the folder still holds `file` as it was checked (a page that did not wait checks this)."""
        try:
            return (self.year_dir / file.file).stat().st_mtime == file.modified
        except OSError:
            return False

    def status(self, wait: bool = True) -> YearStatus | None:
        key = listing(self.year_dir)
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        if not wait:
            return last[1] if last else None
        return self.refresh()

    def refresh(self) -> YearStatus | None:
        """The status now (checked again when the folder changed since the last)."""
        with self._lock:
            key = listing(self.year_dir)
            if self._last is None or self._last[0] != key:
                self._last = (key, rb.year_status(self.year_dir, loaded=self.office()))
            return self._last[1]

    def generation(self) -> str:
        """What the board's version depends on here: the folder's listing as last checked."""
        return str(hash(self._last[0])) if self._last else ""


def board_rows(departments: list[Department], history: Callable[[int], list[Submission]], season: Season,
               status: YearStatus | None, office_deadline: dt.date | None, today: dt.date) -> list[Row]:
    """One row per department: the newer of its latest checked upload and a file the year folder holds that did
    not come through the desk (FOLDER), 逾期 when its deadline has passed with nothing accepted, late when its
    file in use came after its deadline."""
    extensions = season.extensions()
    rows = []
    for department in departments:
        done = [s for s in history(department.id) if s.status != PENDING]
        latest = done[-1] if done else None
        folder = status.files.get(department.name) if status else None
        outside = folder if folder and folder.sha256 not in {s.sha256 for s in done} else None
        deadline = extensions.get(department.id, office_deadline)
        if outside is not None and (latest is None or _time(outside) > dt.datetime.fromisoformat(latest.received_at)):
            row = Row(department, status_of(outside.findings), len(done), _time(outside).isoformat(timespec="seconds"),
                      outside.errors, outside.warnings, source=FOLDER, deadline=deadline)
        elif latest is not None:
            row = Row(department, latest.status, len(done), latest.received_at, latest.errors, latest.warnings,
                      deadline=deadline)
        else:
            row = Row(department, NONE, 0, "", 0, 0, deadline=deadline)
        accepted = [s for s in done if s.status != FIX]
        in_folder = outside is not None and outside.errors == 0
        if deadline is not None and today > deadline and not accepted and not in_folder:
            row = _replace(row, status=LATE)
        elif accepted and not in_folder and late(accepted[-1].received_at, deadline):
            row = _replace(row, late=True)
        rows.append(row if outside is None or row.source else _replace(row, source=FOLDER))
    return rows


def _time(file: FolderFile) -> dt.datetime:
    return dt.datetime.fromtimestamp(file.modified).astimezone()


def _replace(row: Row, **changes: object) -> Row:
    return dataclasses.replace(row, **changes)  # type: ignore[arg-type]
