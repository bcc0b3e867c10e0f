"""The desk against someone holding one department's link, a copied cookie or a page on another port of the same
host (issue 18): sessions, form tokens, the login throttle, headers, bad cookies, the log, slow bodies."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import anyio
import httpx2 as httpx
from starlette.testclient import TestClient

from report_builder.web import Store
from report_builder.web.credential import Office
from report_builder.web.guard import CONTENT_SECURITY_POLICY
from web.desk_client import PASSWORD, client_desk, form_token, log_in, run_apart

BOARD = 'id="board"'


def board_of(client: TestClient) -> str:
    return client.get("/office").text


def test_logout_ends_the_session_a_copied_cookie_held(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        board = log_in(desk.client).text
        copied = desk.client.cookies.get("desk_office")
        assert copied and BOARD in board
        thief = TestClient(desk.client.app, cookies={"desk_office": copied})
        assert BOARD in board_of(thief)  # the copy works while the office is logged in…
        desk.client.post("/office/logout", data={"csrf": form_token(board)})
        assert BOARD not in board_of(desk.client)
        after = thief.get("/office")
        assert after.status_code == 401 and BOARD not in after.text  # …and not after its logout
        assert thief.get("/office/board.xlsx").status_code == 401


def test_each_login_is_a_new_session_and_a_new_password_ends_them_all(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        log_in(desk.client)
        first = desk.client.cookies.get("desk_office")
        assert first
        browser = TestClient(desk.client.app)  # a browser holding that value (copied, or planted before a login)
        token = form_token(browser.get("/office").text)
        browser.cookies.set("desk_office", first, path="/office")
        answer = browser.post("/office/login", data={"csrf": token, "password": PASSWORD})
        second = answer.history[0].cookies.get("desk_office")
        assert BOARD in answer.text and second and second != first  # a new session at the login…
        assert BOARD not in board_of(desk.client)  # …and the one it replaced has ended
        Office(Store(desk.state)).set_password("另一个密码")  # what `serve --new-password` does
        assert BOARD not in board_of(browser)
        assert log_in(desk.client).status_code == 401 and BOARD in log_in(desk.client, "另一个密码").text
        with Store(desk.state).connect() as db:
            assert db.execute("SELECT count(*) FROM sessions").fetchone() == (1,)


def test_a_form_token_planted_from_another_port_is_refused(tmp_path: Path) -> None:
    """A page on another port of the same host can set our cookies (cookies ignore ports). It plants its own
    browser cookie with a token it got from the desk itself, or a token of the old double-submit kind."""
    with client_desk(tmp_path) as desk:
        board = log_in(desk.client).text
        attacker = TestClient(desk.client.app)
        login_token = form_token(attacker.get("/office").text)  # valid for the attacker's own browser value
        planted = attacker.cookies.get("desk_csrf")
        own_department = form_token(attacker.get(f"/d/{desk.tokens['财务处']}").text)
        assert planted

        victim_cookie = desk.client.cookies.get("desk_csrf")
        desk.client.cookies.set("desk_csrf", planted)
        forged = [desk.client.post("/office/build", data={"csrf": login_token, "format": "三部分"}),
                  desk.client.post("/office/logout", data={"csrf": login_token}),
                  desk.client.post(f"/d/{desk.tokens['教务处']}/upload", data={"csrf": own_department},
                                   files={"file": ("x.xlsx", b"PK")})]
        desk.client.cookies.set("desk_csrf", "x" * 43)
        forged += [desk.client.post("/office/build", data={"csrf": "x" * 43, "format": "三部分"}),
                   desk.client.post("/office/logout", data={"csrf": "x" * 43})]
        assert [f.status_code for f in forged] == [403] * 5
        assert not (tmp_path / "output").exists() and Store(desk.state).pending() == []
        desk.client.cookies.set("desk_csrf", victim_cookie or "")
        assert BOARD in board_of(desk.client)  # the office is still logged in: the forged logout did nothing
        desk.client.post("/office/logout", data={"csrf": form_token(board)})  # the office's own form still works
        assert BOARD not in board_of(desk.client)


def _guesses(client: TestClient, n: int, **headers: str) -> list[int]:
    token = form_token(client.get("/office").text)
    return [client.post("/office/login", data={"csrf": token, "password": f"猜{i}"}, headers=headers).status_code
            for i in range(n)]


def test_x_forwarded_for_from_an_untrusted_peer_does_not_reset_the_throttle(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        assert _guesses(desk.client, 5) == [401] * 5
        assert _guesses(desk.client, 3, **{"X-Forwarded-For": "203.0.113.7"}) == [429] * 3
        right = log_in(desk.client)
        assert right.status_code == 429 and "请 10 分钟后再试" in right.text


def test_behind_a_trusted_proxy_each_client_has_its_own_count(tmp_path: Path) -> None:
    with client_desk(tmp_path, trusted_proxies=["10.9.0.0/16"]) as desk:
        proxy = TestClient(desk.client.app, client=("10.9.0.2", 50000))
        first = {"X-Forwarded-For": "203.0.113.7"}
        assert _guesses(proxy, 6, **first) == [401] * 5 + [429]
        assert _guesses(proxy, 1, **{"X-Forwarded-For": "203.0.113.8"}) == [401]  # another client, behind it
        spoofed = {"X-Forwarded-For": "203.0.113.9, 203.0.113.7"}  # the proxy appends the real client last
        assert _guesses(proxy, 1, **spoofed) == [429]
    log = (desk.state.with_suffix("") / "desk.log").read_text(encoding="utf-8")
    logins = [line.rsplit("\t", 1)[1] for line in log.splitlines() if "\tPOST\t/office/login\t" in line]
    assert logins == ["203.0.113.7"] * 6 + ["203.0.113.8", "203.0.113.7"]  # the client the proxy names


def test_a_burst_of_guesses_is_counted_before_any_password_is_checked(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        token = form_token(desk.client.get("/office").text)
        cookies = dict(desk.client.cookies)

        async def burst() -> list[int]:
            transport = httpx.ASGITransport(app=desk.client.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as c:
                statuses: list[int] = []

                async def guess(i: int) -> None:
                    answer = await c.post("/office/login", data={"csrf": token, "password": f"猜{i}"})
                    statuses.append(answer.status_code)

                async with anyio.create_task_group() as group:
                    for i in range(40):
                        group.start_soon(guess, i)
                return statuses

        statuses = run_apart(burst)
    assert sorted(statuses) == [401] * 5 + [429] * 35


def test_every_answer_has_the_security_headers_and_pages_have_no_inline_script(tmp_path: Path) -> None:
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "unsafe-inline" not in CONTENT_SECURITY_POLICY
    with client_desk(tmp_path) as desk:
        token = desk.tokens["教务处"]
        answers = {path: desk.client.get(path) for path in
                   ("/", f"/d/{token}", f"/d/{token}/template", "/office", "/nowhere", "/static/desk.js")}
        answers["board"] = log_in(desk.client)
    for path, answer in answers.items():
        headers = answer.headers
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff", path
        assert headers["referrer-policy"] == "no-referrer", path
        if answer.headers["content-type"].startswith("text/html"):
            assert headers["cache-control"] == "no-store", path
            assert not re.search(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", answer.text), path
    assert answers["/static/desk.js"].status_code == 200 and "requestSubmit" in answers["/static/desk.js"].text


def test_a_bad_cookie_is_a_400_never_a_500(tmp_path: Path) -> None:
    with client_desk(tmp_path) as desk:
        client = TestClient(desk.client.app, raise_server_exceptions=False)
        token = desk.tokens["教务处"]
        bad = ("desk_csrf=中文".encode(), b"desk_office=x", b'desk_csrf="a\\"b"', b"desk_office=" + b"\xff" * 43)
        for cookie in bad:
            for path in (f"/d/{token}", "/office"):
                answer = client.get(path, headers={"cookie": cookie})
                assert answer.status_code == 400 and "无法识别" in answer.text, (cookie, path)
                assert "max-age=0" in answer.headers["set-cookie"].lower()  # cleared: the next visit works
        csrf = form_token(client.get(f"/d/{token}").text)
        odd = [client.post(f"/d/{token}/upload", data={"csrf": "中文" * 20}, files={"file": ("x.xlsx", b"PK")}),
               client.post("/office/login", data={"csrf": "中文", "password": "中文"}),
               client.get("/d/%E4%B8%AD%00"), client.post(f"/d/{token}/upload", data={"csrf": csrf})]
        assert [a.status_code for a in odd] == [403, 403, 404, 400]


def test_what_a_request_sends_never_makes_a_log_line_of_its_own(tmp_path: Path) -> None:
    injected = "2026-01-01T00:00:00+08:00\tUPLOAD\t教务处\t1\tabc\t已通过\t0\t0"
    with client_desk(tmp_path) as desk:
        desk.client.get("/x%0A" + injected.replace("\t", "%09") + "%1B[2J")
        desk.client.get(f"/d/{desk.tokens['教务处']}%0A{injected.replace(chr(9), '%09')}")
    lines = (desk.state.with_suffix("") / "desk.log").read_text(encoding="utf-8").splitlines()
    assert not [line for line in lines if line.split("\t")[1:2] == ["UPLOAD"]]
    assert all(re.match(r"\d{4}-\d\d-\d\dT", line) and "\x1b" not in line for line in lines)
    assert any("/x\\n2026-01-01T00:00:00+08:00\\tUPLOAD\\t教务处" in line and "\\x1b[2J" in line for line in lines)


def test_a_body_that_stops_arriving_is_a_408(tmp_path: Path) -> None:
    with client_desk(tmp_path, idle_seconds=0.3) as desk:
        token = desk.tokens["教务处"]
        csrf = form_token(desk.open("教务处"))
        cookie = "; ".join(f"{k}={v}" for k, v in desk.client.cookies.items())
        app: Any = desk.client.app

    async def slow() -> tuple[int, str]:
        sent: list[dict[str, Any]] = []
        messages = [{"type": "http.request", "more_body": True,
                     "body": f"--b\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n".encode()}]

        async def receive() -> dict[str, Any]:
            if messages:
                return messages.pop()
            await anyio.sleep(60)  # the rest never comes
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "POST", "path": f"/d/{token}/upload", "raw_path": b"", "root_path": "",
                 "query_string": b"", "scheme": "http", "server": ("testserver", 80), "client": ("10.0.0.1", 1),
                 "http_version": "1.1", "asgi": {"version": "3.0"},
                 "headers": [(b"content-type", b"multipart/form-data; boundary=b"), (b"cookie", cookie.encode())]}
        with anyio.fail_after(10):
            await app(scope, receive, send)
        body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return sent[0]["status"], body.decode()

    status, page = run_apart(slow)
    assert status == 408 and "上传中断" in page
    assert Store(desk.state).pending() == [] and not (desk.state.with_suffix("") / "uploads").exists()
