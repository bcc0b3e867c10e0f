"""The desk's app (docs/intake-desk.md): a department's pages behind its token (department_pages.py), the
office's board behind its password (office_pages.py). Server-rendered HTML (Jinja2, autoescaped), its script
and style as files under /static (the Content-Security-Policy allows no inline script); the routes are plain
functions that find the desk's state on `request.app.state` (rendering.Context).
"""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from report_builder.web import department_pages as department
from report_builder.web import office_pages as office
from report_builder.web import review_office, review_pages
from report_builder.web import season_pages as season
from report_builder.web.credential import Office
from report_builder.web.desk import Desk, ReadOffice, checks_at_once
from report_builder.web.guard import IDLE_SECONDS, Guard, SlowClient
from report_builder.web.limits import Checking, Limits
from report_builder.web.log import log_line
from report_builder.web.rendering import Context, context, message_page, not_found
from report_builder.web.reports import Reports
from report_builder.web.reviews import Reviews
from report_builder.web.security import LoginThrottle
from report_builder.web.store import Store

__all__ = ["MAX_UPLOAD", "ROUTES", "create_app"]

MAX_UPLOAD = Limits().max_upload  # bytes of one workbook

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
    Route("/office/web/{name}", review_office.web_page),
    Route("/office/publish", review_office.publish, methods=["POST"]),
    Route("/office/reviews", review_office.reviews_page),
    Route("/office/reviews/add", review_office.add_reviewer, methods=["POST"]),
    Route("/office/reviews/roles", review_office.set_roles, methods=["POST"]),
    Route("/office/reviews/send", review_office.send_version, methods=["POST"]),
    Route("/office/reviews/{id:int}/remove", review_office.remove_reviewer, methods=["POST"]),
    Route("/r/{token}", review_pages.reviewer_page),
    Route("/r/{token}/comment", review_pages.comment, methods=["POST"]),
    Route("/r/{token}/comment/{id:int}/delete", review_pages.delete_comment, methods=["POST"]),
    Route("/r/{token}/decide", review_pages.decide, methods=["POST"]),
    *season.ROUTES,
    Mount("/static", StaticFiles(packages=[("report_builder.web", "static")]), name="static"),
]


def create_app(year_dir: Path, state: Path, *, max_upload: int = MAX_UPLOAD, out_dir: Path = Path("output"),
               public_url: str = "", read: ReadOffice | None = None, limits: Limits | None = None,
               secure: bool = False, trusted_proxies: Sequence[str] = (), local_hint: str = "",
               idle_seconds: float = IDLE_SECONDS, background: bool = True) -> Starlette:
    """The desk of one year folder; `state` is its SQLite file (store.default_state), uploads beside it;
    reports built from the board go to `out_dir/<年度>/`, where `report-builder build` puts them.
    `public_url` is the address departments open (their links and reminders); "" = the one the office used.
    `read`: the office workbook as `desk.read_office` just gave it (else it is read here). `limits`: what one
    department may take (limits.Limits; `max_upload` replaces its bytes of one workbook). Cookies are sent
    over HTTPS only when `secure`, `public_url` is https, or a request came by HTTPS. `trusted_proxies`: the
    addresses (or networks) whose X-Forwarded-For and X-Forwarded-Proto are believed; nobody else's are.
    `local_hint`: what the board says when its links open only on this computer. `idle_seconds`: how long a
    request's body may stop arriving (guard.Guard). `background`: the blank workbooks and the folder's check made
    at start, and the mail schedule (season_pages.lifespan), run while the app runs."""
    limits = limits or Limits(max_upload=max_upload)
    store = Store(state)
    desk = Desk(Path(year_dir), store, office=read, limits=limits)
    desk.office()  # read once at start: every listed department has its token before the first request
    app = Starlette(routes=ROUTES, exception_handlers={400: _malformed, 404: _other, 405: _method,
                                                       SlowClient: _slow, Exception: _crashed},
                    lifespan=season.lifespan)
    app.state.context = Context(desk, store, Office(store), Reports(Path(year_dir), Path(out_dir)),
                                LoginThrottle(), anyio.Lock(), Checking(checks_at_once()), limits, public_url,
                                secure or public_url.startswith("https://"), store.form_key(), local_hint)
    app.state.reviews = Reviews(store)  # reviewers, their links and comments (web/reviews.py)
    app.state.context.reports.status = season.setup(app, desk, store, public_url, background).folder.status
    app.add_middleware(Guard, log=store.folder / "desk.log", idle=idle_seconds)
    if trusted_proxies:  # outermost: the log and the throttle see the client the proxy names
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(trusted_proxies))
    return app


async def _other(request: Request, exc: Exception) -> Response:
    return not_found(request)


async def _malformed(request: Request, exc: Exception) -> Response:
    return message_page(400, "无法读取上传的内容", "请从页面上选择文件后重新上传。")


async def _method(request: Request, exc: Exception) -> Response:
    return message_page(405, "不支持的请求", "请从页面上的按钮操作。")


async def _slow(request: Request, exc: Exception) -> Response:
    return message_page(408, "上传中断", "文件传送太慢或中断了，本次未保存。请检查网络后重新上传。")


async def _crashed(request: Request, exc: Exception) -> Response:
    """An unexpected failure: a Chinese page (never a traceback); the developers' line goes to desk.log.
    A full disk is said as such."""
    text = f"{type(exc).__name__}: {exc}".replace(request.path_params.get("token", "\0"), "…")
    log_line(context(request).store.folder / "desk.log", "ERROR", text)
    if _disk_full(exc):
        return department.no_space()
    return message_page(500, "这次操作没有完成",
                        "服务器处理时出错，已记入日志。已完成的上传不会丢失。请稍后重试；仍不行请联系党政办公室。")


def _disk_full(exc: BaseException) -> bool:
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return isinstance(exc, sqlite3.OperationalError) and "disk is full" in str(exc)
