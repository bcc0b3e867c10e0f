"""The web intake desk (report_builder.web) through Starlette's TestClient, on a year made by tests/years.py:
a department's page, uploads with and without mistakes, what enters the year folder, CSRF, the office board."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from starlette.testclient import TestClient
from years import OFFICE, app

from report_builder import pipeline
from report_builder.outputs.excel import save_workbook
from report_builder.schema import OFFICE_FILE
from report_builder.web import Store, create_app, default_state
from report_builder.web.credential import Office
from web.desk_client import PASSWORD, Desk, client_desk, filled, form_token, log_in


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    with client_desk(tmp_path) as made:
        yield made


def test_a_department_uploads_a_mistake_then_the_fix(desk: Desk) -> None:
    page = desk.open("教务处")
    assert "<h1>教务处</h1>" in page and 'id="template"' in page and 'id="upload"' in page
    assert '报送截止日期：<span id="deadline">2018年9月15日</span>' in page
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template")
    assert template.status_code == 200 and template.content[:2] == b"PK"

    wrong = desk.upload("教务处", filled(template.content, app(received=dt.date(2016, 5, 1))))
    assert wrong.status_code == 200 and str(wrong.url).endswith("/s/1")
    assert '<span id="status" class="s-有错误待改">有错误待改</span>' in wrong.text
    assert '<li class="error"><span class="cell">依申请公开!A3</span>' in wrong.text
    assert 'id="compare"' not in wrong.text  # nothing to compare the first upload with
    assert not (desk.year / "教务处.xlsx").exists()  # an upload with errors never enters the year folder
    feedback = desk.client.get(f"/d/{desk.tokens['教务处']}/s/1/feedback.xlsx")
    assert feedback.status_code == 200 and "问题清单" in openpyxl.load_workbook(io.BytesIO(feedback.content)).sheetnames

    fixed = desk.upload("教务处", filled(template.content, app()))
    assert str(fixed.url).endswith("/s/2")
    assert '<span id="status" class="s-已通过">已通过</span>' in fixed.text
    assert "与上次相比：已改正 1 处，新出现 0 处" in fixed.text
    assert '已改正：<span class="place">依申请公开!A3</span>' in fixed.text
    assert fixed.text.count('<li><a href="/d/') == 2  # the history lists both submissions
    assert (desk.year / "教务处.xlsx").is_file()
    report = pipeline.check_submissions(desk.year)
    assert [f for f in report.files if f.file == "教务处.xlsx"][0].findings == ()
    assert not [f for f in report.findings if f.file == "教务处.xlsx"]
    assert not [f for f in report.findings if f.code != "missing-department"], [str(f) for f in report.findings]

    stored = sorted(p.name for p in (desk.state.with_suffix("") / "uploads").rglob("*.xlsx"))
    assert stored == ["1.xlsx", "2.xlsx"]  # names we chose, never the sender's


def test_an_upload_with_errors_never_replaces_the_accepted_file(desk: Desk) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template))
    accepted = (desk.year / "教务处.xlsx").read_bytes()
    desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
    desk.upload("教务处", b"not a workbook at all")
    assert (desk.year / "教务处.xlsx").read_bytes() == accepted


def test_another_departments_workbook_is_an_error(desk: Desk) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    page = desk.upload("财务处", filled(template))
    assert "有错误待改" in page.text and "这份填报表属于另一个部门" in page.text
    assert not list(desk.year.glob("财务处*")) and not (desk.year / "教务处.xlsx").exists()


def test_an_unreadable_upload_gets_its_own_finding_only(desk: Desk) -> None:
    page = desk.upload("教务处", b"PK\x03\x04 not really a workbook")
    codes = re.findall(r'<li class="error"><span class="cell">[^<]*</span>错误：([^（<]*)', page.text)
    assert len(codes) == 1 and "另一个部门" not in page.text  # not "表中的部门是“1”": 1.xlsx is our name


def test_a_bad_token_gets_the_same_404(desk: Desk) -> None:
    pages = [desk.client.get(path) for path in ("/d/nope", "/d/" + "A" * 32, "/d/nope/template",
                                                 "/d/nope/s/1", "/d/nope/s/1/feedback.xlsx", "/nowhere")]
    assert {p.status_code for p in pages} == {404}
    assert len({p.text for p in pages}) == 1 and "链接无效" in pages[0].text
    assert desk.client.get(f"/d/{desk.tokens['教务处']}/s/1").status_code == 404  # no such submission yet


def test_a_post_without_the_csrf_token_is_refused(desk: Desk) -> None:
    token = desk.tokens["教务处"]
    desk.open("教务处")  # the browser has its cookie…
    missing = desk.client.post(f"/d/{token}/upload", files={"file": ("a.xlsx", b"PK")})
    forged = desk.client.post(f"/d/{token}/upload", data={"csrf": "x" * 43}, files={"file": ("a.xlsx", b"PK")})
    desk.client.cookies.clear()  # …or, from another site, none
    cookieless = desk.client.post(f"/d/{token}/upload", data={"csrf": "x" * 43}, files={"file": ("a.xlsx", b"PK")})
    assert missing.status_code == forged.status_code == cookieless.status_code == 403
    assert "请求被拒绝" in missing.text
    assert Store(desk.state).submissions(1) == []


def test_an_over_size_upload_is_refused_and_nothing_stored(desk: Desk) -> None:
    big = desk.upload("教务处", b"PK" + b"\0" * (3 * 1024 * 1024))
    assert big.status_code == 413 and "文件过大" in big.text
    assert all(Store(desk.state).submissions(d) == [] for d in range(1, 5))
    assert not (desk.state.with_suffix("") / "uploads").exists()


def test_the_office_board_needs_the_password(desk: Desk) -> None:
    login = desk.client.get("/office")
    assert login.status_code == 401 and 'id="login"' in login.text and 'id="board"' not in login.text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login.text)
    assert csrf is not None
    wrong = desk.client.post("/office/login", data={"csrf": csrf.group(1), "password": "猜的"})
    assert wrong.status_code == 401 and 'id="board"' not in wrong.text
    desk.client.cookies.set("desk_office", "99999999999.forged", path="/office")
    assert 'id="board"' not in desk.client.get("/office").text
    desk.client.cookies.delete("desk_office", path="/office")

    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
    board = desk.client.post("/office/login", data={"csrf": csrf.group(1), "password": PASSWORD})
    assert board.status_code == 200 and 'id="board"' in board.text
    rows = dict(re.findall(r'<tr data-department="([^"]+)">.*?<td class="status"><span[^>]*>([^<]+)<', board.text))
    assert set(rows) == {"党政办公室", "教务处", "招生就业处", "财务处"}
    assert set(rows.values()) == {"逾期"}  # the deadline was in 2018: none is accepted
    assert re.search(r'data-department="教务处">.*?<td class="uploads">1</td>', board.text)


def test_the_board_before_the_deadline(tmp_path: Path) -> None:
    year = tmp_path / "2017-2018"
    year.mkdir()
    (year / OFFICE_FILE).write_bytes(save_workbook(OFFICE.office_template()))
    application = create_app(year, default_state(year))
    application.state.context.desk.today = dt.date(2018, 9, 1)
    Office(Store(default_state(year))).set_password(PASSWORD)
    with TestClient(application) as client:
        client.get("/office")
        tokens = {d.name: d.token for d in Store(default_state(year)).departments()}
        csrf = form_token(client.get(f"/d/{tokens['教务处']}").text)
        template = client.get(f"/d/{tokens['教务处']}/template").content
        client.post(f"/d/{tokens['教务处']}/upload", data={"csrf": csrf},
                    files={"file": ("x.xlsx", filled(template, app(received=dt.date(2016, 5, 1))))})
        board = log_in(client).text
        pages = {name: client.get(f"/office/d/{number}").text
                 for number, name in re.findall(r'<a href="/office/d/(\d+)">([^<]+)</a>', board)}
    rows = dict(re.findall(r'<tr data-department="([^"]+)">.*?<td class="status"><span[^>]*>([^<]+)<', board))
    assert rows == {"党政办公室": "未交", "教务处": "有错误待改", "招生就业处": "未交", "财务处": "未交"}
    assert "<textarea" not in board.split('id="board"')[1].split("</table>")[0]  # one click away, not in the rows
    texts = {name: re.search(r'<textarea id="reminder"[^>]*>([^<]+)<', text).group(1)  # type: ignore[union-attr]
             for name, text in pages.items()}
    assert texts["财务处"].startswith("财务处：信息公开工作年度报告的填报表还未收到，请于2018年9月15日前")
    assert texts["财务处"].endswith(f"/d/{tokens['财务处']}")
    assert texts["教务处"].startswith("教务处：您部门上传的填报表有 1 处错误")  # its link, to see the cell
    together = re.search(r'<textarea id="remind-all"[^>]*>([^<]+)<', board)
    assert together is not None and all(name in together.group(1) for name in tokens)
    assert "请用本部门的专属链接" in together.group(1)  # read by a whole group: no department's link in it
    assert "/d/" not in together.group(1) and not any(token in together.group(1) for token in tokens.values())


def test_every_request_is_logged_without_the_token(desk: Desk) -> None:
    desk.open("教务处")
    log = (desk.state.with_suffix("") / "desk.log").read_text(encoding="utf-8")
    assert "GET\t/d/…\t200" in log and desk.tokens["教务处"] not in log


def test_serve_links_prints_a_line_per_department(tmp_path: Path) -> None:
    year = tmp_path / "2017-2018"
    year.mkdir()
    (year / OFFICE_FILE).write_bytes(save_workbook(OFFICE.office_template()))
    args = [sys.executable, "-m", "report_builder", "serve", str(year), "--port", "9000", "--links"]
    first = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True).stdout
    again = subprocess.run(args, capture_output=True, text=True, timeout=120, check=True).stdout
    lines = [line.split("\t") for line in first.splitlines()]
    assert [name for name, _ in lines] == ["党政办公室", "教务处", "招生就业处", "财务处"]
    assert all(re.fullmatch(r"http://127\.0\.0\.1:9000/d/[A-Za-z0-9_-]{32}", link) for _, link in lines)
    assert first == again  # a token is made once and kept
    assert (tmp_path / ".2017-2018.desk.sqlite3").is_file() and not list(year.glob(".*"))


def test_a_department_that_passed_or_has_only_warnings_gets_no_reminder() -> None:
    from report_builder.web.desk import CLEAN, WARNINGS, Row
    from report_builder.web.reminders import reminder, reminder_for_all
    from report_builder.web.store import Department

    rows = [Row(Department(i, name, f"t{i}"), status, 1, "", 0, 0)
            for i, (name, status) in enumerate((("教务处", CLEAN), ("财务处", WARNINGS)))]
    assert [reminder(r, "http://x/d/t", dt.date(2018, 9, 15)) for r in rows] == ["", ""]
    assert reminder_for_all(rows, None) == ""


def test_each_checked_upload_is_logged(desk: Desk) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
    desk.upload("教务处", filled(template))
    log = (desk.state.with_suffix("") / "desk.log").read_text(encoding="utf-8")
    uploads = [line.split("\t") for line in log.splitlines() if "\tUPLOAD\t" in line]
    stored = Store(desk.state).submissions(Store(desk.state).department_by_token(desk.tokens["教务处"]).id)
    assert [u[2:6] for u in uploads] == [["教务处", str(s.n), s.sha256, s.status] for s in stored]
    assert [u[6] for u in uploads] == ["1", "0"]


@pytest.mark.parametrize(("error", "status", "title"), [
    (OSError(5, "Input/output error"), 500, "这次操作没有完成"),
    (OSError(28, "No space left on device"), 507, "服务器磁盘空间不足"),  # a full disk is said as such
    (sqlite3.OperationalError("database or disk is full"), 507, "服务器磁盘空间不足"),
])
def test_an_unexpected_failure_is_a_chinese_page(desk: Desk, monkeypatch: pytest.MonkeyPatch, error: Exception,
                                                 status: int, title: str) -> None:
    def broken(*args: object) -> None:
        raise error

    monkeypatch.setattr(desk.client.app.state.context.desk, "store_upload", broken)
    client = TestClient(desk.client.app, raise_server_exceptions=False, cookies=desk.client.cookies)
    csrf = form_token(client.get(f"/d/{desk.tokens['教务处']}").text)
    failed = client.post(f"/d/{desk.tokens['教务处']}/upload", data={"csrf": csrf}, files={"file": ("x.xlsx", b"PK")})
    assert failed.status_code == status and title in failed.text and "Traceback" not in failed.text
    log = (desk.state.with_suffix("") / "desk.log").read_text(encoding="utf-8")
    assert f"\tERROR\t{type(error).__name__}:" in log and desk.tokens["教务处"] not in log


def test_an_unreadable_upload_is_not_compared_as_progress(desk: Desk) -> None:
    template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
    desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
    garbage = desk.upload("教务处", b"not a workbook at all")
    assert "本次上传的文件无法读取" in garbage.text and "已改正" not in garbage.text
    assert '<span class="cell">整个文件</span>' in garbage.text
    after = desk.upload("教务处", filled(template))
    assert "上次上传的文件无法读取" in after.text and "已改正" not in after.text
    assert '<p id="adopted">本次上传已被采用' in after.text and "第 3 次</a> " in after.text
    assert re.search(r"第 3 次</a> <span[^>]*>[^<]*(<strong class=\"late-text\">逾期提交</strong>[^<]*)?"
                     r"<strong>正在使用</strong>", after.text)
    first = desk.client.get(f"/d/{desk.tokens['教务处']}/s/1").text
    assert "年度汇总使用的是" in first and "第 3 次上传" in first


def test_changed_places_are_in_sheet_and_cell_order() -> None:
    from report_builder.findings import Finding
    from report_builder.web.desk import changes
    from report_builder.web.store import Submission

    def submitted(*cells: str) -> Submission:
        found = tuple(Finding("not-a-number", "x.xlsx", sheet="依申请公开", cell=c) for c in cells)
        return Submission(1, 1, 1, "", "", "", "有错误待改", len(found), 0, found)

    fixed, new = changes(submitted("B10", "B3", "AA2", "C1"), submitted("C1"))
    assert [cell for _, _, cell in fixed] == ["B3", "B10", "AA2"] and new == []


def test_the_office_workbook_uploaded_on_a_departments_page_is_named_as_such(desk: Desk) -> None:
    page = desk.upload("教务处", (desk.year / OFFICE_FILE).read_bytes())
    assert "这是年度总表，不是部门填报表" in page.text
    assert page.text.count('<li class="error">') == 1 and "缺少工作表" not in page.text
