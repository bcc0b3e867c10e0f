"""E-mail from the desk (docs/season.md): the office's SMTP server, each message recorded, each slot sent once.

- `MailSettings` (table `mail_settings`, one row): host, port, security (STARTTLS, SSL, none), account,
  password, sender, and the office's own notices (an address; each upload or a daily digest). The password
  lives only here, in the desk's SQLite state (0600: store.py, private.py); pages never show it back.
- `mail_log`: one row per message: kind (reminder, manual, notice, digest), department, slot, recipient,
  subject, status (sending, sent, failed, unknown), attempts, the server's answer when it failed. A scheduled
  message's slot is UNIQUE with its kind and department: the row is claimed (INSERT) before the message is
  sent, so a slot is sent at most once, across restarts and two desks alike; a row still `sending` at start
  was cut off by a kill and becomes `unknown`, never sent again.
- `deliver`: smtplib, STARTTLS (or SSL) with the system's certificates, then login; failures as Chinese text.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from report_builder.web.store import Store

__all__ = ["DIGEST", "MANUAL", "NOTICE", "NOTIFY", "REMINDER", "SECURITY", "Mail", "MailLog", "MailSettings",
           "deliver", "message"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS mail_settings (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    host TEXT NOT NULL DEFAULT '',
    port INTEGER NOT NULL DEFAULT 587,
    security TEXT NOT NULL DEFAULT 'starttls',
    username TEXT NOT NULL DEFAULT '',
    password TEXT NOT NULL DEFAULT '',  -- only here: the state is the office's account's alone (0600)
    sender TEXT NOT NULL DEFAULT '',
    schedule INTEGER NOT NULL DEFAULT 0,  -- 1: reminders sent on the schedule (docs/season.md)
    notify_to TEXT NOT NULL DEFAULT '',
    notify TEXT NOT NULL DEFAULT 'off',  -- off, each (one per checked upload), daily (a digest at 18:00)
    notify_since INTEGER NOT NULL DEFAULT 0  -- uploads up to this submission id get no notice
);
CREATE TABLE IF NOT EXISTS mail_log (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    department INTEGER NOT NULL DEFAULT 0,  -- 0: the office's own notices
    slot TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    queued_at TEXT NOT NULL,
    sent_at TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 1,
    error TEXT NOT NULL DEFAULT '',
    UNIQUE (kind, department, slot)
);
"""
REMINDER, MANUAL, NOTICE, DIGEST = "reminder", "manual", "notice", "digest"
SENDING, SENT, FAILED, UNKNOWN = "sending", "sent", "failed", "unknown"
SECURITY = {"starttls": "STARTTLS（常用端口 587）", "ssl": "SSL/TLS（常用端口 465）", "none": "不加密（仅限校内测试）"}
NOTIFY = {"off": "不通知", "each": "每收到一份上传发一封", "daily": "每天 18 点发一封汇总"}
ATTEMPTS, RETRY_AFTER = 3, dt.timedelta(minutes=10)  # a failed slot: tried again that day, at most this often
TIMEOUT = 20.0  # seconds for the SMTP server to answer


@dataclass(frozen=True, slots=True)
class MailSettings:
    host: str = ""
    port: int = 587
    security: str = "starttls"
    username: str = ""
    password: str = ""
    sender: str = ""
    schedule: bool = False
    notify_to: str = ""
    notify: str = "off"
    notify_since: int = 0

    @property
    def ready(self) -> bool:
        """Whether messages can be sent (a server and a sender)."""
        return bool(self.host and self.sender)


@dataclass(frozen=True, slots=True)
class Mail:
    """One row of the log."""

    id: int
    kind: str
    department: int
    slot: str
    recipient: str
    subject: str
    queued_at: str
    sent_at: str
    status: str
    attempts: int
    error: str

    @property
    def word(self) -> str:
        return WORDS[self.status]


WORDS = {SENT: "已发送", FAILED: "发送失败", SENDING: "正在发送", UNKNOWN: "未确认（发送时服务中断）"}


