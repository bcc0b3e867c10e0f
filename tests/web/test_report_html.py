"""`build --html` pages in a real browser (issue 23, "What it must show"): both sample years in the three
bundled formats read on a phone (390×844) and a desktop, every 清单 link opens its column, and the page
copied in the browser and pasted into a rich-text editor (a contenteditable page) keeps its tables, merged
cells and links. Screenshots go to docs/screenshots when REPORT_BUILDER_SCREENSHOTS is set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from report_builder.formats import BUNDLED

CASES = [(year, name) for year in ("2017-2018", "2022-2023") for name in BUNDLED]
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1200, "height": 900}
EDITOR = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>编辑器</title></head>'
          '<body><div id="editor" contenteditable="true" style="min-height:20em"></div></body></html>')

# What a page holds, read in the browser: its headings and paragraphs, each table's rows of cells
# (text, colspan, rowspan) and every link's address.
CONTENT = """root => ({
  blocks: [...root.querySelectorAll('h1,h2,h3,h4,h5,h6,p')].filter(e => !e.closest('table'))
    .map(e => e.innerText.trim()),
  tables: [...root.querySelectorAll('table')].map(t => [...t.rows].map(r => [...r.cells]
    .map(c => [c.innerText.trim(), c.colSpan, c.rowSpan]))),
  links: [...root.querySelectorAll('a')].map(a => [a.getAttribute('href'), a.innerText.trim()]),
})"""


def open_page(browser: Any, report: Path, viewport: dict[str, int]) -> Any:
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(report.with_suffix(".html").as_uri())
    return page


def save(page: Any, folders: list[Path], name: str) -> None:
    for folder in folders:
        page.screenshot(path=str(folder / name))


@pytest.mark.parametrize(("year", "name"), CASES)
def test_the_page_reads_on_a_phone_and_a_desktop(browser: Any, web_reports: dict[tuple[str, str], Path],
                                                 screenshots: list[Path], year: str, name: str) -> None:
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        page = open_page(browser, web_reports[year, name], viewport)
        try:
            # the page itself never scrolls sideways; a wide table scrolls inside its own box
            assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
            sizes = page.evaluate("[...document.querySelectorAll('h1, p')].map(e => "
                                  "parseFloat(getComputedStyle(e).fontSize))")
            assert sizes[0] > max(sizes[2:])  # the title stands out
            for table in page.locator("main > div > table").all():
                box = table.evaluate("t => [t.parentElement.clientWidth, t.scrollWidth, "
                                     "getComputedStyle(t.parentElement).overflowX]")
                assert box[1] <= box[0] or box[2] == "auto", box
            if year == "2022-2023" and name in ("政府格式", "八部分"):  # the top, then the main table
                stem = "report-html-government" if name == "政府格式" else "report-html-eight-part"
                if name == "政府格式":
                    save(page, screenshots, f"{stem}-{label}.png")
                page.locator("table").nth(1 if name == "政府格式" else 0).evaluate("t => t.scrollIntoView()")
                save(page, screenshots, f"{stem}-table-{label}.png")
        finally:
            page.context.close()


def test_every_checklist_link_opens_its_column(browser: Any, web_reports: dict[tuple[str, str], Path]) -> None:
    """Each 已公开 item's link, clicked, opens its address (the site answered here by the test)."""
    page = open_page(browser, web_reports["2022-2023", "八部分"], PHONE)
    opened: list[str] = []

    def answer(route: Any) -> None:
        opened.append(route.request.url)
        route.fulfill(status=200, content_type="text/html; charset=utf-8", body="<title>栏目</title>")

    try:
        page.context.route("https://**/*", answer)
        rows = page.locator("table tbody tr").all()
        expected = []
        for row in rows:
            cells = row.locator("td").all()
            if cells[4].inner_text().strip() != "已公开":
                assert cells[5].locator("a").count() == 0
                continue
            link = cells[5].locator("a")
            href = link.get_attribute("href")
            expected.append(href)
            with page.expect_navigation(url=href):
                link.click()
            page.go_back()
        assert len(expected) == 42 and opened == expected
    finally:
        page.context.close()


@pytest.mark.parametrize(("year", "name"), CASES)
def test_pasting_into_an_editor_keeps_tables_and_links(browser: Any, web_reports: dict[tuple[str, str], Path],
                                                       tmp_path: Path, year: str, name: str) -> None:
    """Select the page in the browser, copy, paste into a contenteditable page: the same tables and links."""
    editor = tmp_path / "editor.html"
    editor.write_text(EDITOR, encoding="utf-8")
    page = open_page(browser, web_reports[year, name], DESKTOP)
    try:
        page.context.grant_permissions(["clipboard-read", "clipboard-write"])
        source = page.locator("main").evaluate(CONTENT)
        page.evaluate("window.getSelection().selectAllChildren(document.querySelector('main'))")
        page.keyboard.press("Control+C")
        target = page.context.new_page()
        target.goto(editor.as_uri())
        target.click("#editor")
        target.keyboard.press("Control+V")
        pasted = target.locator("#editor").evaluate(CONTENT)
        assert pasted["tables"] == source["tables"]
        assert pasted["links"] == source["links"]
        assert pasted["blocks"] == source["blocks"]
        assert len(source["tables"]) == {"三部分": 0, "八部分": 1, "政府格式": 3}[name]
        assert len(source["links"]) == (42 if (year, name) == ("2022-2023", "八部分") else 0)
        styled = target.locator("#editor table td[style]").count()
        assert styled == target.locator("#editor table td").count()  # the inline styles came along
    finally:
        page.context.close()
