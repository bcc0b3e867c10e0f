"""The office's pages behind its password (docs/intake-desk.md): the board (as a page and as Excel), login and
logout, building the report and downloading its versions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

import report_builder as rb
from report_builder.web.desk import CLEAN, FIX, LATE, NONE, WARNINGS, Row
from report_builder.web.guard import CONTENT_SECURITY_POLICY
from report_builder.web.reminders import reminder, reminder_for_all
from report_builder.web.rendering import XLSX, attachment, context, forbidden, local_time, not_found, page, secure
from report_builder.web.reports import WEB_PAGE
from report_builder.web.review_pages import reviews_of
from report_builder.web.season_pages import base_url, board_extras, rows_now, season_of
from report_builder.web.security import LOGIN, OFFICE, SESSION_COOKIE, form_valid

__all__ = ["BOARD_HEADER", "FILTERS", "board_workbook", "build", "login", "logout", "office", "report_file",
           "reports_page"]

# The board's filters: a name → the statuses it shows ("需处理": those who get a reminder)
FILTERS = {"需处理": (NONE, LATE, FIX), NONE: (NONE,), LATE: (LATE,), FIX: (FIX,), WARNINGS: (WARNINGS,),
           CLEAN: (CLEAN,)}
BOARD_HEADER = ("部门", "状态", "上传次数", "最近上传", "错误", "提示", "链接", "提醒")


@dataclass(frozen=True, slots=True)
class Board:
    """The board as shown: the rows of the filter (row, link, reminder), the count of each filter, all rows."""

    rows: list[tuple[Row, str, str]]
    counts: dict[str, int]
    total: int
    shown: str  # the filter's name, "" for all
    loaded: rb.OfficeResult
    remind_all: str


async def session_of(request: Request) -> str:
    """The id of the office's live session this request carries ("" when it carries none)."""
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return await run_in_threadpool(context(request).office.session, cookie) if cookie else ""


def login_page(request: Request, status: int = 401, **values: object) -> Response:
    return page(request, "login.html", status, form=(LOGIN, ""), **values)


async def board_view(request: Request) -> Board:
    """The board's rows (those of the chosen filter), their links and reminder texts."""
    here = context(request)
    rows = await run_in_threadpool(rows_now, season_of(request), here.desk)  # the desk and the year folder
    loaded = await run_in_threadpool(here.desk.office)
    base = base_url(request)
    deadline = loaded.office.info.deadline if loaded.office else None
    links = [f"{base}/d/{r.department.token}" for r in rows]
    reminders = [reminder(r, link, r.deadline) for r, link in zip(rows, links, strict=True)]
    shown = request.query_params.get("status", "")
    shown = shown if shown in FILTERS else ""
    counts = {name: sum(r.status in FILTERS[name] for r in rows) for name in FILTERS}
    chosen = [(r, link, text) for r, link, text in zip(rows, links, reminders, strict=True)
              if not shown or r.status in FILTERS[shown]]
    return Board(chosen, counts, len(rows), shown, loaded, reminder_for_all(rows, deadline))


async def office(request: Request) -> Response:
    session = await session_of(request)
    if not session:
        return login_page(request)
    board = await board_view(request)
    totals = await run_in_threadpool(context(request).reports.totals)
    return page(request, "board.html", form=(OFFICE, session), board=board, office=board.loaded.office,
                findings=board.loaded.findings, totals=totals, filters=FILTERS, local_hint=context(request).local_hint,
                **await board_extras(request, board.rows))


async def board_workbook(request: Request) -> Response:
    if not await session_of(request):
        return login_page(request)
    board = await board_view(request)
    rows = [(r.department.name, r.status, r.uploads, local_time(r.last) if r.last else "", r.errors,
             r.warnings, link, text) for r, link, text in board.rows]
    data = await run_in_threadpool(rb.table_workbook, "收表情况", BOARD_HEADER, rows)
    year = board.loaded.office.info.year_label if board.loaded.office else ""
    name = f"收表情况_{year}_{dt.date.today():%Y%m%d}{'_' + board.shown if board.shown else ''}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": attachment(name)})


async def login(request: Request) -> Response:
    """The password checked one at a time, each attempt counted before it is checked (security.LoginThrottle);
    a new session at every login (the one the browser had ends)."""
    here = context(request)
    async with request.form(max_files=0, max_fields=5) as form:
        sent, password = form.get("csrf"), form.get("password")
    if not form_valid(request, here.form_key, sent, LOGIN):
        return forbidden(request)
    wait = here.throttle.begin(request.client.host if request.client else "")
    if wait:
        return login_page(request, 429, wait=-(-wait // 60))
    async with here.login_lock:
        ok = isinstance(password, str) and await run_in_threadpool(here.office.check_password, password)
    if not ok:
        return login_page(request, 401, wrong=True)
    here.throttle.succeeded(request.client.host if request.client else "")
    cookie = await run_in_threadpool(here.office.start_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/office", status_code=303)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="strict", path="/office",
                        secure=secure(request))
    return response


async def logout(request: Request) -> Response:
    here = context(request)
    session = await session_of(request)
    async with request.form(max_files=0, max_fields=5) as form:
        sent = form.get("csrf")
    if session and not form_valid(request, here.form_key, sent, OFFICE, session):
        return forbidden(request)
    if session:
        await run_in_threadpool(here.office.end_session, request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/office", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/office", secure=secure(request), httponly=True, samesite="strict")
    return response


async def reports_page(request: Request) -> Response:
    session = await session_of(request)
    if not session:
        return login_page(request)
    reports = context(request).reports
    listed = await run_in_threadpool(reports.versions)
    formats = await run_in_threadpool(rb.list_formats, reports.year_dir)
    totals = await run_in_threadpool(reports.totals)
    standing = await run_in_threadpool(reviews_of(request).standing, reports)  # the review (review_office.py)
    show = request.query_params.get("show", "")
    web = next((v for v in listed if WEB_PAGE in v.files and show in ("", v.version.path.name)), None)
    response = page(request, "reports.html", form=(OFFICE, session), versions=listed, last=reports.last,
                    formats=formats.formats, totals=totals, standing=standing, web=web, web_page=WEB_PAGE)
    response.headers["content-security-policy"] = CONTENT_SECURITY_POLICY + "; frame-src 'self'"  # the web page
    return response


async def build(request: Request) -> Response:
    here = context(request)
    session = await session_of(request)
    if not session:
        return login_page(request)
    async with request.form(max_files=0, max_fields=5) as form:
        sent, chosen, pdf = form.get("csrf"), form.get("format"), form.get("pdf")
    if not form_valid(request, here.form_key, sent, OFFICE, session):
        return forbidden(request)
    built = await run_in_threadpool(here.reports.build, chosen if isinstance(chosen, str) else "", pdf == "1")
    await run_in_threadpool(reviews_of(request).follow, here.reports, built.report)  # rebuilt: sent for review
    return RedirectResponse("/office/reports", status_code=303)


async def report_file(request: Request) -> Response:
    if not await session_of(request):
        return login_page(request)
    path = await run_in_threadpool(context(request).reports.file, request.path_params["name"])
    return not_found(request) if path is None else FileResponse(path, filename=path.name)
