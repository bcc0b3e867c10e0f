"""The review in a real browser (issue 23, "What it must show"), against `report-builder serve`: a reviewer opens
their link on a phone (390×844), sees the changes since the version they last read marked, returns it with a
comment on a paragraph; the office rebuilds on a desktop; the reviewer sees only the new changes and approves; the
version becomes 可以发布 only after the required roles approved it, an approval of an older version does not carry
to a newer one, a reviewer's link opens nothing else; the published package opens and its hashes match; the
reports page shows the web page and "复制网页内容" pastes it into a rich-text editor with its tables and links.
Screenshots go to docs/screenshots when REPORT_BUILDER_SCREENSHOTS is set.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import edit_workbook
from years import OFFICE, make_year

from report_builder.outputs.filling import fill_department
from web.served import Desk, serve_year

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1200, "height": 900}
EDITOR = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>编辑器</title></head>'
          '<body><div id="editor" contenteditable="true" style="min-height:20em"></div></body></html>')
# What a page holds, read in the browser: each table's rows of cells (text, colspan, rowspan), every link
CONTENT = """root => ({
  tables: [...root.querySelectorAll('table')].map(t => [...t.rows].map(r => [...r.cells]
    .map(c => [c.innerText.trim(), c.colSpan, c.rowSpan]))),
  links: [...root.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.innerText.trim()]),
  paragraphs: [...root.querySelectorAll('p,h1,h2,h3,h4,h5,h6')].filter(e => !e.closest('table')).length,
})"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A year whose every workbook passes, served; reports built on the desk go to its parent's output/."""
    root = tmp_path_factory.mktemp("review-served")
    with serve_year(make_year(root)) as desk:
        yield desk


def opened(browser: Any, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport, accept_downloads=True)
    context.set_default_timeout(60_000)  # a build on the desk checks every workbook first
    return context.new_page()


def save(page: Any, folders: list[Path], name: str, full: bool = False) -> None:
    for folder in folders:
        page.screenshot(path=str(folder / name), full_page=full)


def log_in(page: Any, desk: Desk) -> None:
    page.goto(f"{desk.url}/office")
    page.fill("form#login input[name=password]", desk.password)
    page.click("form#login button[type=submit]")
    page.wait_for_selector("#board")


def build(page: Any, desk: Desk, report_format: str = "三部分") -> str:
    """Build on the reports page; the name of the version written."""
    page.goto(f"{desk.url}/office/reports")
    page.select_option("form#build select[name=format]", report_format)
    page.click("form#build button[type=submit]")
    found = re.search(r"已生成：(\S+\.docx)", page.locator("#built").inner_text())
    assert found is not None, page.locator("#built").inner_text()
    return found.group(1)


def count(desk: Desk, n: int) -> None:
    """教务处's 主动公开 count typed as `n` in its workbook in the year folder (as if it sent a new one)."""
    edit_workbook(desk.year / "教务处.xlsx", lambda wb: fill_department(wb, "主动公开", [{"count": n}]))


def marks(page: Any) -> dict[str, list[str]]:
    """What the reviewer's page marks: the changed blocks' inserted and deleted text, the figures changed."""
    return {"ins": page.locator("#report ins").all_inner_texts(), "del": page.locator("#report del").all_inner_texts(),
            "figures": page.locator("#figures li").all_inner_texts(),
            "changed": page.locator("#report section.changed").all_inner_texts()}


def decide(page: Any, decision: str) -> None:
    page.click(f"form#decide button[value={decision}]")
    page.wait_for_selector("#state .done" if decision == "approve" else "#state .returned")


def gate(page: Any, desk: Desk, report: str) -> str:
    page.goto(f"{desk.url}/office/reports")
    return str(page.locator(f'tr[data-version="{report}"] td.review > span').first.inner_text())


