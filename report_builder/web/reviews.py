"""The desk's side of the review (docs/publication.md, "Review and the gate"): reviewers and their links, the version
sent for review, and the comments a reviewer wrote and has not yet sent with a decision. Tables of their own in the
desk's SQLite file (made beside store.py's). Decisions themselves are the library's (`record_review`), written
beside the version; once a decision is recorded, the comments it carried leave this state.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass, field

import report_builder as rb
from report_builder.web.reports import Reports
from report_builder.web.store import Store

__all__ = ["MAX_COMMENT", "MAX_COMMENTS", "MAX_REVIEWERS", "Limit", "PendingComment", "Reviewer", "Reviews", "Standing"]

MAX_COMMENT = 1000  # characters of a comment (the library's limit: record_review refuses longer)
MAX_COMMENTS = 100  # comments of one reviewer on one version (the library's limit of one decision)
MAX_WAITING = 1000  # comments of one reviewer waiting in the state, all versions together
MAX_REVIEWERS = 100
MAX_NAME = 50  # characters of a reviewer's name

SCHEMA = """
CREATE TABLE IF NOT EXISTS reviewers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    token TEXT NOT NULL UNIQUE,
    added_at TEXT NOT NULL,
    removed INTEGER NOT NULL DEFAULT 0  -- 1: the link opens nothing any more
);
CREATE TABLE IF NOT EXISTS review_comments (
    id INTEGER PRIMARY KEY,
    reviewer INTEGER NOT NULL REFERENCES reviewers(id),
    sha256 TEXT NOT NULL,  -- of the report the comment was written on
    block INTEGER NOT NULL,  -- 1, 2, … in that report; 0 for the whole report
    text TEXT NOT NULL,
    written_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS review_settings (
    name TEXT PRIMARY KEY,  -- 'version': the report file name of the version sent for review
    value TEXT NOT NULL
);
"""


class Limit(Exception):
    """A comment or a reviewer refused: too long, too many (`message` in Chinese)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class Reviewer:
    id: int
    name: str
    role: str
    token: str

    @property
    def key(self) -> str:
        """The reviewer's id in the decisions the library writes."""
        return f"desk:{self.id}"


@dataclass(frozen=True, slots=True)
class Standing:
    """Where each listed version stands (report name → status), the version sent for review, the last publication."""

    statuses: dict[str, rb.ReviewStatus] = field(default_factory=dict)
    under_review: str = ""
    published: rb.FilingPackage | None = None


@dataclass(frozen=True, slots=True)
class PendingComment:
    id: int
    block: int
    text: str


class Reviews:
    """The review's tables of the desk's state file."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.published: rb.FilingPackage | None = None  # the last publication from the desk (shown, not stored)
        with store.connect() as db:
            db.executescript(SCHEMA)

    def add(self, name: str, role: str) -> Reviewer:
        name = " ".join(name.split())
        if not name or len(name) > MAX_NAME:
            raise Limit(f"请填写审核人的姓名（不超过 {MAX_NAME} 字）。")
        if role not in rb.REVIEW_ROLES:
            raise Limit(f"审核角色只能是 {'、'.join(rb.REVIEW_ROLES)} 之一。")
        with self.store.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                (count,) = db.execute("SELECT COUNT(*) FROM reviewers WHERE removed = 0").fetchone()
                if count >= MAX_REVIEWERS:
                    raise Limit(f"审核人最多 {MAX_REVIEWERS} 位。")
                token = secrets.token_urlsafe(24)
                cursor = db.execute("INSERT INTO reviewers (name, role, token, added_at) VALUES (?, ?, ?, ?)",
                                    (name, role, token, _now()))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return Reviewer(cursor.lastrowid or 0, name, role, token)

    def remove(self, reviewer: int) -> None:
        with self.store.connect() as db:
            db.execute("UPDATE reviewers SET removed = 1 WHERE id = ?", (reviewer,))
            db.execute("DELETE FROM review_comments WHERE reviewer = ?", (reviewer,))

    def reviewers(self) -> list[Reviewer]:
        with self.store.connect() as db:
            rows = db.execute("SELECT id, name, role, token FROM reviewers WHERE removed = 0 ORDER BY id").fetchall()
        return [Reviewer(*row) for row in rows]

    def by_token(self, token: str) -> Reviewer | None:
        with self.store.connect() as db:
            row = db.execute("SELECT id, name, role, token FROM reviewers WHERE token = ? AND removed = 0",
                             (token,)).fetchone()
        if row is None or not hmac.compare_digest(row[3], token):
            return None
        return Reviewer(*row)

    # ---- the version under review -------------------------------------------------------------------------

    def under_review(self) -> str:
        """The report file name of the version sent for review ("" when none)."""
        with self.store.connect() as db:
            row = db.execute("SELECT value FROM review_settings WHERE name = 'version'").fetchone()
        return str(row[0]) if row else ""

    def standing(self, reports: Reports) -> Standing:
        """Where each version of `reports` stands, for the reports page."""
        decisions = rb.review_decisions(reports.folder) if reports.folder.is_dir() else ()
        statuses = {v.version.path.name: rb.review_status(v.version.path, decisions) for v in reports.versions()}
        return Standing(statuses, self.under_review(), self.published)

    def follow(self, reports: Reports, report: str) -> None:
        """A version built on the desk in the format under review is sent for review at once (the office rebuilt
        after the reviewers' comments); nothing is sent while nothing is under review."""
        current = self.under_review()
        if not report or not current or report == current:
            return
        formats = {v.version.path.name: v.version.report_format for v in reports.versions()}
        if current not in formats or formats.get(report) == formats[current]:
            self.send(report)

    def send(self, report: str) -> None:
        with self.store.connect() as db:
            db.execute("INSERT INTO review_settings (name, value) VALUES ('version', ?) "
                       "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (report,))

    # ---- comments waiting for a decision ------------------------------------------------------------------

    def comments(self, reviewer: int, sha256: str) -> list[PendingComment]:
        with self.store.connect() as db:
            rows = db.execute("SELECT id, block, text FROM review_comments WHERE reviewer = ? AND sha256 = ? "
                              "ORDER BY block, id", (reviewer, sha256)).fetchall()
        return [PendingComment(*row) for row in rows]

    def add_comment(self, reviewer: int, sha256: str, block: int, text: str) -> None:
        """A comment kept until the reviewer decides; Limit when it is empty, too long or one too many."""
        text = text.strip()
        if not text or len(text) > MAX_COMMENT:
            raise Limit(f"意见须为 1 至 {MAX_COMMENT} 字，未保存。")
        with self.store.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                mine, waiting = db.execute(
                    "SELECT COALESCE(SUM(sha256 = ?), 0), COUNT(*) FROM review_comments WHERE reviewer = ?",
                    (sha256, reviewer)).fetchone()
                if mine >= MAX_COMMENTS or waiting >= MAX_WAITING:
                    raise Limit(f"每个版本最多写 {MAX_COMMENTS} 条意见，未保存。")
                db.execute("INSERT INTO review_comments (reviewer, sha256, block, text, written_at) "
                           "VALUES (?, ?, ?, ?, ?)", (reviewer, sha256, block, text, _now()))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def delete_comment(self, reviewer: int, comment: int) -> None:
        with self.store.connect() as db:
            db.execute("DELETE FROM review_comments WHERE id = ? AND reviewer = ?", (comment, reviewer))

    def sent(self, reviewer: int, sha256: str) -> None:
        """The reviewer's comments on that report went out with a decision (they are in its file now)."""
        with self.store.connect() as db:
            db.execute("DELETE FROM review_comments WHERE reviewer = ? AND sha256 = ?", (reviewer, sha256))


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
