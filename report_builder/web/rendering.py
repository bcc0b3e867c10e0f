"""What every route of the desk shares: the app's state (`Context`, on `request.app.state`) and the pages
(Jinja2 in `pages/`, autoescaped) with the answers several routes give (404, 403, 413)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from report_builder.web.desk import Desk
from report_builder.web.reports import Reports
from report_builder.web.security import CSRF_COOKIE, LoginThrottle, csrf_token
from report_builder.web.store import PENDING, Store

__all__ = ["XLSX", "Context", "attachment", "context", "forbidden", "local_time", "not_found", "page", "too_large"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Context:
    """One desk's state, made once by `create_app` and kept on `app.state.context`."""

    desk: Desk
    store: Store
    reports: Reports
    throttle: LoginThrottle
    checking: anyio.Semaphore  # checks at once (desk.checks_at_once)
    max_upload: int  # bytes of one workbook
    public_url: str  # the address departments open; "" = the one the office used


def context(request: Request) -> Context:
    """The desk's state of the app serving `request`."""
    found = request.app.state.context
    assert isinstance(found, Context)
    return found


def local_time(stamp: str) -> str:
    """"2026-12-02T15:53:18+00:00" → "2026-12-02 23:53" in the server's time zone (the office's clock)."""
    try:
        return dt.datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


_pages = Environment(loader=PackageLoader("report_builder.web", "pages"), autoescape=select_autoescape(default=True))
_pages.filters["local_time"] = local_time
_pages.filters["status_word"] = lambda status: "正在检查" if status == PENDING else status


def page(request: Request, name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """The page `name` rendered with `values` and this browser's form token (set as a cookie when new)."""
    token, new = csrf_token(request)
    html = _pages.get_template(name).render(csrf=token, **values)
    response = HTMLResponse(html, status_code=status)
    if new:
        response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


def not_found(request: Request) -> HTMLResponse:
    return page(request, "message.html", 404, title="页面不存在", text="链接无效。请核对党政办公室发来的链接。")


def forbidden(request: Request) -> HTMLResponse:
    return page(request, "message.html", 403, title="请求被拒绝",
                text="页面已过期或来自其他网站。请重新打开本部门的链接后再上传。")


def too_large(request: Request, limit: int) -> HTMLResponse:
    return page(request, "message.html", 413, title="文件过大",
                text=f"上传的文件超过 {limit // (1024 * 1024)} MB，未保存。部门填报表通常小于 5 MB，"
                     "请删除多余内容后另存为 .xlsx 再上传。")


def attachment(name: str) -> str:
    """A Content-Disposition naming a download in Chinese (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    return f"attachment; filename=\"board.xlsx\"; filename*=UTF-8''{quote(name)}"
