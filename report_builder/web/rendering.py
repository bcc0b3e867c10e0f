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

from report_builder.web.credential import Office
from report_builder.web.desk import Desk
from report_builder.web.limits import Checking, Limits
from report_builder.web.reports import Reports
from report_builder.web.security import CSRF_COOKIE, LoginThrottle, browser, form_token
from report_builder.web.store import PENDING, Store

__all__ = ["XLSX", "Context", "attachment", "context", "forbidden", "local_time", "message_page", "not_found", "page",
           "secure", "too_large"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class Context:
    """One desk's state, made once by `create_app` and kept on `app.state.context`."""

    desk: Desk
    store: Store
    office: Office  # the office's password and sessions
    reports: Reports
    throttle: LoginThrottle
    login_lock: anyio.Lock  # one password checked at a time (scrypt: 16 MB and ~50 ms each)
    checking: Checking  # checks at once, in all and per department
    limits: Limits
    public_url: str  # the address departments open; "" = the one the office used
    secure: bool  # cookies only over HTTPS (served with a certificate, or --url https://…)
    form_key: bytes  # security.form_token's key (the state file's)
    local_hint: str  # said on the board when departments cannot open its links (served on 127.0.0.1 only)


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
_pages.filters["short_time"] = lambda shown: shown[5:] if len(shown) == 16 else shown  # "12-02 23:53"
_pages.filters["short_day"] = lambda shown: shown[5:10] if len(shown) == 16 else shown  # "12-02"
_pages.filters["file_time"] = lambda seconds: dt.datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M")


def page(request: Request, name: str, status: int = 200, *, form: tuple[str, str] | None = None,
         **values: Any) -> HTMLResponse:
    """The page `name` rendered with `values`; with `form` (what for, bound to what: security.form_token), the
    token its form carries as `csrf` (this browser's cookie set when new)."""
    token, new = "", False
    if form is not None:
        value, new = browser(request)
        token = form_token(context(request).form_key, value, *form)
    response = HTMLResponse(_pages.get_template(name).render(csrf=token, **values), status_code=status)
    if new:
        response.set_cookie(CSRF_COOKIE, browser(request)[0], httponly=True, samesite="strict",
                            secure=secure(request))
    return response


def message_page(status: int, title: str, text: str, back: str = "") -> HTMLResponse:
    """A page saying one thing (no form)."""
    html = _pages.get_template("message.html").render(title=title, text=text, back=back)
    return HTMLResponse(html, status_code=status)


def secure(request: Request) -> bool:
    """Whether cookies set in answer to `request` are sent back over HTTPS only."""
    return context(request).secure or request.url.scheme == "https"


def not_found(request: Request) -> HTMLResponse:
    return message_page(404, "页面不存在", "链接无效。请核对党政办公室发来的链接。")


def forbidden(request: Request) -> HTMLResponse:
    return message_page(403, "请求被拒绝",
                        "页面已过期或来自其他网站。请重新打开本部门的链接（或办公室的页面）后再操作。")


def too_large(request: Request, limit: int) -> HTMLResponse:
    return message_page(413, "文件过大", f"上传的文件超过 {limit // (1024 * 1024)} MB，未保存。"
                        "部门填报表通常小于 5 MB，请删除多余内容后另存为 .xlsx 再上传。")


def attachment(name: str) -> str:
    """A Content-Disposition naming a download in Chinese (RFC 6266: an ASCII fallback and the UTF-8 name)."""
    return f"attachment; filename=\"board.xlsx\"; filename*=UTF-8''{quote(name)}"
