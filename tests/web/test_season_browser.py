"""The season on the desk in a real browser against `report-builder serve` (issue 21, "What it must show"):
a file placed in the year folder appears as received (and the open board updates itself), an untouched form is
refused with its sheets named, a closed deadline refuses an upload with its date while an extension lets one
department in, a reminder sent through a localhost SMTP server arrives with its link and no other, the board of
60 departments fits a 390 × 844 screen (scrollWidth), and a department sees its share of the draft's sentences.
Screenshots go to docs/screenshots when REPORT_BUILDER_SCREENSHOTS is set (web/conftest.py)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from factory import sample_office, write
from years import app

from report_builder.outputs.filling import (
    answer_empty_sheets,
    fill_department,
    set_form_value,
    set_nothing,
    type_zeros,
)
from report_builder.schema import ChecklistItem, DepartmentEntry
from web.browsing import download, login, save_screenshot, upload
from web.mailbox import PASSWORD, USER, Mailbox, mailbox
from web.served import Desk, start_desk

KINDS = ("学院", "系", "处", "部", "中心", "办公室")
STEMS = ("机电工程", "化学工程", "石油工程", "经济管理", "信息工程", "建筑工程", "外国语", "马克思主义", "体育",
         "艺术设计", "继续教育", "国际交流", "教务", "学生工作", "招生就业", "财务", "后勤管理", "科研", "图书信息",
         "宣传统战")
NAMES = tuple(f"{STEMS[i % len(STEMS)]}{KINDS[i // len(STEMS) % len(KINDS)]}" for i in range(60))
PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def big_office(deadline: dt.date) -> Any:
    """60 departments, each with its liaison's address and one 清单 item."""
    return sample_office(
        deadline=deadline,
        departments=tuple(DepartmentEntry(name=n, email=f"d{i}@example.edu.cn") for i, n in enumerate(NAMES)),
        checklist=tuple(ChecklistItem(number=i + 1, category="其他", title=f"{n}的公开事项", department=n)
                        for i, n in enumerate(NAMES)))


def form_of(desk: Desk, office: Any, name: str, *, count: int = 3, mistake: bool = False) -> Any:
    """A department's form filled as it would be: liaison, its 清单 items, one count, nothing else."""
    wb = office.department_template(name)
    set_form_value(wb, "基本信息", "liaison", "联络员")
    mine = [item for item in office.checklist if item.department == name]
    fill_department(wb, "清单事项", [{"status": "已公开"}] * len(mine))
    fill_department(wb, "主动公开", [{"count": count}])
    if mistake:
        fill_department(wb, "依申请公开", [app(received=dt.date(2016, 5, 1))])
    type_zeros(wb)
    answer_empty_sheets(wb)
    return wb


@pytest.fixture(scope="module")
def server_mail(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Mailbox]:
    with mailbox(tmp_path_factory.mktemp("mail")) as box:
        yield box


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, server_mail: Mailbox) -> Iterator[tuple[Desk, Any]]:
    """60 departments, the deadline three days ahead, the SMTP server's certificate trusted by the desk."""
    office = big_office(dt.date.today() + dt.timedelta(days=3))
    with start_desk(tmp_path_factory.mktemp("big"), office,
                    env={"SSL_CERT_FILE": str(server_mail.certificate)}) as desk:
        for i, name in enumerate(NAMES[:30]):  # half of them sent their forms by e-mail: the office put them here
            write(form_of(desk, office, name, count=i, mistake=i % 7 == 3), desk.year / f"{name}.xlsx")
        yield desk, office


def scroll_width(page: Any) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