class MailLog:
    """The settings and the log, in the desk's state."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.connect() as db:
            db.executescript(SCHEMA)
            db.execute("INSERT OR IGNORE INTO mail_settings (id) VALUES (1)")

    def recover(self) -> int:
        """At start: messages a killed desk was sending are `unknown` (never sent again). Returns how many."""
        with self.store.connect() as db:
            return db.execute("UPDATE mail_log SET status = ? WHERE status = ?", (UNKNOWN, SENDING)).rowcount

    def settings(self) -> MailSettings:
        with self.store.connect() as db:
            row = db.execute("SELECT host, port, security, username, password, sender, schedule, notify_to, notify, "
                             "notify_since FROM mail_settings WHERE id = 1").fetchone()
        return MailSettings(str(row[0]), int(row[1]), str(row[2]), str(row[3]), str(row[4]), str(row[5]),
                            bool(row[6]), str(row[7]), str(row[8]), int(row[9]))

    def save(self, settings: MailSettings) -> None:
        """New settings; an empty password keeps the one stored. Turning notices on starts after the uploads
        received so far."""
        old = self.settings()
        password = settings.password or old.password
        since = settings.notify_since
        if settings.notify != "off" and old.notify == "off":
            with self.store.connect() as db:
                since = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM submissions").fetchone()[0])
        with self.store.connect() as db:
            db.execute("UPDATE mail_settings SET host = ?, port = ?, security = ?, username = ?, password = ?, "
                       "sender = ?, schedule = ?, notify_to = ?, notify = ?, notify_since = ? WHERE id = 1",
                       (settings.host, settings.port, settings.security, settings.username, password,
                        settings.sender, int(settings.schedule), settings.notify_to, settings.notify, since))

    def claim(self, kind: str, department: int, slot: str, recipient: str, subject: str,
              now: dt.datetime) -> int | None:
        """The row of a message about to be sent, or None when its slot was sent (or is being sent) already,
        or failed ATTEMPTS times, or failed less than RETRY_AFTER ago."""
        stamp = now.isoformat(timespec="seconds")
        with self.store.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                cursor = db.execute("INSERT OR IGNORE INTO mail_log (kind, department, slot, recipient, subject, "
                                    "queued_at, status) VALUES (?,?,?,?,?,?,?)",
                                    (kind, department, slot, recipient, subject, stamp, SENDING))
                if cursor.rowcount == 1:
                    db.execute("COMMIT")
                    return cursor.lastrowid
                row = db.execute("SELECT id, status, attempts, queued_at FROM mail_log WHERE kind = ? AND "
                                 "department = ? AND slot = ?", (kind, department, slot)).fetchone()
                again = (row[1] == FAILED and row[2] < ATTEMPTS
                         and now - dt.datetime.fromisoformat(row[3]) >= RETRY_AFTER)
                if again:
                    db.execute("UPDATE mail_log SET status = ?, attempts = attempts + 1, queued_at = ?, "
                               "recipient = ?, subject = ? WHERE id = ?", (SENDING, stamp, recipient, subject, row[0]))
                db.execute("COMMIT")
                return int(row[0]) if again else None
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def finish(self, mail_id: int, error: str, now: dt.datetime) -> None:
        with self.store.connect() as db:
            db.execute("UPDATE mail_log SET status = ?, sent_at = ?, error = ? WHERE id = ?",
                       (FAILED if error else SENT, now.isoformat(timespec="seconds"), error, mail_id))

    def mails(self, department: int | None = None, limit: int = 200) -> list[Mail]:
        """The newest messages first (of one department, when given)."""
        where, args = ("WHERE department = ?", (department,)) if department is not None else ("", ())
        with self.store.connect() as db:
            rows = db.execute(f"SELECT id, kind, department, slot, recipient, subject, queued_at, sent_at, status, "
                              f"attempts, error FROM mail_log {where} ORDER BY id DESC LIMIT ?",
                              (*args, limit)).fetchall()
        return [Mail(*row) for row in rows]

    def last_reminders(self) -> dict[int, Mail]:
        """Each department's newest reminder (scheduled or sent by hand)."""
        with self.store.connect() as db:
            rows = db.execute("SELECT id, kind, department, slot, recipient, subject, queued_at, sent_at, status, "
                              "attempts, error FROM mail_log WHERE id IN (SELECT MAX(id) FROM mail_log WHERE kind IN "
                              "(?, ?) GROUP BY department)", (REMINDER, MANUAL)).fetchall()
        return {row[2]: Mail(*row) for row in rows}

    def failures(self) -> int:
        """Messages whose last attempt failed (or was cut off)."""
        with self.store.connect() as db:
            return int(db.execute("SELECT COUNT(*) FROM mail_log WHERE status IN (?, ?)",
                                  (FAILED, UNKNOWN)).fetchone()[0])

    def version(self) -> str:
        """What the board's version depends on here: the log's newest row and state, the settings."""
        with self.store.connect() as db:
            last = db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*), COALESCE(SUM(status = ?), 0) FROM mail_log",
                              (SENT,)).fetchone()
        return f"{last[0]}.{last[1]}.{last[2]}"