def test_reviewers_read_what_changed_return_and_approve_until_it_may_be_published(
        browser: Any, served: Desk, screenshots: list[Path]) -> None:
    office, reader, secrecy = opened(browser, DESKTOP), opened(browser, PHONE), opened(browser, PHONE)
    try:
        log_in(office, served)
        first = build(office, served)
        office.goto(f"{served.url}/office/reviews")
        for name, role in (("李老师", "审核"), ("王老师", "保密审查")):
            office.fill("form#add-reviewer input[name=name]", name)
            office.select_option("form#add-reviewer select[name=role]", role)
            office.click("form#add-reviewer button[type=submit]")
        office.check("form#required input[value=审核]")
        office.click("form#required button[type=submit]")
        office.select_option("#under-review select[name=report]", first)
        office.click("#under-review button[type=submit]")
        links = dict(zip(office.locator("#reviewers td:first-child").all_inner_texts(),
                         office.locator("#reviewers td.link code").all_inner_texts(), strict=True))
        save(office, screenshots, "review-office-reviewers.png", full=True)

        reader.goto(links["李老师"])  # 审核 reads v1 first: the whole text, nothing marked, and approves it
        assert "首次审阅" in reader.locator("#changes").inner_text() and not marks(reader)["changed"]
        decide(reader, "approve")

        count(served, 321)
        second = build(office, served)  # the format under review: sent for review at once
        reader.goto(links["李老师"])
        seen = marks(reader)
        assert "与您上次审阅的" in reader.locator("#changes").inner_text() and first in reader.locator(
            "#changes").inner_text()
        assert seen["ins"][-1] == "321" and seen["del"][-1] == "0" and len(seen["changed"]) == 1
        assert "主动公开条数：0 → 321（教务处）" in seen["figures"]
        assert reader.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        save(reader, screenshots, "review-phone-top.png")
        reader.locator("#report section.changed").first.scroll_into_view_if_needed()
        save(reader, screenshots, "review-phone-changes.png")
        reader.locator("#report section.changed a.write").click()
        reader.fill("#report section.changed textarea[name=text]", "请核对主动公开条数，与教务处的台账不一致")
        reader.click("#report section.changed form.comment-form button[type=submit]")
        assert "请核对主动公开条数" in reader.locator("#report section.changed .comment").inner_text()
        decide(reader, "return")

        secrecy.goto(links["王老师"])  # 保密审查 approves v2 (their first reading)
        decide(secrecy, "approve")
        assert gate(office, served, second) == "已退回修改（李老师）；待审核"

        count(served, 400)
        third = build(office, served)
        notes = office.locator("#built-warnings").inner_text()  # what the reviewers said of v2, in the build's notes
        assert "李老师（审核，退回修改）对“2017-2018年度学院利用多种渠道" in notes and "：请核对主动公开条数" in notes
        assert gate(office, served, third) == "待审核、保密审查"  # 王老师's approval of v2 does not carry to v3
        assert office.locator(f'tr[data-version="{third}"] form.publish').count() == 0

        reader.goto(links["李老师"])  # only the changes since v2, the version this reviewer returned
        seen = marks(reader)
        assert seen["ins"][-1] == "400" and seen["del"][-1] == "321" and "0" not in seen["del"]
        assert "主动公开条数：321 → 400（教务处）" in seen["figures"] and len(seen["changed"]) == 1
        reader.locator("#report section.changed").first.scroll_into_view_if_needed()
        save(reader, screenshots, "review-phone-new-changes.png")
        decide(reader, "approve")
        assert gate(office, served, third) == "待保密审查"

        secrecy.goto(links["王老师"])
        assert "321 → 400" in " ".join(marks(secrecy)["figures"])
        decide(secrecy, "approve")
        assert gate(office, served, third) == "可以发布"
        save(office, screenshots, "review-reports-gate.png", full=True)

        office.click(f'tr[data-version="{third}"] form.publish button')
        with office.expect_download() as info:
            office.click("#published a")
        check_package(Path(info.value.path()), third)

        for path in ("/office", "/office/reports", "/office/reviews"):  # the reviewer's phone: the office's login
            reader.goto(f"{served.url}{path}")
            assert reader.locator("form#login").count() == 1 and reader.locator("#board, #versions").count() == 0
        token = links["李老师"].rsplit("/", 1)[1]
        for path in (f"/d/{token}", f"/r/{token}/1", f"/office/files/{third}"):
            reader.goto(f"{served.url}{path}")
            assert third not in reader.content() and ("页面不存在" in reader.content() or
                                                     reader.locator("form#login").count() == 1)
    finally:
        for page in (office, reader, secrecy):
            page.context.close()


def check_package(zipped: Path, report: str) -> None:
    """The filing package opens, its manifest's hashes match its files, and it holds the version's 审核记录."""
    with zipfile.ZipFile(zipped) as package:
        assert package.testzip() is None
        listing = json.loads(package.read("报送材料清单.json"))
        files = {name: package.read(name) for name in package.namelist() if name != "报送材料清单.json"}
    assert [e["file"] for e in listing["files"]] == list(files) and listing["report"] == report
    for entry in listing["files"]:
        assert entry["sha256"] == hashlib.sha256(files[entry["file"]]).hexdigest()
    record = json.loads(next(data for name, data in files.items() if name.endswith(".审核记录.json")))
    assert record["report_sha256"] == hashlib.sha256(files[report]).hexdigest()
    assert sorted(d["role"] for d in record["decisions"]) == ["保密审查", "审核"]


def test_the_reports_page_shows_the_web_page_and_copies_it(browser: Any, served: Desk, screenshots: list[Path],
                                                           tmp_path: Path) -> None:
    office = opened(browser, DESKTOP)
    try:
        office.context.grant_permissions(["clipboard-read", "clipboard-write"])
        log_in(office, served)
        mine = [item for item in OFFICE.checklist if item.department == "教务处"]
        edit_workbook(served.year / "教务处.xlsx", lambda wb: fill_department(wb, "清单事项", [
            {"status": "已公开", "link": f"https://www.example.edu.cn/xxgk/{n}"} for n in range(len(mine))]))
        build(office, served, "八部分")  # the 清单 as a table, its items linked to their columns
        frame = office.frame_locator("#web-frame")
        source = frame.locator("main").evaluate(CONTENT)
        assert source["tables"] and source["links"] and source["paragraphs"] > 10
        office.locator("#web-page").scroll_into_view_if_needed()
        save(office, screenshots, "review-reports-web-page.png")
        office.click("#copy-web")
        assert "已复制" in office.locator("#copy-web").inner_text()
        editor = tmp_path / "editor.html"
        editor.write_text(EDITOR, encoding="utf-8")
        target = office.context.new_page()
        target.goto(editor.as_uri())
        target.click("#editor")
        target.keyboard.press("Control+V")
        pasted = target.locator("#editor").evaluate(CONTENT)
        assert pasted == source  # the same tables, merged cells, links and paragraphs
        styled = target.locator("#editor table td[style]").count()
        assert styled == target.locator("#editor table td").count() > 0  # the inline styles came along
    finally:
        office.context.close()
