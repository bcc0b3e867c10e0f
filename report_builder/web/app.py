"""The desk's pages (docs/intake-desk.md): a department's page behind its token, the office's board behind
its password. Server-rendered HTML (Jinja2, autoescaped), no JavaScript needed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive

import report_builder as rb
from report_builder.web.desk import (
    CLEAN,
    FIX,
    LATE,
    NONE,
    WARNINGS,
    Desk,
    ReadOffice,
    Row,
    changes,
    checks_at_once,
    in_use,
    readable,
)
from report_builder.web.reminders import reminder, reminder_for_all
from report_builder.web.reports import Reports
from report_builder.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    LoginThrottle,
    RequestLog,
    csrf_token,
    csrf_valid,
    log_line,
    sign_session,
    valid_session,
)
from report_builder.web.store import PENDING, Department, Store, Submission

__all__ = ["MAX_UPLOAD", "create_app"]

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of one workbook
DISCARDED_AT_MOST = 200 * 1024 * 1024  # of a too-large upload read (and dropped) to answer with the 413 page
FORM_OVERHEAD = 64 * 1024  # bytes of the form around the workbook
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_pages = Environment(loader=PackageLoader("report_builder.web", "pages"), autoescape=select_autoescape(default=True))


def _local_time(stamp: str) -> str:
    """"2026-12-02T15:53:18+00:00" → "2026-12-02 23:53" in the server's time zone (the office's clock)."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


_pages.filters["local_time"] = _local_time
_pages.filters["status_word"] = lambda status: "正在检查" if status == PENDING else status


# The board's filters: a name → the statuses it shows ("需处理": those who get a reminder)
FILTERS = {"需处理": (NONE, LATE, FIX), NONE: (NONE,), LATE: (LATE,), FIX: (FIX,), WARNINGS: (WARNINGS,),
           CLEAN: (CLEAN,)}
BOARD_HEADER = ("部门", "状态", "上传次数", "最近上传", "错误", "提示", "链接", "提醒")