def message(settings: MailSettings, to: str, subject: str, body: str, sender_name: str = "") -> EmailMessage:
    """A plain-text message from the office's sender to one address."""
    mail = EmailMessage()
    mail["From"] = formataddr((sender_name, settings.sender)) if sender_name else settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(dt.datetime.now().astimezone())
    domain = settings.sender.rpartition("@")[2] or None
    mail["Message-ID"] = make_msgid(domain=domain)
    mail.set_content(body)
    return mail


def deliver(settings: MailSettings, mail: EmailMessage, context: ssl.SSLContext | None = None) -> str:
    """Send one message; "" when the server took it, else why not (in Chinese, with the server's words)."""
    where = f"{settings.host}:{settings.port}"
    context = context or ssl.create_default_context()
    try:
        if settings.security == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(settings.host, settings.port, timeout=TIMEOUT, context=context)
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
        with smtp:
            if settings.security == "starttls":
                smtp.starttls(context=context)
            if settings.username:
                smtp.login(settings.username, settings.password)
            refused = smtp.send_message(mail)
        if refused:
            return "收件地址被拒收：" + "；".join(f"{a}（{c} {_said(m)}）" for a, (c, m) in refused.items())
        return ""
    except smtplib.SMTPAuthenticationError as error:
        return f"邮箱账户或密码不正确（服务器答复：{error.smtp_code} {_said(error.smtp_error)}）"
    except smtplib.SMTPRecipientsRefused as error:
        return "收件地址被拒收：" + "；".join(f"{a}（{c} {_said(m)}）" for a, (c, m) in error.recipients.items())
    except smtplib.SMTPSenderRefused as error:
        return f"发件地址 {settings.sender} 被拒绝（服务器答复：{error.smtp_code} {_said(error.smtp_error)}）"
    except smtplib.SMTPNotSupportedError:
        return f"邮件服务器 {where} 不支持 STARTTLS 或登录：请在设置中换一种加密方式或端口"
    except smtplib.SMTPResponseException as error:
        return f"邮件服务器拒绝了这封邮件（{error.smtp_code} {_said(error.smtp_error)}）"
    except ssl.SSLCertVerificationError as error:
        return f"邮件服务器 {where} 的证书无法验证（{error.verify_message}）"
    except (ssl.SSLError, smtplib.SMTPException) as error:
        return f"与邮件服务器 {where} 的加密连接失败（{type(error).__name__}：{error}）"
    except UnicodeError:
        return "邮箱账户、密码或地址中有 SMTP 不能传送的字符（如汉字）：请用英文字母、数字和符号"
    except TimeoutError:
        return f"邮件服务器 {where} 在 {TIMEOUT:.0f} 秒内没有答复"
    except OSError as error:
        return f"无法连接邮件服务器 {where}（{error.strerror or error}）"


def _said(text: bytes | str) -> str:
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)).strip()[:200]


def without_password(settings: MailSettings) -> MailSettings:
    """The settings as a page may show them."""
    return replace(settings, password="")
