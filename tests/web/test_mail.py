"""Reminders that are sent (docs/season.md): the desk's SMTP settings, a reminder sent now, the schedule (each
slot once, across restarts), failures recorded and shown, the office's notices — against a real SMTP server on
localhost (tests/web/mailbox.py: STARTTLS, AUTH) whose received messages are read."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from factory import sample_office
from years import OFFICE, app

from report_builder.schema import DepartmentEntry
from report_builder.web import Store, create_app
from report_builder.web.mail import MailLog
from web.desk_client import Desk, client_desk, filled, log_in, office_form
from web.mailbox import PASSWORD, USER, Mailbox, mailbox

LINKS = "https://desk.example.edu.cn"
ADDRESSES = {"党政办公室": "db@example.edu.cn", "教务处": "jwc@example.edu.cn", "招生就业处": "",
             "财务处": "cw@example.edu.cn"}
WITH_ADDRESSES = sample_office(departments=tuple(DepartmentEntry(name=n, email=e or None)
                                                 for n, e in ADDRESSES.items()))
ZONE = dt.datetime.now().astimezone().tzinfo


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def box(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    with mailbox(tmp_path) as server:
        monkeypatch.setenv("SSL_CERT_FILE", str(server.certificate))  # the office's CA, as a campus installs it
        yield server


def configure(desk: Desk, box: Mailbox, **changes: str) -> Any:
    """The office fills in the settings page (logged in)."""
    values = {"csrf": office_form(desk.client, "/office/settings"), "policy": "accept", "host": "127.0.0.1",
              "port": str(box.port), "security": "starttls", "username": USER, "password": PASSWORD, "sender": USER,
              "notify_to": "", "notify": "off", **changes}
    return desk.client.post("/office/settings", data=values)


@pytest.fixture
def desk(tmp_path: Path, box: Mailbox) -> Iterator[Desk]:
    with client_desk(tmp_path, today=dt.date(2018, 9, 12), public_url=LINKS, base_url="https://testserver",
                     office=WITH_ADDRESSES) as made:
        log_in(made.client)
        configure(made, box)
        yield made


def tokens_in(text: str, desk: Desk) -> set[str]:
    return {name for name, token in desk.tokens.items() if token in text}


def test_a_reminder_sent_now_reaches_one_department_with_its_link_only(desk: Desk, box: Mailbox) -> None:
    row = desk.client.get(f"/office/d/{desk.ids['财务处']}").text
    assert "发提醒邮件到 cw@example.edu.cn" in row
    sent = desk.client.post("/office/remind", data={"csrf": office_form(desk.client), "department":
                                                    str(desk.ids["财务处"])})
    assert sent.status_code == 200 and "提醒邮件已发送" in sent.text
    [mail] = box.received
    assert mail.recipients == ["cw@example.edu.cn"] and mail.message["To"] == "cw@example.edu.cn"
    assert box.logins == [USER]  # after STARTTLS, with the office's account
    assert f"{LINKS}/d/{desk.tokens['财务处']}" in mail.body and tokens_in(mail.body, desk) == {"财务处"}
    assert "请报送填报表" in str(mail.message["Subject"]) and "2018年9月15日" in mail.body
    board = desk.client.get("/office").text
    assert re.search(r'data-department="财务处">.*?<td class="mail"><span class=""[^>]*>✉', board)
    assert "cw@example.edu.cn · 已发送" in desk.client.get(f"/office/d/{desk.ids['财务处']}").text


def test_reminders_to_all_go_one_by_one_and_skip_who_has_no_address(desk: Desk, box: Mailbox) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template))  # passed: no reminder for it
    answer = desk.client.post("/office/remind", data={"csrf": office_form(desk.client), "department": "all"})
    assert "已发送 2 封" in answer.text and "2 个部门没有邮箱或无须提醒" in answer.text
    assert sorted(r.recipients[0] for r in box.received) == ["cw@example.edu.cn", "db@example.edu.cn"]
    for mail in box.received:  # each with its own link, none with another's
        [name] = [n for n, e in ADDRESSES.items() if e == mail.recipients[0]]
        assert tokens_in(mail.body, desk) == {name}


def test_the_password_is_kept_only_in_the_private_state(desk: Desk) -> None:
    page = desk.client.get("/office/settings").text
    assert PASSWORD not in page and "已保存（不改请留空）" in page
    state = Path(desk.state)
    assert stat.S_IMODE(state.stat().st_mode) == 0o600
    with sqlite3.connect(state) as db:
        assert db.execute("SELECT password FROM mail_settings").fetchone() == (PASSWORD,)
    log = (state.with_suffix("") / "desk.log").read_text(encoding="utf-8")
    assert PASSWORD not in log
    configure(desk, Mailbox(0, Path()), password="")  # saved again without typing it: kept
    assert MailLog(Store(state)).settings().password == PASSWORD


def test_the_schedule_sends_each_slot_once_across_restarts(desk: Desk, box: Mailbox, tmp_path: Path) -> None:
    configure(desk, box, schedule="1")
    postman = desk.app.state.season.postman
    assert postman.tick(at(dt.date(2018, 9, 12), 8, 59)).sent == 0  # 3 days before, but before 09:00
    assert postman.tick(at(dt.date(2018, 9, 12), 9, 30)).sent == 3  # 招生就业处 has no address
    assert postman.tick(at(dt.date(2018, 9, 12), 15)).sent == 0  # the same slot: never twice
    again = create_app(desk.year, desk.state, public_url=LINKS, background=False)  # the desk started again
    again.state.context.desk.today = dt.date(2018, 9, 12)
    assert again.state.season.postman.tick(at(dt.date(2018, 9, 12), 16)).sent == 0
    assert postman.tick(at(dt.date(2018, 9, 13), 10)).sent == 0  # 2 days before: no slot
    assert postman.tick(at(dt.date(2018, 9, 14), 10)).sent == 3  # the day before
    desk.app.state.context.desk.today = dt.date(2018, 9, 16)
    assert postman.tick(at(dt.date(2018, 9, 16), 10)).sent == 3  # overdue: every day
    assert postman.tick(at(dt.date(2018, 9, 17), 10)).sent == 3
    assert len(box.received) == 12
    subjects = {str(r.message["Subject"]) for r in box.received if r.recipients == ["cw@example.edu.cn"]}
    assert any("已逾期" in s for s in subjects) and any("请报送" in s for s in subjects)


def test_a_failure_is_recorded_shown_and_tried_again_at_most_twice(desk: Desk, box: Mailbox) -> None:
    configure(desk, box, schedule="1", password="wrong")
    postman = desk.app.state.season.postman
    first = postman.tick(at(dt.date(2018, 9, 12), 9))
    assert (first.sent, first.failed) == (0, 3) and "邮箱账户或密码不正确" in first.errors[0]
    board = desk.client.get("/office").text
    assert "3 封失败" in board and re.search(r'data-department="财务处">.*?<span class="bad"[^>]*>✉[^<]* 失败', board)
    assert "邮箱账户或密码不正确（服务器答复：535" in desk.client.get("/office/mails").text
    assert postman.tick(at(dt.date(2018, 9, 12), 9, 5)).failed == 0  # too soon to try again
    assert postman.tick(at(dt.date(2018, 9, 12), 9, 11)).failed == 3
    assert postman.tick(at(dt.date(2018, 9, 12), 9, 22)).failed == 3
    assert postman.tick(at(dt.date(2018, 9, 12), 9, 40)).failed == 0  # three attempts: no more that day
    assert box.received == []


def test_a_send_cut_off_by_a_kill_is_never_sent_again(desk: Desk, box: Mailbox) -> None:
    configure(desk, box, schedule="1")
    mails = MailLog(Store(desk.state))
    now = at(dt.date(2018, 9, 12), 9, 30)
    assert mails.claim("reminder", desk.ids["财务处"], "2018-09-12 截止前3天", "cw@example.edu.cn", "…", now)
    assert mails.recover() == 1  # the next start: the row a killed desk was sending
    assert desk.app.state.season.postman.tick(now).sent == 2
    assert [r.recipients for r in box.received if "cw@" in r.recipients[0]] == []
    assert "未确认（发送时服务中断）" in desk.client.get("/office/mails").text


def test_the_office_hears_of_each_upload_or_gets_a_digest(desk: Desk, box: Mailbox) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template))  # before notices were asked for: none for it
    configure(desk, box, notify_to="office@example.edu.cn", notify="each")
    desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
    postman = desk.app.state.season.postman
    postman.tick(at(dt.date(2018, 9, 12), 10))
    postman.tick(at(dt.date(2018, 9, 12), 10, 1))
    [notice] = box.to("office@example.edu.cn")
    assert "教务处" in str(notice.message["Subject"]) and "第 2 次上传" in notice.body and "有错误待改" in notice.body
    configure(desk, box, notify_to="office@example.edu.cn", notify="daily")
    today = dt.datetime.now().astimezone()
    postman.tick(today.replace(hour=17))
    assert len(box.to("office@example.edu.cn")) == 1  # the digest waits for 18:00
    postman.tick(today.replace(hour=18, minute=5))
    postman.tick(today.replace(hour=19))
    digests = [m for m in box.to("office@example.edu.cn") if "今天收到" in str(m.message["Subject"])]
    assert len(digests) == 1 and "第 2 次上传" in digests[0].body


def test_without_addresses_or_a_server_nothing_is_sent(tmp_path: Path) -> None:
    with client_desk(tmp_path, today=dt.date(2018, 9, 12), public_url=LINKS, base_url="https://testserver",
                     office=OFFICE) as desk:
        log_in(desk.client)
        page = desk.client.get(f"/office/d/{desk.ids['财务处']}").text
        assert "部门名单（年度总表）中没有这个部门的联络员邮箱" in page and 'id="remind-now"' not in page
        done = desk.app.state.season.postman.tick(at(dt.date(2018, 9, 12), 10))
    assert (done.sent, done.failed) == (0, 0)
