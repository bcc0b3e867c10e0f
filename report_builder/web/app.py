"""The desk's app (docs/intake-desk.md): a department's pages behind its token (department_pages.py), the
office's board behind its password (office_pages.py). Server-rendered HTML (Jinja2, autoescaped); the routes
are plain functions that find the desk's state on `request.app.state` (rendering.Context).
"""

from __future__ import annotations

from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from report_builder.web import department_pages as department
from report_builder.web import office_pages as office
from report_builder.web.desk import Desk, ReadOffice, checks_at_once
from report_builder.web.rendering import Context, context, not_found, page
from report_builder.web.reports import Reports
from report_builder.web.security import LoginThrottle, RequestLog, log_line
from report_builder.web.store import Store

__all__ = ["MAX_UPLOAD", "ROUTES", "create_app"]

MAX_UPLOAD = 20 * 1024 * 1024  # bytes of one workbook

ROUTES = [
    Route("/", department.home),
    Route("/d/{token}", department.department_page),
    Route("/d/{token}/template", department.template),
    Route("/d/{token}/upload", department.upload, methods=["POST"]),
    Route("/d/{token}/s/{n:int}", department.submission_page),
    Route("/d/{token}/s/{n:int}/feedback.xlsx", department.feedback),
    Route("/office", office.office),
    Route("/office/board.xlsx", office.board_workbook),
    Route("/office/login", office.login, methods=["POST"]),
    Route("/office/logout", office.logout, methods=["POST"]),
    Route("/office/reports", office.reports_page),
    Route("/office/build", office.build, methods=["POST"]),
    Route("/office/files/{name}", office.report_file),
]


def create_app(year_dir: Path, state: Path, *, max_upload: int = MAX_UPLOAD,
               out_dir: Path = Path("output"), public_url: str = "", read: ReadOffice | None = None) -> Starlette:
    """The desk of one year folder; `state` is its SQLite file (store.default_state), uploads beside it;
    reports built from the board go to `out_dir/<年度>/`, where `report-builder build` puts them.
    `public_url` is the address departments open (their links and reminders); "" = the one the office used.
    `read`: the office workbook as `desk.read_office` just gave it (else it is read here)."""
    store = Store(state)
    desk = Desk(Path(year_dir), store, office=read)
    desk.office()  # read once at start: every listed department has its token before the first request
    app = Starlette(routes=ROUTES,
                    exception_handlers={400: _malformed, 404: _other, 405: _method, Exception: _crashed})
    app.state.context = Context(desk, store, Reports(Path(year_dir), Path(out_dir)), LoginThrottle(),
                                anyio.Semaphore(checks_at_once()), max_upload, public_url)
    app.add_middleware(RequestLog, path=store.folder / "desk.log")
    return app


async def _other(request: Request, exc: Exception) -> Response:
    return not_found(request)


async def _malformed(request: Request, exc: Exception) -> Response:
    return page(request, "message.html", 400, title="无法读取上传的内容", text="请从页面上选择文件后重新上传。")


async def _method(request: Request, exc: Exception) -> Response:
    return page(request, "message.html", 405, title="不支持的请求", text="请从页面上的按钮操作。")


async def _crashed(request: Request, exc: Exception) -> Response:
    """An unexpected failure: a Chinese page (never a traceback); the developers' line goes to desk.log."""
    text = f"{type(exc).__name__}: {exc}".replace(request.path_params.get("token", "\0"), "…")
    log_line(context(request).store.folder / "desk.log", "ERROR", text)
    return page(request, "message.html", 500, title="这次操作没有完成",
                text="服务器处理时出错，已记入日志。已完成的上传不会丢失。请稍后重试；仍不行请联系党政办公室。")
