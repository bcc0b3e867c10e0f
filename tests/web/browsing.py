"""What a person does in the browser (Playwright pages), shared by the browser tests: download, upload, log in,
read the board, save a screenshot."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from web.served import Desk

SUBMISSION = re.compile(r"/d/(?P<token>[^/]+)/s/(?P<n>\d+)$")


def download(page: Any, selector: str, folder: Path, name: str) -> Path:
    """Click a link that downloads a file; the file saved under a name of ours."""
    with page.expect_download() as info:
        page.click(selector)
    path = folder / name
    info.value.save_as(path)
    return path


def upload(page: Any, file: Path) -> int:
    """Choose the file in form#upload and send it; the submission's number from the page we land on."""
    form = page.locator("form#upload")
    form.locator("input[type=file]").set_input_files(str(file))
    with page.expect_navigation(url=SUBMISSION):
        submit(form)
    match = SUBMISSION.search(page.url)
    assert match, page.url
    return int(match["n"])


def submit(form: Any) -> None:
    """Click the form's submit button (or submit it as the button would, if it has none)."""
    button = form.locator("button[type=submit], input[type=submit]")
    if button.count():
        button.first.click()
    else:
        form.evaluate("f => f.requestSubmit()")


def shown_findings(page: Any) -> set[tuple[str, str]]:
    """(error|warning, 工作表!单元格) of each li in ul#findings."""
    shown = set()
    for item in page.locator("ul#findings > li").all():
        classes = (item.get_attribute("class") or "").split()
        severity = "error" if "error" in classes else "warning" if "warning" in classes else "?"
        shown.add((severity, item.locator("span.cell").inner_text().strip()))
    return shown


def status(page: Any) -> str:
    return str(page.locator("#status").inner_text()).strip()


def login(page: Any, desk: Desk, password: str) -> None:
    page.goto(f"{desk.url}/office")
    page.locator("form#login input[name=password]").fill(password)
    with page.expect_navigation():
        submit(page.locator("form#login"))


def board(page: Any) -> dict[str, tuple[str, str]]:
    """部门名称 → (td.status, td.uploads) of table#board."""
    cells = {}
    for row in page.locator("table#board tr[data-department]").all():
        name = row.get_attribute("data-department")
        cells[name] = (row.locator("td.status").inner_text().strip(), row.locator("td.uploads").inner_text().strip())
    return cells


def save_screenshot(page: Any, folders: list[Path], name: str) -> None:
    first = folders[0] / name
    page.screenshot(path=str(first), full_page=True)
    for folder in folders[1:]:
        shutil.copyfile(first, folder / name)