class TooLarge(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Board:
    """The board as shown: the rows of the filter (row, link, reminder), the count of each filter, all rows."""

    rows: list[tuple[Row, str, str]]
    counts: dict[str, int]
    total: int
    shown: str  # the filter's name, "" for all
    loaded: rb.OfficeResult
    remind_all: str


def _attachment(name: str) -> str:
    """A Content-Disposition naming a download in Chinese (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    return f"attachment; filename=\"board.xlsx\"; filename*=UTF-8''{quote(name)}"


def create_app(year_dir: Path, state: Path, *, max_upload: int = MAX_UPLOAD,
               out_dir: Path = Path("output"), public_url: str = "", read: ReadOffice | None = None) -> Starlette:
    """The desk of one year folder; `state` is its SQLite file (store.default_state), uploads beside it;
    reports built from the board go to `out_dir/<年度>/`, where `report-builder build` puts them.
    `public_url` is the address departments open (their links and reminders); "" = the one the office used.
    `read`: the office workbook as `desk.read_office` just gave it (else it is read here)."""
    store = Store(state)
    desk = Desk(Path(year_dir), store, office=read)
    reports = Reports(Path(year_dir), Path(out_dir))
    throttle = LoginThrottle()
    desk.office()  # read once at start: every listed department has its token before the first request
    checking = anyio.Semaphore(checks_at_once())

    def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        token, new = csrf_token(request)
        html = _pages.get_template(name).render(csrf=token, **values)
        response = HTMLResponse(html, status_code=status)
        if new:
            response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response

    def not_found(request: Request) -> HTMLResponse:
        return page(request, "message.html", 404, title="页面不存在", text="链接无效。请核对党政办公室发来的链接。")

    async def department_of(request: Request) -> Department | None:
        return await run_in_threadpool(store.department_by_token, request.path_params["token"])

    async def department_page(request: Request) -> Response:
        department = await department_of(request)
        if department is None:
            return not_found(request)
        history = await run_in_threadpool(store.submissions, department.id)
        loaded = await run_in_threadpool(desk.office)
        deadline = loaded.office.info.deadline if loaded.office else None
        return page(request, "department.html", department=department, history=history, deadline=deadline,
                    in_use=in_use(history))

    async def template(request: Request) -> Response:
        department = await department_of(request)
        if department is None:
            return not_found(request)
        path = await run_in_threadpool(desk.template, department)
        if path is None:
            return page(request, "message.html", 503, title="暂时无法下载", text="年度总表有问题，请联系党政办公室。")
        return FileResponse(path, media_type=XLSX, filename=f"{department.name}.xlsx")

    async def upload(request: Request) -> Response:
        department = await department_of(request)
        if department is None:
            return not_found(request)
        if not request.cookies.get(CSRF_COOKIE):
            return forbidden(request)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_upload + FORM_OVERHEAD:
            await _discard(request.receive, DISCARDED_AT_MOST)  # read, so the browser gets the page, not a reset
            return too_large(request, max_upload)
        limited = Request(request.scope, _limited(request.receive, max_upload + FORM_OVERHEAD))
        try:
            async with limited.form(max_files=1, max_fields=5) as form:
                if not csrf_valid(request, form.get("csrf")):
                    return forbidden(request)
                sent = form.get("file")
                data = await sent.read(max_upload + 1) if isinstance(sent, UploadFile) else None
        except TooLarge:
            await _discard(request.receive, DISCARDED_AT_MOST)
            return too_large(request, max_upload)
        if data is None or not data:
            return page(request, "message.html", 400, title="没有收到文件",
                        text="请选择填好的填报表（.xlsx）后再上传。", back=f"/d/{department.token}")
        if len(data) > max_upload:
            return too_large(request, max_upload)
        stored = await run_in_threadpool(desk.store_upload, department, data)
        async with checking:  # waiting here holds no thread: the pages of those already checked stay quick
            submission = await run_in_threadpool(desk.check, department, stored)
        return RedirectResponse(f"/d/{department.token}/s/{submission.n}", status_code=303)

    async def numbered(request: Request) -> tuple[Department, list[Submission], int] | None:
        """The department of the link, its submissions, and the n of the URL (None: no such submission)."""
        department = await department_of(request)
        if department is None:
            return None
        history = await run_in_threadpool(store.submissions, department.id)
        n = request.path_params["n"]
        return (department, history, n) if 1 <= n <= len(history) else None

    async def submission_page(request: Request) -> Response:
        found = await numbered(request)
        if found is None:
            return not_found(request)
        department, history, n = found
        current = history[n - 1]
        previous = history[n - 2] if n > 1 else None
        fixed, new = changes(previous, current)
        return page(request, "submission.html", department=department, history=history, submission=current,
                    fixed=fixed, new=new, previous=previous, readable=readable, in_use=in_use(history))

    async def feedback(request: Request) -> Response:
        found = await numbered(request)
        if found is None:
            return not_found(request)
        department, history, n = found
        path = await run_in_threadpool(desk.feedback, department, history[n - 1])
        if path is None:
            return not_found(request)
        return FileResponse(path, media_type=XLSX, filename=f"{department.name}_第{n}次_反馈.xlsx")

    def forbidden(request: Request) -> HTMLResponse:
        return page(request, "message.html", 403, title="请求被拒绝",
                    text="页面已过期或来自其他网站。请重新打开本部门的链接后再上传。")

    def too_large(request: Request, limit: int) -> HTMLResponse:
        return page(request, "message.html", 413, title="文件过大",
                    text=f"上传的文件超过 {limit // (1024 * 1024)} MB，未保存。部门填报表通常小于 5 MB，"
                         "请删除多余内容后另存为 .xlsx 再上传。")

    def logged_in(request: Request) -> bool:
        return valid_session(store.session_secret(), request.cookies.get(SESSION_COOKIE))

    async def board_view(request: Request) -> Board:
        """The board's rows (those of the chosen filter), their links and reminder texts."""
        rows = await run_in_threadpool(desk.board)
        loaded = await run_in_threadpool(desk.office)
        base = public_url.rstrip("/") or str(request.base_url).rstrip("/")
        deadline = loaded.office.info.deadline if loaded.office else None
        links = [f"{base}/d/{r.department.token}" for r in rows]
        reminders = [reminder(r, link, deadline) for r, link in zip(rows, links, strict=True)]
        shown = request.query_params.get("status", "")
        shown = shown if shown in FILTERS else ""
        counts = {name: sum(r.status in FILTERS[name] for r in rows) for name in FILTERS}
        chosen = [(r, link, text) for r, link, text in zip(rows, links, reminders, strict=True)
                  if not shown or r.status in FILTERS[shown]]
        return Board(chosen, counts, len(rows), shown, loaded, reminder_for_all(rows, links, deadline))

    async def office(request: Request) -> Response:
        if not await run_in_threadpool(logged_in, request):
            return page(request, "login.html", 401)
        board = await board_view(request)
        totals = await run_in_threadpool(reports.totals)
        return page(request, "board.html", board=board, office=board.loaded.office, findings=board.loaded.findings,
                    totals=totals, filters=FILTERS)

    async def board_workbook(request: Request) -> Response:
        if not await run_in_threadpool(logged_in, request):
            return page(request, "login.html", 401)
        board = await board_view(request)
        rows = [(r.department.name, r.status, r.uploads, _local_time(r.last) if r.last else "", r.errors,
                 r.warnings, link, text) for r, link, text in board.rows]
        data = await run_in_threadpool(rb.table_workbook, "收表情况", BOARD_HEADER, rows)
        year = board.loaded.office.info.year_label if board.loaded.office else ""
        name = f"收表情况_{year}_{dt.date.today():%Y%m%d}{'_' + board.shown if board.shown else ''}.xlsx"
        return Response(data, media_type=XLSX, headers={"Content-Disposition": _attachment(name)})

    async def login(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            sent, password = form.get("csrf"), form.get("password")
        if not csrf_valid(request, sent):
            return forbidden(request)
        client = request.client.host if request.client else ""
        wait = throttle.wait(client)
        if wait:
            return page(request, "login.html", 429, wait=-(-wait // 60))
        ok = isinstance(password, str) and await run_in_threadpool(store.check_office_password, password)
        if not ok:
            throttle.failed(client)
            return page(request, "login.html", 401, wrong=True)
        throttle.succeeded(client)
        response = RedirectResponse("/office", status_code=303)
        response.set_cookie(SESSION_COOKIE, sign_session(store.session_secret()), httponly=True, samesite="strict",
                            path="/office")
        return response

    async def logout(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            sent = form.get("csrf")
        if not csrf_valid(request, sent):
            return forbidden(request)
        response = RedirectResponse("/office", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/office")
        return response

    async def reports_page(request: Request) -> Response:
        if not await run_in_threadpool(logged_in, request):
            return page(request, "login.html", 401)
        listed = await run_in_threadpool(reports.versions)
        formats = await run_in_threadpool(rb.list_formats, reports.year_dir)
        totals = await run_in_threadpool(reports.totals)
        return page(request, "reports.html", versions=listed, last=reports.last, formats=formats.formats,
                    totals=totals)

    async def build(request: Request) -> Response:
        async with request.form(max_files=0, max_fields=5) as form:
            sent, chosen, pdf = form.get("csrf"), form.get("format"), form.get("pdf")
        if not csrf_valid(request, sent):
            return forbidden(request)
        if not await run_in_threadpool(logged_in, request):
            return page(request, "login.html", 401)
        await run_in_threadpool(reports.build, chosen if isinstance(chosen, str) else "", pdf == "1")
        return RedirectResponse("/office/reports", status_code=303)

    async def report_file(request: Request) -> Response:
        if not await run_in_threadpool(logged_in, request):
            return page(request, "login.html", 401)
        path = await run_in_threadpool(reports.file, request.path_params["name"])
        return not_found(request) if path is None else FileResponse(path, filename=path.name)

    async def home(request: Request) -> Response:
        return page(request, "message.html", title="信息公开年度报告 收表", text="请使用党政办公室发来的本部门链接。")

    async def other(request: Request, exc: Exception) -> Response:
        return not_found(request)

    async def malformed(request: Request, exc: Exception) -> Response:
        return page(request, "message.html", 400, title="无法读取上传的内容", text="请从页面上选择文件后重新上传。")

    async def method(request: Request, exc: Exception) -> Response:
        return page(request, "message.html", 405, title="不支持的请求", text="请从页面上的按钮操作。")

    routes = [
        Route("/", home),
        Route("/d/{token}", department_page),
        Route("/d/{token}/template", template),
        Route("/d/{token}/upload", upload, methods=["POST"]),
        Route("/d/{token}/s/{n:int}", submission_page),
        Route("/d/{token}/s/{n:int}/feedback.xlsx", feedback),
        Route("/office", office),
        Route("/office/board.xlsx", board_workbook),
        Route("/office/login", login, methods=["POST"]),
        Route("/office/logout", logout, methods=["POST"]),
        Route("/office/reports", reports_page),
        Route("/office/build", build, methods=["POST"]),
        Route("/office/files/{name}", report_file),
    ]
    async def crashed(request: Request, exc: Exception) -> Response:
        """An unexpected failure: a Chinese page (never a traceback); the developers' line goes to desk.log."""
        text = f"{type(exc).__name__}: {exc}".replace(request.path_params.get("token", "\0"), "…")
        log_line(store.folder / "desk.log", "ERROR", text)
        return page(request, "message.html", 500, title="这次操作没有完成",
                    text="服务器处理时出错，已记入日志。已完成的上传不会丢失。请稍后重试；仍不行请联系党政办公室。")

    app = Starlette(routes=routes,
                    exception_handlers={400: malformed, 404: other, 405: method, Exception: crashed})
    app.state.desk = desk
    app.add_middleware(RequestLog, path=store.folder / "desk.log")
    return app


async def _discard(receive: Receive, at_most: int) -> None:
    """Read the rest of a request body (up to `at_most` bytes) and drop it: a server that answers 413 before the
    body is in closes the connection, and the browser shows "connection reset" instead of the page."""
    seen = 0
    while seen <= at_most:
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            return
        seen += len(message.get("body", b""))


def _limited(receive: Receive, limit: int) -> Receive:
    """`receive` that raises TooLarge once the body passes `limit` bytes (checked while it streams in)."""
    seen = 0

    async def limited() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge
        return message

    return limited
