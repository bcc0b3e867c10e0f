"""The review on the desk through TestClient (docs/publication.md): a reviewer's link opens their page only, forms
bound to the link, comments escaped and limited, a decision only on the version shown, the office's roles, the
gate and the publication, the web page shown with its own policy, tokens kept out of the log."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import edit_workbook
from starlette.testclient import TestClient
from years import make_year

import report_builder
from report_builder.outputs.filling import fill_department
from report_builder.web import Store, create_app, default_state
from report_builder.web.credential import Office
from report_builder.web.reviews import MAX_COMMENT, MAX_COMMENTS
from web.desk_client import form_token, log_in

PASSWORD = "办公室的测试密码"
SHA = re.compile(r'name="sha256" value="([0-9a-f]{64})"')


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A year whose every workbook passes, with v1 built (and its web page) where the desk puts versions."""
    root = tmp_path_factory.mktemp("review-desk")
    year = make_year(root)
    assert report_builder.build_report(year, root / "out", html=True).report is not None
    return root


@dataclass
class Desk:
    client: TestClient
    year: Path
    folder: Path  # the output folder of the year
    csrf: str  # the office's form token

    def add(self, name: str, role: str) -> str:
        """A reviewer added by the office: their token."""
        page = self.client.post("/office/reviews/add", data={"csrf": self.csrf, "name": name, "role": role})
        row = re.search(rf'<tr data-reviewer="{name}">.*?/r/([A-Za-z0-9_-]+)</code>', page.text, re.S)
        assert row is not None, page.text
        return row.group(1)

    def send(self, number: int) -> None:
        report = next(self.folder.glob(f"*_v{number}.docx")).name
        assert self.client.post("/office/reviews/send", data={"csrf": self.csrf, "report": report}).status_code == 200

    def build(self, count: int) -> None:
        edit_workbook(self.year / "教务处.xlsx", lambda wb: fill_department(wb, "主动公开", [{"count": count}]))
        assert self.client.post("/office/build", data={"csrf": self.csrf, "format": "三部分"}).status_code == 200


@contextmanager
def desk(built: Path, tmp_path: Path) -> Iterator[Desk]:
    root = Path(shutil.copytree(built, tmp_path / "root"))
    year = root / "2017-2018"
    application = create_app(year, default_state(year), out_dir=root / "out")
    Office(Store(default_state(year))).set_password(PASSWORD)
    with TestClient(application, follow_redirects=True) as client:
        yield Desk(client, year, root / "out" / year.name, form_token(log_in(client, PASSWORD).text))


def reviewer_form(client: TestClient, token: str) -> tuple[str, str]:
    """The reviewer's page's form token and the sha256 of the report it shows."""
    page = client.get(f"/r/{token}")
    assert page.status_code == 200, page.text
    found = SHA.search(page.text)
    assert found is not None, page.text
    return form_token(page.text), found.group(1)


