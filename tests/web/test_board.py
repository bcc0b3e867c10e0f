"""The office board's filters, its Excel copy, the year's totals on it, and the login's throttle."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import openpyxl
import pytest
from years import app

from report_builder import pipeline, table_workbook
from report_builder.cli.serve import public_url
from report_builder.web.security import LoginThrottle
from web.desk_client import PASSWORD, Desk, client_desk, filled, log_in

BEFORE_DEADLINE = dt.date(2018, 9, 1)  # the sample office workbook's deadline is 2018-09-15
ROW = re.compile(r'<tr data-department="([^"]+)">.*?<td class="status"><span[^>]*>([^<]+)<')


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Desk]:
    """A desk before the deadline where 教务处 uploaded a workbook with an error and 财务处 one without."""
    with client_desk(tmp_path, today=BEFORE_DEADLINE) as desk:
        template = desk.client.get(f"/d/{desk.tokens['教务处']}/template").content
        desk.upload("教务处", filled(template, app(received=dt.date(2016, 5, 1))))
        assert 'id="board"' in log_in(desk.client).text
        yield desk


def test_the_filters_show_the_departments_of_one_status(office: Desk) -> None:
    everyone = office.client.get("/office").text
    assert dict(ROW.findall(everyone)) == {"党政办公室": "未交", "教务处": "有错误待改", "招生就业处": "未交",
                                           "财务处": "未交"}
    counts = dict(re.findall(r'class="chip[^"]*"[^>]*>([^<\s]+) (\d+)<', everyone))
    assert counts == {"全部": "4", "需处理": "4", "未交": "3", "逾期": "0", "有错误待改": "1", "仅有提示": "0",
                      "已通过": "0"}

    missing = office.client.get("/office", params={"status": "未交"}).text
    assert [name for name, _ in ROW.findall(missing)] == ["党政办公室", "招生就业处", "财务处"]
    to_fix = office.client.get("/office", params={"status": "有错误待改"}).text
    assert [name for name, _ in ROW.findall(to_fix)] == ["教务处"]
    assert "没有这一类的部门" in office.client.get("/office", params={"status": "已通过"}).text
    unknown = office.client.get("/office", params={"status": "<script>"}).text
    assert len(ROW.findall(unknown)) == 4 and "<script>" not in unknown.split("<body>")[1].split("<script>")[0]


def test_the_board_as_excel_has_every_row_shown(office: Desk) -> None:
    got = office.client.get("/office/board.xlsx", params={"status": "未交"})
    assert got.status_code == 200 and got.content[:2] == b"PK"
    name = unquote(got.headers["content-disposition"].split("filename*=UTF-8''")[1])
    assert name.startswith("收表情况_") and name.endswith("_未交.xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(got.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("部门", "状态", "上传次数", "最近上传", "错误", "提示", "链接", "提醒")
    assert [r[:3] for r in rows[1:]] == [("党政办公室", "未交", 0), ("招生就业处", "未交", 0), ("财务处", "未交", 0)]
    assert all(r[6].endswith(f"/d/{office.tokens[r[0]]}") and r[0] in r[7] for r in rows[1:])

    everyone = openpyxl.load_workbook(io.BytesIO(office.client.get("/office/board.xlsx").content)).active
    fix = [r for r in everyone.iter_rows(values_only=True) if r[0] == "教务处"]
    assert fix[0][1:3] == ("有错误待改", 1) and fix[0][4] == 1 and "1 处错误" in fix[0][7]


def test_the_board_as_excel_needs_the_password(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        got = desk.client.get("/office/board.xlsx")
    assert got.status_code == 401 and got.content[:2] != b"PK"


def test_the_board_shows_the_years_totals(office: Desk) -> None:
    template = office.client.get(f"/d/{office.tokens['教务处']}/template").content
    office.upload("教务处", filled(template, app()))  # accepted: the year folder now holds it
    board = office.client.get("/office").text
    totals = pipeline.check_submissions(office.year).totals()
    shown = re.search(r"读取 (\d+) 行 = 采用 (\d+) 行 \+ 退回 (\d+) 行", board)
    assert shown is not None
    read, accepted, rejected = map(int, shown.groups())
    assert (read, accepted, rejected) == (totals["rows_read"], totals["rows_accepted"], totals["rows_rejected"])
    assert read == accepted + rejected and read > 0
    missing = sum(f.code == "missing-department" for f in pipeline.check_submissions(office.year).findings)
    assert missing == 3 and f"错误 {totals['errors']} 处（其中 3 处是部门尚未交表）" in board


def test_a_table_workbook_keeps_text_as_text_and_the_same_bytes() -> None:
    rows = [("=HYPERLINK(\"http://x\")", "未交", 0), ("+1", "@a", 3)]
    data = table_workbook("收表情况", ("部门", "状态", "次数"), rows)
    assert data == table_workbook("收表情况", ("部门", "状态", "次数"), rows)
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.title == "收表情况" and ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:C3"
    assert ws["A2"].value == "=HYPERLINK(\"http://x\")" and ws["A2"].data_type == "s"
    assert ws["A3"].value == "+1" and ws["C3"].value == 3


def test_five_wrong_passwords_make_that_address_wait(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        csrf = re.search(r'name="csrf" value="([^"]+)"', desk.client.get("/office").text)
        assert csrf is not None
        tries = [desk.client.post("/office/login", data={"csrf": csrf.group(1), "password": f"猜{i}"})
                 for i in range(5)]
        assert [t.status_code for t in tries] == [401] * 5
        right = desk.client.post("/office/login", data={"csrf": csrf.group(1), "password": PASSWORD})
    assert right.status_code == 429 and "请 10 分钟后再试" in right.text and 'id="board"' not in right.text


def test_the_throttle_counts_attempts_per_address_and_in_all() -> None:
    throttle = LoginThrottle(limit=3, window=60, account_limit=5)
    assert [throttle.begin("10.0.0.1", now=second) for second in (0, 10, 20)] == [0, 0, 0]
    assert throttle.begin("10.0.0.1", now=21) == 39 and throttle.begin("10.0.0.2", now=21) == 0
    assert throttle.begin("10.0.0.1", now=61) == 0  # the first attempt is a minute old
    throttle.succeeded("10.0.0.1")
    assert throttle.begin("10.0.0.1", now=62) == 0
    assert [throttle.begin(f"10.0.1.{i}", now=63) for i in range(4)] == [0, 0, 0, 18]  # 5 in all within a minute
    assert throttle.begin("10.0.2.1", now=63) == 18  # an address never seen waits too: until 21 + 60


def test_links_start_with_the_address_departments_open(tmp_path: Path) -> None:
    assert public_url("127.0.0.1", 8377) == "http://127.0.0.1:8377"
    assert public_url("10.1.2.3", 80) == "http://10.1.2.3:80"
    wildcard = public_url("0.0.0.0", 8377)
    assert wildcard is not None and not wildcard.startswith("http://0.0.0.0")
    assert public_url("0.0.0.0", 1, "https://desk.example.edu.cn/") == "https://desk.example.edu.cn"
    assert [public_url("h", 1, bad) for bad in ("ftp://x", "javascript:alert(1)", "desk", "http://")] == [None] * 4

    # behind the college's TLS proxy (--url https://…): every cookie is Secure, the links are the proxy's
    with client_desk(tmp_path, public_url="https://desk.example.edu.cn", base_url="https://testserver") as desk:
        desk.client.cookies.clear()  # a browser coming for the first time
        login_page = desk.client.get("/office")
        login = log_in(desk.client)
        board = login.text
        rows = re.findall(r'<a href="(/office/d/\d+)">', board)  # each department's link: one click away
        links = [re.search(r'<code id="link">([^<]+)</code>', desk.client.get(row).text) for row in rows]
    cookies = [login_page.headers["set-cookie"], *login.history[0].headers.get_list("set-cookie")]
    assert len(cookies) == 2 and all("; secure" in c.lower() and "; httponly" in c.lower() for c in cookies), cookies
    assert len(links) == 4
    assert all(link and link.group(1).startswith("https://desk.example.edu.cn/d/") for link in links)
    assert "http://testserver" not in board and 'id="local-only"' not in board