def test_the_board_of_60_departments_fits_a_phone_and_a_desktop(big: tuple[Desk, Any], browser: Any,
                                                               screenshots: list[Path]) -> None:
    desk, _ = big
    for size, name in ((DESKTOP, "board-60-desktop.png"), (PHONE, "board-60-phone.png")):
        context = browser.new_context(locale="zh-CN", viewport=size, device_scale_factor=1)
        page = context.new_page()
        login(page, desk, desk.password)
        rows = page.locator("table#board tr[data-department]")
        assert rows.count() == 60
        assert page.locator("#filters").bounding_box()["y"] < size["height"] / 3  # counts and filters first
        assert page.locator("table#board").bounding_box()["y"] < size["height"] / 2  # the table on the first screen
        width, inner = scroll_width(page)
        assert width <= inner, f"{name}: {width} > {inner}"  # no sideways scrolling
        height = rows.first.bounding_box()["height"]
        assert height < 60, height  # one compact line per department (two at most on a phone)
        received = page.locator("table#board tr[data-department] .tag", has_text="文件夹中已有").count()
        assert received == 30
        page.mouse.wheel(0, 1500)
        page.wait_for_timeout(200)
        header = page.locator("table#board thead th").first.bounding_box()
        assert header is not None and -1 <= header["y"] <= 1  # the header stays at the top while scrolling
        page.mouse.wheel(0, -5000)
        save_screenshot(page, screenshots, name) if size is PHONE else _desktop_shot(page, screenshots, name)
        context.close()


def _desktop_shot(page: Any, folders: list[Path], name: str) -> None:
    first = folders[0] / name
    page.screenshot(path=str(first))  # the first screen: what the office sees on opening
    for folder in folders[1:]:
        (folder / name).write_bytes(first.read_bytes())


def test_a_file_put_in_the_folder_appears_on_the_open_board(big: tuple[Desk, Any], page: Any) -> None:
    desk, office = big
    login(page, desk, desk.password)
    name = NAMES[40]
    row = page.locator(f'tr[data-department="{name}"]')
    assert row.locator("td.status").inner_text().strip() == "未交"
    write(form_of(desk, office, name), desk.year / f"{name}（邮件发来的）.xlsx")  # the office drops it in
    page.wait_for_function(  # no reload: the board asks /office/live and swaps in the new table
        f"""() => {{ const r = document.querySelector('tr[data-department="{name}"]');
                   return r && r.querySelector('td.status').innerText.trim() === '已通过'; }}""", timeout=30_000)
    assert "文件夹中已有" in row.inner_text()


def test_an_untouched_form_is_refused_with_its_sheets_named(big: tuple[Desk, Any], page: Any,
                                                            tmp_path: Path) -> None:
    desk, _ = big
    name = NAMES[50]
    page.goto(desk.links[name])
    blank = download(page, "a#template", tmp_path, "blank.xlsx")
    wb = openpyxl.load_workbook(blank)
    set_form_value(wb, "基本信息", "liaison", "张老师")  # only the liaison's name typed
    wb.save(tmp_path / "untouched.xlsx")
    upload(page, tmp_path / "untouched.xlsx")
    assert page.locator("#status").inner_text().strip() == "有错误待改"
    empty = [item.locator("span.cell").inner_text().split("!")[0]
             for item in page.locator("ul#findings > li.error").all() if "本表没有填写" in item.inner_text()]
    assert empty == ["主动公开", "依申请公开", "举报复议诉讼", "工作记录"]
    assert not (desk.year / f"{name}.xlsx").exists()


def test_a_reminder_arrives_through_smtp_with_its_link_only(big: tuple[Desk, Any], page: Any,
                                                            server_mail: Mailbox) -> None:
    desk, _ = big
    login(page, desk, desk.password)
    page.click("text=设置")
    page.fill("input[name=host]", "127.0.0.1")
    page.fill("input[name=port]", str(server_mail.port))
    page.select_option("select[name=security]", "starttls")
    page.fill("input[name=username]", USER)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=sender]", USER)
    with page.expect_navigation():
        page.click("form#settings button[type=submit]:not([name])")
    page.goto(f"{desk.url}/office")
    name = NAMES[45]
    with page.expect_navigation():
        page.click(f'tr[data-department="{name}"] td.name a')
    with page.expect_navigation():
        page.click("#remind-now")
    assert "提醒邮件已发送" in page.locator("#sent").inner_text()
    [mail] = server_mail.to(f"d{NAMES.index(name)}@example.edu.cn")
    assert mail.recipients == [f"d{NAMES.index(name)}@example.edu.cn"]
    links = re.findall(r"https?://\S+/d/[A-Za-z0-9_-]+", mail.body)
    assert links == [desk.links[name]]  # its own link, and no other department's
    assert not [other for other, link in desk.links.items() if other != name and desk.token(other) in mail.body]
    page.goto(links[0])
    assert page.locator("h1").inner_text().strip() == name
    page.goto(f"{desk.url}/office")
    assert "✉" in page.locator(f'tr[data-department="{name}"] td.mail').inner_text()


