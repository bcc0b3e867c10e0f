"""Fixtures of the browser tests: Debian's chromium through Playwright, and a served year (served.py).

The browser is Debian's chromium (`apt-get install chromium`, as .ci/run does), launched by Playwright with
`executable_path`: Playwright's own browser download is never used. Without chromium or Playwright the
browser tests are skipped, saying why (under CI=true, which .ci/run sets up for, a missing chromium fails them).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from web.served import Desk, office_with_deadline, start_desk

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


# ---- the browser -------------------------------------------------------------------------------------------

def chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        reason = "未安装 chromium（Debian: apt-get install -y chromium；.ci/run 会安装）"
        if os.environ.get("CI"):  # .ci/run installs it: in CI a missing browser is a broken setup, not a skip
            pytest.fail(reason)
        pytest.skip(f"{reason}：跳过浏览器测试")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's chromium through Playwright (skips with the reason when either is missing)."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="未安装 playwright（pip install -e '.[test]'）")
    executable = chromium_path()
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox", "--lang=zh-CN"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desk]:
    """A served year whose deadline is still ahead (so a department with no upload is 未交)."""
    with start_desk(tmp_path_factory.mktemp("desk"), office_with_deadline(dt.date.today() + dt.timedelta(30))) as d:
        yield d


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context (its own cookies) and page, in Chinese, downloads accepted."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Iterator[list[Path]]:
    """Folders a screenshot is saved to: tmp_path, and docs/screenshots when REPORT_BUILDER_SCREENSHOTS is set."""
    folders = [tmp_path / "screenshots"]
    if os.environ.get("REPORT_BUILDER_SCREENSHOTS"):
        folders.append(SCREENSHOTS)
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
    yield folders
