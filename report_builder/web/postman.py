"""The desk's e-mail round (docs/season.md): reminders sent now or on the schedule, the office's notices, all
through mail.MailLog (each slot claimed before it is sent) and mail.deliver.

The schedule, for each department that must act (未交, 逾期, 有错误待改) and has an address in 部门名单: 3 days
and 1 day before its deadline, then every day while overdue, from 09:00. A slot missed while the desk was down
is not sent late. The office's notices: one per checked upload, or a digest of the day's uploads from 18:00.
`Postman.run` is the task the app starts; one pass a minute, in a thread.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import anyio

from report_builder.results import OfficeResult
from report_builder.web.desk import FIX, LATE, NONE, Row
from report_builder.web.log import log_line
from report_builder.web.mail import DIGEST, MANUAL, NOTICE, REMINDER, MailLog, MailSettings, deliver, message
from report_builder.web.reminders import reminder
from report_builder.web.store import PENDING, Store

__all__ = ["BEFORE", "DIGEST_FROM", "INTERVAL", "SEND_FROM", "Postman", "Sent", "slot_of"]

BEFORE = (3, 1)  # days before a deadline a reminder is due
SEND_FROM, DIGEST_FROM = dt.time(9), dt.time(18)
INTERVAL = 60.0  # seconds between two passes of the schedule
MUST_ACT = (NONE, LATE, FIX)


@dataclass(frozen=True, slots=True)
class Sent:
    """What one round of sending did."""

    sent: int = 0
    failed: int = 0
    skipped: int = 0  # no address, or nothing to remind of
    errors: tuple[str, ...] = ()


def slot_of(row: Row, today: dt.date) -> str:
    """The scheduled reminder due today for the row ("" when none): 3 and 1 days before its deadline, then
    every day after it, while the department must act."""
    if row.status not in MUST_ACT or row.deadline is None:
        return ""
    left = (row.deadline - today).days
    if left in BEFORE:
        return f"{today.isoformat()} 截止前{left}天"
    return f"{today.isoformat()} 逾期" if left < 0 else ""


class Postman:
    """Sends the desk's messages. `rows` gives the board's rows now; `office` the office workbook; `base` the
    address departments open (their links)."""

    def __init__(self, store: Store, mails: MailLog, rows: Callable[[], list[Row]],
                 office: Callable[[], OfficeResult], base: Callable[[], str]) -> None:
        self.store, self.mails, self.rows, self.office, self.base = store, mails, rows, office, base

    # ---- reminders ------------------------------------------------------------------------------------------

    def addresses(self) -> dict[str, str]:
        """Department name → its liaison's address (部门名单 › 联络员邮箱; a malformed one is left out)."""
        loaded = self.office()
        bad = {f.value for f in loaded.findings if f.code == "email-invalid"}
        entries = loaded.office.departments if loaded.office else ()
        return {e.name: e.email.strip() for e in entries if e.email and e.email not in bad}

    def remind(self, rows: Sequence[Row], now: dt.datetime, kind: str = MANUAL) -> Sent:
        """A reminder to each row's department that must act, each to its own address with only its link;
        scheduled (`kind` REMINDER) ones once per slot."""
        settings = self.mails.settings()
        addresses = self.addresses()
        sent = failed = skipped = 0
        errors: list[str] = []
        for row in rows:
            to = addresses.get(row.department.name, "")
            link = f"{self.base()}/d/{row.department.token}"
            text = reminder(row, link, row.deadline)
            slot = slot_of(row, now.date()) if kind == REMINDER else f"{now.isoformat()} {secrets.token_hex(4)}"
            if not to or not text or not slot or not settings.ready:
                skipped += 1
                continue
            error = self._send(settings, kind, row.department.id, slot, to, self._subject(row), self._body(text),
                               now)
            if error is None:
                skipped += 1
            elif error:
                failed += 1
                errors.append(f"{row.department.name}：{error}")
            else:
                sent += 1
        return Sent(sent, failed, skipped, tuple(errors))

    def _subject(self, row: Row) -> str:
        loaded = self.office()
        title = (f"{loaded.office.info.school_name}{loaded.office.info.year_label}信息公开工作年度报告"
                 if loaded.office else "信息公开工作年度报告")
        what = {NONE: "请报送填报表", LATE: "填报表已逾期，请尽快报送", FIX: "填报表有错误，请改正后重新上传"}
        return f"【{what.get(row.status, '填报表')}】{title}"

    def _body(self, text: str) -> str:
        loaded = self.office()
        contact = loaded.office.info.contact if loaded.office and loaded.office.info.contact else "党政办公室"
        return (f"{text}\n\n这个链接是本部门专用的，请勿转发。有问题请联系：{contact}。\n"
                "（本邮件由信息公开年度报告网页收表发送）")

    def _send(self, settings: MailSettings, kind: str, department: int, slot: str, to: str, subject: str,
              body: str, now: dt.datetime) -> str | None:
        """Claim the slot, send, record: None when the slot was taken already, "" when sent, else why not."""
        claimed = self.mails.claim(kind, department, slot, to, subject, now)
        if claimed is None:
            return None
        error = deliver(settings, message(settings, to, subject, body, "党政办公室"))
        self.mails.finish(claimed, error, dt.datetime.now().astimezone())
        log_line(self.store.folder / "desk.log", "MAIL", kind, str(department), to, "failed" if error else "sent",
                 error)
        return error

    # ---- the schedule and the office's notices -------------------------------------------------------------

    def tick(self, now: dt.datetime) -> Sent:
        """One pass: the scheduled reminders due now, the notices of new uploads, the day's digest."""
        settings = self.mails.settings()
        if not settings.ready:
            return Sent()
        done = Sent()
        if settings.schedule and now.time() >= SEND_FROM:
            done = self.remind([r for r in self.rows() if slot_of(r, now.date())], now, REMINDER)
        if settings.notify_to and settings.notify == "each":
            for submission_id, text, name in self._uploads(settings.notify_since, ""):
                self._send(settings, NOTICE, 0, str(submission_id), settings.notify_to, f"【收表】{name} 上传了填报表",
                           text, now)
        if settings.notify_to and settings.notify == "daily" and now.time() >= DIGEST_FROM:
            today = self._uploads(settings.notify_since, now.date().isoformat())
            if today:
                lines = "\n".join(text for _, text, _ in today)
                body = f"今天收到的上传：\n{lines}\n\n收表情况：{self.base()}/office"
                self._send(settings, DIGEST, 0, now.date().isoformat(), settings.notify_to,
                           f"【收表】今天收到 {len(today)} 份上传", body, now)
        return done

    def _uploads(self, since: int, day: str) -> list[tuple[int, str, str]]:
        """(submission id, a line about it, department) of the checked uploads after `since` (on `day`: ISO)."""
        with self.store.connect() as db:
            rows = db.execute("SELECT s.id, d.name, s.n, s.received_at, s.status, s.errors, s.warnings FROM "
                              "submissions s JOIN departments d ON d.id = s.department WHERE s.id > ? AND "
                              "s.status != ? AND substr(s.received_at, 1, 10) >= ? ORDER BY s.id",
                              (since, PENDING, day)).fetchall()
        found = []
        for sid, name, n, received, status, errors, warnings in rows:
            if day and str(received)[:10] != day:
                continue
            at = dt.datetime.fromisoformat(str(received)).astimezone().strftime("%m-%d %H:%M")
            found.append((int(sid), f"{name} 第 {n} 次上传（{at}）：{status}，错误 {errors} 处，提示 {warnings} 处。"
                                    f"收表情况：{self.base()}/office", str(name)))
        return found

    def tick_safely(self, now: dt.datetime | None = None) -> Sent:
        """`tick`, with an unexpected failure a line in desk.log (never the end of the schedule)."""
        try:
            return self.tick(now or dt.datetime.now().astimezone())
        except Exception as error:  # noqa: BLE001 - the schedule goes on; the log says what happened
            log_line(self.store.folder / "desk.log", "ERROR", "schedule", f"{type(error).__name__}: {error}")
            return Sent()

    async def run(self, interval: float = INTERVAL) -> None:
        """The schedule, for the app's life: a pass now and then every `interval` seconds, each in a thread."""
        while True:
            await anyio.to_thread.run_sync(self.tick_safely)
            await anyio.sleep(interval)