@pytest.fixture(scope="module")
def closing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Desk, Any]]:
    office = sample_office(deadline=dt.date.today() - dt.timedelta(days=1))
    with start_desk(tmp_path_factory.mktemp("closing"), office) as desk:
        yield desk, office


def test_a_closed_deadline_refuses_with_its_date_and_an_extension_lets_one_in(closing: tuple[Desk, Any], browser: Any,
                                                                              page: Any, tmp_path: Path) -> None:
    desk, office = closing
    login(page, desk, desk.password)
    page.click("text=设置")
    page.check("input[name=policy][value=close]")
    with page.expect_navigation():
        page.click("form#settings button[type=submit]:not([name])")
    deadline = office.info.deadline
    said = f"{deadline.year}年{deadline.month}月{deadline.day}日"

    department = browser.new_context(locale="zh-CN").new_page()
    department.goto(desk.links["教务处"])
    assert "收表已截止" in department.locator("#countdown").inner_text()
    form = tmp_path / "教务处.xlsx"
    form_of(desk, office, "教务处").save(form)
    department.locator("form#upload input[type=file]").set_input_files(str(form))
    with department.expect_navigation():
        department.click("#send")
    assert department.locator("h1").inner_text().strip() == "收表已截止" and said in department.inner_text("body")

    page.goto(f"{desk.url}/office")
    with page.expect_navigation():
        page.click('tr[data-department="财务处"] td.name a')
    page.fill("#extend input[name=until]", (dt.date.today() + dt.timedelta(days=2)).isoformat())
    with page.expect_navigation():
        page.click("#extend button[type=submit]")
    finance = browser.new_context(locale="zh-CN").new_page()
    finance.goto(desk.links["财务处"])
    assert "距报送截止还有 2 天" in finance.locator("#countdown").inner_text()
    form_of(desk, office, "财务处").save(tmp_path / "财务处.xlsx")
    upload(finance, tmp_path / "财务处.xlsx")
    assert finance.locator("#status").inner_text().strip() == "已通过"
    department.goto(desk.links["教务处"])  # the others are still closed
    assert "收表已截止" in department.locator("#countdown").inner_text()


def test_a_department_sees_what_its_numbers_become(closing: tuple[Desk, Any], browser: Any, page: Any,
                                                   tmp_path: Path, screenshots: list[Path]) -> None:
    desk, office = closing
    for i, name in enumerate(("党政办公室", "教务处", "招生就业处")):  # by hand; 财务处 uploaded above
        wb = form_of(desk, office, name, count=10 * (i + 1))
        set_nothing(wb, "依申请公开", "否")
        fill_department(wb, "依申请公开", [app()] if name == "教务处" else [])
        answer_empty_sheets(wb)
        write(wb, desk.year / f"{name}.xlsx")
    login(page, desk, desk.password)
    page.click("#to-reports")
    page.select_option("form#build select[name=format]", "三部分")
    page.click("form#build button[type=submit]")
    page.wait_for_selector("#built")
    assert "已生成" in page.locator("#built").inner_text(), page.locator("#built").inner_text()

    department = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900}).new_page()
    department.goto(desk.links["教务处"])
    share = department.locator("#share")
    assert share.locator("h2").inner_text() == "你的数字在报告中"
    lines = share.locator("#share-lines li").all_inner_texts()
    assert any("（本部门 20 条）" in line and "主动" in line for line in lines), lines
    assert "办结1件（本部门 1 件），其中予以公开1件（本部门 1 件）；" in lines  # one sentence, each figure marked
    share.scroll_into_view_if_needed()
    first = screenshots[0] / "department-share.png"
    share.screenshot(path=str(first))
    for folder in screenshots[1:]:
        (folder / "department-share.png").write_bytes(first.read_bytes())
