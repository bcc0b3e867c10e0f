"""The intake desk in a real browser (issue 13, "What it must show"), against `report-builder serve`.

A department opens its link, downloads the blank template, uploads it filled with mistakes, sees each finding
with its cell, downloads the feedback, uploads the fixed file and sees "已通过" and "已改正"; the office logs in
and the board shows every department's status; a wrong token and a missing credential get nothing.
Pages are read by the contract's ids and classes (COMMON13: #status, ul#findings li.error span.cell…);
the findings expected are the library's own check of the same file, so no message text is written here.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import secrets
from pathlib import Path
from typing import Any

import openpyxl
from years import OFFICE, app, rows

import report_builder
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from web.browsing import SUBMISSION, board, download, login, save_screenshot, shown_findings, status, upload
from web.certificate import self_signed
from web.served import Desk, office_with_deadline, start_desk

STATUSES = ("未交", "有错误待改", "仅有提示", "已通过", "逾期")
MISTAKES = rows("依申请公开", app(received=dt.date(2016, 3, 5)), app(fee="abc"))  # two errors: A3, G4
HINT_ONLY = rows("依申请公开", app(fee="12"))  # a warning only: a number written as text


# ---- what the library says about the same files ------------------------------------------------------------

def expected_findings(desk: Desk, file: Path) -> set[tuple[str, str]]:
    office = report_builder.load_office(desk.year).office
    result = report_builder.check_file(file, office)
    return {(f.severity.value, f"{f.sheet}!{f.cell}") for f in result.findings}


def filled(template: Path, department: str, change: Any, out: Path) -> Path:
    """The downloaded blank template, filled as the department would (liaison, 清单 statuses) plus `change`."""
    wb = openpyxl.load_workbook(template)
    set_form_value(wb, "基本信息", "liaison", "张老师")
    mine = [item for item in OFFICE.checklist if item.department == department]
    fill_department(wb, "清单事项", [{"status": "已公开"}] * len(mine))
    change(wb)
    type_zeros(wb)  # 0 in each count, 本部门本年度无此项 on the sheets it has nothing for
    answer_empty_sheets(wb)
    wb.save(out)
    return out


# ---- the tests -----------------------------------------------------------------------------------------------

def test_a_department_uploads_sees_its_mistakes_and_fixes_them(desk: Desk, page: Any, tmp_path: Path,
                                                                screenshots: list[Path]) -> None:
    name = "教务处"
    page.goto(desk.links[name])
    assert page.locator("h1").inner_text().strip() == name
    template = download(page, "a#template", tmp_path, f"{name}-blank.xlsx")
    assert openpyxl.load_workbook(template).sheetnames  # a real workbook

    wrong = filled(template, name, MISTAKES, tmp_path / f"{name}-wrong.xlsx")
    expected = expected_findings(desk, wrong)
    assert {s for s, _ in expected} == {"error"} and len(expected) == 2, expected
    first = upload(page, wrong)
    assert status(page) == "有错误待改"
    assert shown_findings(page) == expected
    assert not (desk.year / f"{name}.xlsx").exists()  # a workbook with errors never enters the year folder
    for item in page.locator("ul#findings > li.error").all():  # each with what is wrong, in Chinese
        assert re.search(r"[\u4e00-\u9fff]", item.inner_text().replace(item.locator("span.cell").inner_text(), ""))
    if first == 1:
        assert page.locator("#compare").count() == 0
    feedback = download(page, "a#feedback", tmp_path, "feedback.xlsx")
    assert "问题清单" in openpyxl.load_workbook(feedback).sheetnames
    save_screenshot(page, screenshots, "department-errors.png")

    fixed = filled(template, name, lambda wb: None, tmp_path / f"{name}-fixed.xlsx")
    assert expected_findings(desk, fixed) == set()
    page.goto(desk.links[name])  # the contract puts form#upload on the department page
    second = upload(page, fixed)
    assert second == first + 1
    assert status(page) == "已通过"
    assert page.locator("ul#findings > li").count() == 0
    accepted = desk.year / f"{name}.xlsx"  # the CLI's door: the accepted upload, as `check` expects it
    assert accepted.read_bytes() == fixed.read_bytes()
    compare = page.locator("#compare").inner_text()
    assert "已改正 2 处" in compare and "新出现 0 处" in compare, compare
    history = page.locator("ol#history a")
    assert history.count() == second
    hrefs = [history.nth(i).get_attribute("href") or "" for i in range(second)]
    assert all(f"/d/{desk.token(name)}/s/" in href for href in hrefs), hrefs
    save_screenshot(page, screenshots, "department-passed.png")

    page.goto(f"{desk.links[name]}/s/{first}")  # the first submission is kept, not overwritten
    assert status(page) == "有错误待改"
    assert shown_findings(page) == expected


def test_the_board_shows_each_department_status(desk: Desk, browser: Any, page: Any, tmp_path: Path,
                                                screenshots: list[Path]) -> None:
    sent = {"财务处": MISTAKES, "招生就业处": HINT_ONLY}
    for name, change in sent.items():
        context = browser.new_context(locale="zh-CN", accept_downloads=True)
        department = context.new_page()
        department.goto(desk.links[name])
        template = download(department, "a#template", tmp_path, f"{name}-blank.xlsx")
        upload(department, filled(template, name, change, tmp_path / f"{name}.xlsx"))
        context.close()

    page.goto(f"{desk.url}/office")
    assert page.locator("form#login").count() == 1
    assert page.locator("table#board").count() == 0
    login(page, desk, desk.password)
    shown = board(page)
    assert set(shown) == set(desk.links)
    assert shown["财务处"] == ("有错误待改", "1")
    assert shown["招生就业处"] == ("仅有提示", "1")
    assert shown["党政办公室"] == ("未交", "0")
    assert all(state in STATUSES for state, _ in shown.values()), shown
    assert page.locator('tr[data-department="招生就业处"] td.last').inner_text().strip()
    group = page.locator("#remind-all").input_value()  # for a group chat: names, no link
    assert "财务处" in group and "请用本部门的专属链接" in group and "/d/" not in group
    save_screenshot(page, screenshots, "board.png")
    with page.expect_navigation():  # a department's link and reminder: one click away
        page.click('tr[data-department="财务处"] td.name a')
    own = page.locator("#reminder").input_value()
    assert own.startswith("财务处：您部门上传的填报表有 2 处错误") and own.endswith(desk.links["财务处"])
    assert page.locator("#link").inner_text() == desk.links["财务处"]
    page.go_back()

    page.fill("#find", "财务")  # finding a department by a part of its name hides the other rows
    visible = [row.get_attribute("data-department") for row in page.locator("table#board tr[data-department]").all()
               if row.is_visible()]
    assert visible == ["财务处"]
    page.fill("#find", "不存在的部门")
    assert page.locator("#found-none").inner_text() == "没有名称含“不存在的部门”的部门。"
    page.fill("#find", "")
    assert not page.locator("#found-none").is_visible()
    with page.expect_navigation():
        page.click('#filters a[data-filter="未交"]')
    assert set(board(page)) == {name for name, (state, _) in shown.items() if state == "未交"}
    with page.expect_download() as info:
        page.click("#board-xlsx")
    saved = tmp_path / "board.xlsx"
    info.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert {r[0] for r in sheet.iter_rows(min_row=2, values_only=True)} == set(board(page))

    page.click("#to-reports")  # the office tries to build: departments are missing, so it is told why
    page.select_option("form#build select[name=format]", "政府格式")
    page.click("form#build button[type=submit]")
    page.wait_for_selector("#built")
    built = page.locator("#built").inner_text()
    assert "未生成报告" in built and "党政办公室" in built, built  # 党政办公室 has sent nothing


def test_links_are_one_per_department_and_unguessable(desk: Desk) -> None:
    assert set(desk.links) == {entry.name for entry in OFFICE.departments}
    tokens = [desk.token(name) for name in desk.links]
    assert len(set(tokens)) == len(tokens)
    assert all(len(token) >= 32 for token in tokens)  # secrets.token_urlsafe(24) is 32 characters


def test_a_wrong_token_gets_nothing(desk: Desk, page: Any) -> None:
    own = desk.token("教务处")
    other = desk.token("财务处")
    pages = {}
    for token in (secrets.token_urlsafe(24), own[:-1] + ("A" if own[-1] != "A" else "B"), other.upper(), "x"):
        response = page.goto(f"{desk.url}/d/{token}")
        assert response.status == 404
        assert page.locator("form#upload, a#template, ol#history").count() == 0
        text = page.locator("body").inner_text()
        assert "教务处" not in text and "财务处" not in text
        pages[token] = text
    assert len(set(pages.values())) == 1  # the same page for every bad token
    for path in (f"/d/{own}/s/999", f"/d/{own}/s/999/feedback.xlsx", f"/d/{secrets.token_urlsafe(24)}/template"):
        assert page.goto(f"{desk.url}{path}").status == 404, path


def test_without_the_credential_the_office_gets_nothing(desk: Desk, page: Any) -> None:
    response = page.goto(f"{desk.url}/office")
    assert response.status in (200, 401, 403)
    assert page.locator("form#login").count() == 1 and page.locator("table#board").count() == 0
    login(page, desk, desk.password + "x")
    assert page.locator("table#board").count() == 0
    assert page.locator("form#login").count() == 1
    html = page.content()
    for name in desk.links:  # no department's link leaks from the login page
        assert desk.token(name) not in html


def test_an_upload_without_the_form_token_is_refused(desk: Desk, page: Any, tmp_path: Path) -> None:
    name = "党政办公室"
    page.goto(desk.links[name])
    template = download(page, "a#template", tmp_path, f"{name}-blank.xlsx")
    response = page.request.post(f"{desk.links[name]}/upload", multipart={
        "file": {"name": "x.xlsx", "mimeType": "application/octet-stream", "buffer": template.read_bytes()}},
        max_redirects=0)
    assert response.status == 403
    page.goto(desk.links[name])
    assert page.locator("ol#history a").count() == 0  # nothing was stored


def test_a_passed_deadline_shows_late_departments(browser: Any, tmp_path: Path) -> None:
    with start_desk(tmp_path, OFFICE) as late:  # the sample office's deadline, 2018-09-15, has passed
        context = browser.new_context(locale="zh-CN")
        page = context.new_page()
        try:
            login(page, late, late.password)
            shown = board(page)
            assert {state for state, _ in shown.values()} == {"逾期"}, shown
        finally:
            context.close()



def test_a_workbook_dropped_on_the_page_is_uploaded(desk: Desk, page: Any, tmp_path: Path) -> None:
    name = "教务处"
    page.goto(desk.links[name])
    before = page.locator("ol#history a").count()
    template = download(page, "a#template", tmp_path, f"{name}-blank.xlsx")
    fixed = filled(template, name, lambda wb: None, tmp_path / f"{name}-dropped.xlsx")
    with page.expect_navigation(url=SUBMISSION):
        drop_file(page, "#drop", fixed)
    match = SUBMISSION.search(page.url)
    assert match and int(match["n"]) == before + 1
    assert status(page) == "已通过"
    assert (desk.year / f"{name}.xlsx").read_bytes() == fixed.read_bytes()


def test_the_desk_over_https(browser: Any, tmp_path: Path) -> None:
    """`serve --cert --key` with a certificate made here (this context alone ignores that no authority signed
    it): a department uploads by dropping its file (the page's script is a file the policy allows), the office
    logs in, and every cookie is Secure."""
    cert, key = self_signed(tmp_path)
    soon = dt.date.today() + dt.timedelta(30)
    with start_desk(tmp_path / "served", office_with_deadline(soon), "--cert", str(cert), "--key", str(key),
                    scheme="https") as desk:
        context = browser.new_context(locale="zh-CN", accept_downloads=True, ignore_https_errors=True)
        try:
            page = context.new_page()
            name = "财务处"
            assert desk.links[name].startswith("https://")
            page.goto(desk.links[name])
            template = download(page, "a#template", tmp_path, f"{name}-blank.xlsx")
            fixed = filled(template, name, lambda wb: None, tmp_path / f"{name}.xlsx")
            with page.expect_navigation(url=SUBMISSION):
                drop_file(page, "#drop", fixed)
            assert status(page) == "已通过" and page.url.startswith("https://")
            login(page, desk, desk.password)
            assert board(page)[name] == ("已通过", "1")
            cookies = context.cookies()
            assert {c["name"] for c in cookies} == {"desk_csrf", "desk_office"}
            assert all(c["secure"] and c["httpOnly"] for c in cookies), cookies
        finally:
            context.close()


def drop_file(page: Any, selector: str, file: Path) -> None:
    """Drag `file` from the desktop onto the element: a DataTransfer holding it, then dragover and drop."""
    page.evaluate(
        """([selector, name, b64]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            const target = document.querySelector(selector);
            for (const type of ["dragenter", "dragover", "drop"]) {
                target.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        }""",
        [selector, file.name, base64.b64encode(file.read_bytes()).decode()])