def test_a_reviewers_link_opens_their_page_and_nothing_else(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        token = d.add("李老师", "审核")
        assert len(token) == 32  # secrets.token_urlsafe(24): 192 random bits
        assert "目前没有待审阅的版本" in d.client.get(f"/r/{token}").text
        d.send(1)
        assert "首次审阅" in d.client.get(f"/r/{token}").text
        stranger = TestClient(d.client.app, follow_redirects=False)  # the reviewer's phone: no office session
        assert stranger.get(f"/r/{token}").status_code == 200
        report = next(d.folder.glob("*_v1.docx")).name
        for path in (f"/d/{token}", f"/r/{token}/s/1", f"/r/{token[:-1]}", f"/r/{token}x", "/r/",
                     f"/d/{token}/template"):
            assert stranger.get(path).status_code == 404, path
        for path in ("/office", "/office/reviews", "/office/reports", f"/office/files/{report}",
                     f"/office/web/{report.replace('.docx', '.html')}"):
            answer = stranger.get(path)
            assert answer.status_code == 401 and 'id="login"' in answer.text, path  # the office's login, nothing more
        assert stranger.post("/office/publish", data={"report": report}).status_code == 401
        department = Store(default_state(d.year)).departments()[0].token
        assert stranger.get(f"/r/{department}").status_code == 404  # a department's link is not a reviewer's
        row = re.search(r'/office/reviews/(\d+)/remove"', d.client.get("/office/reviews").text)  # the one reviewer
        assert row is not None
        d.client.post(f"/office/reviews/{row.group(1)}/remove", data={"csrf": d.csrf})
        assert stranger.get(f"/r/{token}").status_code == 404  # removed: the link is dead
        log = (default_state(d.year).with_suffix("") / "desk.log").read_text(encoding="utf-8")
        assert token not in log and "/r/…" in log


def test_the_reviewers_forms_carry_their_own_token(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        first, second = d.add("李老师", "审核"), d.add("王老师", "保密审查")
        d.send(1)
        csrf, sha = reviewer_form(d.client, first)
        other, _ = reviewer_form(d.client, second)
        comment = {"sha256": sha, "block": "3", "text": "意见"}
        for token in ("", other, d.csrf, csrf + "x", "é" * 43):
            assert d.client.post(f"/r/{first}/comment", data={**comment, "csrf": token}).status_code == 403
        assert d.client.post(f"/r/{first}/decide", data={"csrf": other, "sha256": sha,
                                                         "decision": "approve"}).status_code == 403
        assert report_builder.review_decisions(d.folder) == ()
        assert d.client.post(f"/r/{first}/comment", data={**comment, "csrf": csrf}).status_code == 200


def test_comments_are_text_and_limited(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        token = d.add("李老师", "审核")
        d.send(1)
        csrf, sha = reviewer_form(d.client, token)

        def post(**fields: str) -> Any:
            return d.client.post(f"/r/{token}/comment", data={"csrf": csrf, "sha256": sha, **fields})

        page = post(block="2", text='<script>alert("x")</script><img src=x onerror=1>')
        assert page.status_code == 200 and "<script>alert" not in page.text and "&lt;script&gt;" in page.text
        assert "<img src=x" not in page.text
        assert post(block="2", text="长" * (MAX_COMMENT + 1)).status_code == 400
        assert post(block="2", text="   ").status_code == 400
        assert post(block="9999", text="没有这一段").status_code == 400
        assert post(block="-1", text="负数").status_code == 400
        assert post(block="2", text="大" * 70_000).status_code == 413  # the form itself is bounded
        for n in range(MAX_COMMENTS - 1):
            assert post(block="2", text=f"第 {n} 条").status_code == 200
        refused = post(block="2", text="一条太多")
        assert refused.status_code == 400 and f"最多写 {MAX_COMMENTS} 条" in refused.text
        decided = d.client.post(f"/r/{token}/decide", data={"csrf": csrf, "sha256": sha, "decision": "return"})
        assert decided.status_code == 200 and "您已于" in decided.text  # all 100 went out with the decision
        [decision] = report_builder.review_decisions(d.folder)
        assert len(decision.comments) == MAX_COMMENTS and decision.comments[0].text.startswith("<script>")


def test_a_decision_is_about_the_version_the_page_showed(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        token = d.add("王老师", "保密审查")
        d.send(1)
        csrf, shown = reviewer_form(d.client, token)
        returned = d.client.post(f"/r/{token}/decide", data={"csrf": csrf, "sha256": shown, "decision": "return"})
        assert returned.status_code == 400 and "退回修改须写明意见" in returned.text
        odd = d.client.post(f"/r/{token}/decide", data={"csrf": csrf, "sha256": shown, "decision": "maybe"})
        assert odd.status_code == 400
        d.build(321)  # the office rebuilt meanwhile: the new version is sent for review at once
        late = d.client.post(f"/r/{token}/decide", data={"csrf": csrf, "sha256": shown, "decision": "approve"})
        assert late.status_code == 409 and "版本已更新" in late.text
        assert report_builder.review_decisions(d.folder) == ()
        _, now = reviewer_form(d.client, token)
        assert now != shown
        assert d.client.post(f"/r/{token}/decide", data={"csrf": csrf, "sha256": now,
                                                         "decision": "approve"}).status_code == 200
        assert report_builder.review_status(next(d.folder.glob("*_v2.docx"))).publishable


def test_the_office_sets_the_roles_and_publishes_only_what_may_be_published(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        secrecy, head = d.add("王老师", "保密审查"), d.add("赵校长", "审定")
        page = d.client.post("/office/reviews/roles", data={"csrf": d.csrf, "role": ["审定"]})
        assert re.search(r'value="审定" checked', page.text) and report_builder.review_roles(d.folder) == (
            "保密审查", "审定")
        d.send(1)
        report = next(d.folder.glob("*_v1.docx")).name
        csrf, sha = reviewer_form(d.client, secrecy)
        d.client.post(f"/r/{secrecy}/decide", data={"csrf": csrf, "sha256": sha, "decision": "approve"})
        early = d.client.post("/office/publish", data={"csrf": d.csrf, "report": report})
        assert early.status_code == 409 and "待审定" in early.text and not list(d.folder.glob("*.zip"))
        csrf, sha = reviewer_form(d.client, head)
        d.client.post(f"/r/{head}/decide", data={"csrf": csrf, "sha256": sha, "decision": "approve"})
        reports = d.client.get("/office/reports").text
        assert re.search(rf'<tr data-version="{re.escape(report)}">.*?可以发布', reports, re.S)
        published = d.client.post("/office/publish", data={"csrf": d.csrf, "report": report})
        assert published.status_code == 200 and 'id="published"' in published.text
        link = re.search(r'<a href="(/office/files/[^"]+\.zip)">', published.text)
        assert link is not None
        with zipfile.ZipFile(io.BytesIO(d.client.get(link.group(1)).content)) as package:
            names = package.namelist()
        assert any(n.endswith(".审核记录.docx") for n in names) and any(n.endswith(".审核记录.json") for n in names)
        assert d.client.post("/office/publish", data={"report": report}).status_code == 403  # no form token


def test_the_web_page_is_shown_in_a_frame_of_its_own(built: Path, tmp_path: Path) -> None:
    with desk(built, tmp_path) as d:
        reports = d.client.get("/office/reports")
        assert "frame-src 'self'" in reports.headers["content-security-policy"]
        assert 'id="copy-web"' in reports.text and "复制网页内容" in reports.text
        source = re.search(r'<iframe id="web-frame"[^>]*src="(/office/web/[^"]+)"', reports.text)
        assert source is not None
        shown = d.client.get(source.group(1))
        assert shown.status_code == 200 and shown.headers["x-frame-options"] == "SAMEORIGIN"
        policy = shown.headers["content-security-policy"]
        assert "script" not in policy and "frame-ancestors 'self'" in policy and "style-src 'unsafe-inline'" in policy
        assert shown.content == next(d.folder.glob("*_v1.html")).read_bytes()
        for name in ("..%2F2017-2018%2F教务处.xlsx", next(d.folder.glob("*_v1.docx")).name, "x.html"):
            assert d.client.get(f"/office/web/{name}").status_code == 404
