"""A year's desk app behind Starlette's TestClient (for tests/web/test_desk.py and test_board.py): a year
folder holding only the office workbook of tests/years.py, the office's password set, the departments' tokens."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import anyio
import openpyxl
from factory import SampleOffice
from starlette.testclient import TestClient
from years import OFFICE

from report_builder.outputs.excel import save_workbook
from report_builder.outputs.filling import answer_empty_sheets, fill_department, set_form_value, type_zeros
from report_builder.schema import OFFICE_FILE
from report_builder.web import Store, create_app, default_state
from report_builder.web.credential import Office

PASSWORD = "办公室的测试密码"
T = TypeVar("T")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def run_apart(function: Callable[[], Awaitable[T]]) -> T:
    """`anyio.run(function)` in a thread of its own: the browser tests' Playwright keeps an event loop running
    in the main thread, where anyio.run would refuse to start."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(anyio.run, function).result()


def form_token(html: str) -> str:
    """The token of the page's form (each form's own: a department's upload, the login, the office's)."""
    found = CSRF.search(html)
    assert found is not None, html
    return found.group(1)


def log_in(client: TestClient, password: str = PASSWORD) -> Any:
    """The office's login as a browser does it: the login page, then its form."""
    return client.post("/office/login", data={"csrf": form_token(client.get("/office").text), "password": password})


class Desk:
    """A year folder without department files, its desk app, and the departments' tokens."""

    def __init__(self, year: Path, client: TestClient) -> None:
        self.year = year
        self.client = client
        self.state = default_state(year)
        self.tokens = {d.name: d.token for d in Store(self.state).departments()}
        self.ids = {d.name: d.id for d in Store(self.state).departments()}

    @property
    def app(self) -> Any:
        return self.client.app

    def open(self, name: str) -> str:
        page = self.client.get(f"/d/{self.tokens[name]}")
        assert page.status_code == 200, page.text
        return page.text

    def upload(self, name: str, data: bytes, **kwargs: Any) -> Any:
        form = {"csrf": form_token(self.open(name)), **kwargs.pop("form", {})}
        return self.client.post(f"/d/{self.tokens[name]}/upload", data=form,
                                files={"file": ("随便什么名字/../../x.xlsx", data)}, **kwargs)


@contextmanager
def client_desk(root: Path, today: dt.date | None = None, public_url: str = "", base_url: str = "http://testserver",
                office: SampleOffice = OFFICE, **options: Any) -> Iterator[Desk]:
    """A year folder under `root` without department files, its desk app (as of `today`; `options` as
    create_app takes them) and a client (of `base_url`: https:// as a browser behind a TLS proxy)."""
    year = root / "2017-2018"
    year.mkdir()
    (year / OFFICE_FILE).write_bytes(save_workbook(office.office_template()))
    application = create_app(year, default_state(year), public_url=public_url,
                             **{"max_upload": 2 * 1024 * 1024, "background": False, **options})
    application.state.context.desk.today = today
    Office(Store(default_state(year))).set_password(PASSWORD)
    with TestClient(application, follow_redirects=True, base_url=base_url) as client:
        client.get("/office")  # the office workbook is read, the departments get their tokens
        yield Desk(year, client)


def office_form(client: TestClient, path: str = "/office") -> str:
    """The token of the office's forms, from one of its pages (logged in)."""
    return form_token(client.get(path).text)


def filled(template: bytes, *applications: dict[str, object]) -> bytes:
    """The downloaded blank workbook of 教务处 filled as the department would: liaison, 清单, requests."""
    wb = openpyxl.load_workbook(io.BytesIO(template))
    set_form_value(wb, "基本信息", "liaison", "张老师")
    mine = [item for item in OFFICE.checklist if item.department == "教务处"]
    fill_department(wb, "清单事项", [{"status": "已公开"}] * len(mine))
    if applications:
        fill_department(wb, "依申请公开", applications)
    type_zeros(wb)  # 0 in each count, 本部门本年度无此项 on the sheets it has nothing for
    answer_empty_sheets(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
