"""The season's pages (docs/season.md): a department's row on the board (its link, reminder, extension,
history, mails), the settings (deadline policy, SMTP, schedule, notices), the mail log, reminders sent now,
and `/office/live`, the state's version the board polls. Its state is `app.state.season` (`SeasonState`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import report_builder as rb
from report_builder.results import DraftShare, FolderFile, ShareLine
from report_builder.web.desk import Desk, Row, in_use
from report_builder.web.mail import MANUAL, NOTIFY, SECURITY, MailLog, MailSettings, deliver, message, without_password
from report_builder.web.postman import Postman, Sent
from report_builder.web.reminders import reminder
from report_builder.web.rendering import context, forbidden, message_page, not_found, page
from report_builder.web.season import FOLDER, POLICIES, FolderView, Season, board_rows, days_left, late, listing
from report_builder.web.security import OFFICE, SESSION_COOKIE, form_valid
from report_builder.web.store import Department, Store, Submission

__all__ = ["ROUTES", "SeasonState", "base_url", "board_extras", "department_extras", "lifespan", "rows_now",
           "season_of", "setup", "upload_closed"]


@dataclass
class SeasonState:
    """The season's part of the desk: choices, the folder's view, the mail log and the postman."""

    season: Season
    folder: FolderView
    mails: MailLog
    postman: Postman
    background: bool  # the schedule and the warm-up run (serve); tests may leave them off
    base: list[str] = field(default_factory=lambda: [""])  # the address departments open, when not given
    desk: Desk | None = None

    @property
    def today(self) -> dt.date:
        """The board's day (Desk.today when a test sets it)."""
        return (self.desk.today if self.desk else None) or dt.date.today()


def setup(app: Starlette, desk: Desk, store: Store, public_url: str, background: bool) -> SeasonState:
    """The season's state on `app.state.season`."""
    season = Season(store)
    folder = FolderView(desk.year_dir, desk.office)
    mails = MailLog(store)
    holder = [public_url.rstrip("/")]

    def rows() -> list[Row]:
        return rows_now(app.state.season, desk, wait=True)

    postman = Postman(store, mails, rows, desk.office, lambda: holder[0])
    state = SeasonState(season, folder, mails, postman, background, holder, desk)
    app.state.season = state
    return state


def season_of(request: Request) -> SeasonState:
    found = request.app.state.season
    assert isinstance(found, SeasonState)
    return found


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """While the app runs: the blank workbooks made at start, a few at a time; the year folder checked again when
    it changed (every REFRESH seconds); the mail schedule. The first two wait while uploads are being checked
    (they would take the same cores, and the GIL, from them)."""
    state: SeasonState = app.state.season
    if not state.background:
        yield
        return
    here = app.state.context
    state.mails.recover()

    async def idle() -> None:
        while here.checking.slots.value < here.checking.at_once:
            await anyio.sleep(IDLE_POLL)

    async def warm() -> None:
        await idle()
        while await anyio.to_thread.run_sync(here.desk.prepare_templates, WARM_BATCH):
            await anyio.sleep(IDLE_POLL)
            await idle()

    async def refresh() -> None:
        while True:
            await idle()
            await anyio.to_thread.run_sync(state.folder.refresh)
            await anyio.sleep(REFRESH)

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(warm)
        tasks.start_soon(refresh)
        tasks.start_soon(state.postman.run)
        yield
        tasks.cancel_scope.cancel()


WARM_BATCH, IDLE_POLL, REFRESH = 5, 0.5, 30.0  # blank workbooks made at once; seconds


def rows_now(state: SeasonState, desk: Desk, wait: bool = True) -> list[Row]:
    """The board's rows now: the desk's uploads and the year folder together (season.board_rows)."""
    loaded = desk.office()
    deadline = loaded.office.info.deadline if loaded.office else None
    return board_rows(desk.departments(), desk.store.submissions, state.season, state.folder.status(wait),
                      deadline, state.today)


def base_url(request: Request) -> str:
    """The address departments open: `--url`/the served address, else the one the office uses (remembered for
    the schedule, which has no request)."""
    state = season_of(request)
    here = context(request).public_url.rstrip("/") or str(request.base_url).rstrip("/")
    if not context(request).public_url:
        state.base[0] = here
    return here


async def office_session(request: Request) -> str:
    cookie = request.cookies.get(SESSION_COOKIE, "")
    return await run_in_threadpool(context(request).office.session, cookie) if cookie else ""


# ---- the office's pages --------------------------------------------------------------------------------------

async def live(request: Request) -> Response:
    """The state's version: uploads, the year folder, the office workbook, mails, settings (the board polls it
    and reloads its counts and table when it changes)."""
    if not await office_session(request):
        return JSONResponse({"login": True}, status_code=401)
    state = season_of(request)
    version = await run_in_threadpool(_version, state, context(request).store)
    return JSONResponse({"version": version})


def _version(state: SeasonState, store: Store) -> str:
    with store.connect() as db:
        uploads = db.execute("SELECT COALESCE(MAX(id), 0), COUNT(*), COALESCE(SUM(status = 'pending'), 0) "
                             "FROM submissions").fetchone()
        season = db.execute("SELECT COUNT(*), COALESCE(GROUP_CONCAT(until), '') FROM extensions").fetchone()
    return ".".join(map(str, (*uploads, *season, hash(listing(state.folder.year_dir)), state.season.policy(),
                              state.mails.version())))


async def department_row(request: Request) -> Response:
    """One department as the office sees it: its link and reminder, sending it, its extension, its uploads
    (late ones marked), the file the year folder holds, the mails sent to it."""
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    here, state = context(request), season_of(request)
    rows = await run_in_threadpool(rows_now, state, here.desk)
    row = next((r for r in rows if r.department.id == request.path_params["id"]), None)
    if row is None:
        return not_found(request)
    link = f"{base_url(request)}/d/{row.department.token}"
    history = await run_in_threadpool(here.store.submissions, row.department.id)
    status = state.folder.status(wait=False)
    folder = status.files.get(row.department.name) if status else None
    mails = await run_in_threadpool(state.mails.mails, row.department.id)
    address = (await run_in_threadpool(state.postman.addresses)).get(row.department.name, "")
    return page(request, "office_department.html", form=(OFFICE, session), row=row, link=link,
                text=reminder(row, link, row.deadline), history=history, in_use=in_use(history), folder=folder,
                mails=mails, address=address, late=late, extended=row.department.id in state.season.extensions(),
                ready=state.mails.settings().ready, sent=_sent(request), FOLDER=FOLDER)


async def remind(request: Request) -> Response:
    """Reminders sent now: to one department, or to every one that must act ("all")."""
    here, state = context(request), season_of(request)
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    async with request.form(max_files=0, max_fields=5) as form:
        sent, whom = form.get("csrf"), form.get("department")
    if not form_valid(request, here.form_key, sent, OFFICE, session):
        return forbidden(request)
    base_url(request)
    rows = await run_in_threadpool(rows_now, state, here.desk)
    chosen = [r for r in rows if whom == "all" or str(r.department.id) == whom]
    done: Sent = await run_in_threadpool(state.postman.remind, chosen, dt.datetime.now().astimezone())
    back = f"/office/d/{whom}" if whom != "all" and chosen else "/office"
    return RedirectResponse(f"{back}?sent={done.sent}&failed={done.failed}&skipped={done.skipped}", status_code=303)


async def extend(request: Request) -> Response:
    """A department's own deadline (an empty date: the office workbook's again)."""
    here, state = context(request), season_of(request)
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    async with request.form(max_files=0, max_fields=5) as form:
        sent, whom, until = form.get("csrf"), form.get("department"), form.get("until")
    if not form_valid(request, here.form_key, sent, OFFICE, session):
        return forbidden(request)
    department = next((d for d in here.desk.departments() if str(d.id) == whom), None)
    if department is None:
        return not_found(request)
    try:
        day = dt.date.fromisoformat(until) if isinstance(until, str) and until.strip() else None
    except ValueError:
        return message_page(400, "日期无法识别", "请按 2018-09-30 的格式填写延期后的截止日期。",
                            back=f"/office/d/{department.id}")
    await run_in_threadpool(state.season.extend, department.id, day)
    return RedirectResponse(f"/office/d/{department.id}", status_code=303)


async def settings_page(request: Request) -> Response:
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    state = season_of(request)
    loaded = await run_in_threadpool(context(request).desk.office)
    return page(request, "settings.html", form=(OFFICE, session), policy=state.season.policy(), policies=POLICIES,
                mail=without_password(state.mails.settings()), has_password=bool(state.mails.settings().password),
                security=SECURITY, notify=NOTIFY, office=loaded.office, sent=_sent(request),
                addresses=len(await run_in_threadpool(state.postman.addresses)))


async def save_settings(request: Request) -> Response:
    here, state = context(request), season_of(request)
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    async with request.form(max_files=0, max_fields=20) as form:
        values = {k: v for k, v in form.items() if isinstance(v, str)}
    if not form_valid(request, here.form_key, values.get("csrf"), OFFICE, session):
        return forbidden(request)
    state.season.set_policy(values.get("policy", ""))
    port = values.get("port", "").strip()
    settings = MailSettings(
        host=values.get("host", "").strip(), port=int(port) if port.isdigit() and 0 < int(port) < 65536 else 587,
        security=values.get("security", "") if values.get("security") in SECURITY else "starttls",
        username=values.get("username", "").strip(), password=values.get("password", ""),
        sender=values.get("sender", "").strip(), schedule=values.get("schedule") == "1",
        notify_to=values.get("notify_to", "").strip(),
        notify=values.get("notify", "") if values.get("notify") in NOTIFY else "off")
    await run_in_threadpool(state.mails.save, settings)
    if values.get("test") == "1":
        error = await run_in_threadpool(_test_mail, state.mails)
        return RedirectResponse(f"/office/settings?sent={int(not error)}&failed={int(bool(error))}", status_code=303)
    return RedirectResponse("/office/settings?saved=1", status_code=303)


def _test_mail(mails: MailLog) -> str:
    settings = mails.settings()
    to = settings.notify_to or settings.sender
    now = dt.datetime.now().astimezone()
    claimed = mails.claim(MANUAL, 0, f"{now.isoformat()} 测试", to, "【测试】网页收表的邮件设置", now)
    if claimed is None or not settings.ready:
        return "未设置邮件服务器或发件地址"
    error = deliver(settings, message(settings, to, "【测试】网页收表的邮件设置",
                                      "这是一封测试邮件：网页收表可以通过这个邮件服务器发信。", "党政办公室"))
    mails.finish(claimed, error, dt.datetime.now().astimezone())
    return error


async def mails_page(request: Request) -> Response:
    session = await office_session(request)
    if not session:
        return RedirectResponse("/office", status_code=303)
    state = season_of(request)
    names = {d.id: d.name for d in context(request).desk.departments()}
    return page(request, "mails.html", form=(OFFICE, session), mails=await run_in_threadpool(state.mails.mails),
                names=names)


async def board_extras(request: Request, rows: list[tuple[Row, str, str]]) -> dict[str, Any]:
    """What the board shows of the season: each department's last reminder, failed mails, the deadline's days,
    the policy, whether the schedule is on, the state's version (for /office/live), a round just sent."""
    state = season_of(request)
    settings = await run_in_threadpool(state.mails.settings)
    loaded = await run_in_threadpool(context(request).desk.office)
    deadline = loaded.office.info.deadline if loaded.office else None
    return {"mails": await run_in_threadpool(state.mails.last_reminders),
            "failures": await run_in_threadpool(state.mails.failures),
            "days_left": days_left(deadline, state.today),
            "policy_word": POLICIES[state.season.policy()], "schedule": settings.schedule and settings.ready,
            "ready": settings.ready, "sent": _sent(request),
            "version": await run_in_threadpool(_version, state, context(request).store)}


def _sent(request: Request) -> dict[str, int] | None:
    query = request.query_params
    if "sent" not in query:
        return None
    return {k: int(query.get(k, "0")) if query.get(k, "0").isdigit() else 0 for k in ("sent", "failed", "skipped")}


# ---- what a department's pages add ---------------------------------------------------------------------------

async def upload_closed(request: Request, department: Department) -> Response | None:
    """The answer to an upload after the department's deadline when the office closed collection (None: open)."""
    here, state = context(request), season_of(request)
    loaded = await run_in_threadpool(here.desk.office)
    deadline = loaded.office.info.deadline if loaded.office else None
    closed = await run_in_threadpool(state.season.closed, department.id, deadline, dt.datetime.now().astimezone())
    if closed is None:
        return None
    contact = loaded.office.info.contact if loaded.office and loaded.office.info.contact else "党政办公室"
    return message_page(403, "收表已截止", f"报送截止日期是 {closed.year}年{closed.month}月{closed.day}日，"
                        f"收表已截止，本次上传未保存。如需补交，请联系：{contact}。", back=f"/d/{department.token}")


async def department_extras(request: Request, department: Department, history: list[Submission]) -> dict[str, Any]:
    """What a department's pages show of the season: its deadline and the days left, whether uploads are closed,
    a file the year folder holds for it that did not come through the desk, its share of the newest draft."""
    here, state = context(request), season_of(request)
    loaded = await run_in_threadpool(here.desk.office)
    office_deadline = loaded.office.info.deadline if loaded.office else None
    deadline = await run_in_threadpool(state.season.deadline, department.id, office_deadline)
    now = dt.datetime.now().astimezone()
    closed = await run_in_threadpool(state.season.closed, department.id, office_deadline, now)
    status = state.folder.status(wait=False)
    folder: FolderFile | None = status.files.get(department.name) if status else None
    if folder is not None and (folder.sha256 in {s.sha256 for s in history} or not state.folder.current(folder)):
        folder = None  # the desk put it there (one of the uploads listed), or it changed since it was checked
    share: DraftShare | None = None
    if in_use(history) or folder is not None:
        share = await run_in_threadpool(rb.department_share, here.reports.folder, department.name)
    current = next((s.sha256 for s in reversed(history) if s.n == in_use(history)), folder.sha256 if folder else "")
    return {"deadline": deadline, "days_left": days_left(deadline, state.today), "closed": closed,
            "folder": folder, "share": share, "share_current": bool(share and share.sha256 == current),
            "sentences": share_sentences(share) if share else [],
            "late": late, "extended": deadline != office_deadline}


Segment = tuple[str, str]  # ("text" | "value" | "ours", text)


def share_sentences(share: DraftShare) -> list[list[Segment]]:
    """Each sentence of the draft the department's figures feed, once, as segments: its text, each figure's value
    (marked) and, after the value and its unit, the department's part ("（本部门 44 条）"). Figures without a
    sentence (a version from before sentences were kept): "主动公开条数：全校 1000，本部门 110"."""
    sentences: dict[str, list[ShareLine]] = {}
    for line in share.lines:
        sentences.setdefault(line.sentence or f"\0{line.figure}", []).append(line)
    found = []
    for text, lines in sentences.items():
        if text.startswith("\0"):
            line = lines[0]
            found.append([("text", f"{line.figure}：全校 {line.value}，"), ("ours", f"本部门 {line.share}")])
            continue
        segments: list[Segment] = []
        last = 0
        for line in sorted({(ln.at, ln.after): ln for ln in lines}.values(), key=lambda ln: ln.at[0]):
            if line.at[0] < last:
                continue  # two figures at one place: the first is shown
            unit = f" {line.unit}" if line.unit else ""
            segments += [("text", text[last:line.at[0]]), ("value", text[line.at[0]:line.at[1]]),
                         ("text", text[line.at[1]:line.after]), ("ours", f"（本部门 {line.share}{unit}）")]
            last = line.after
        found.append([*segments, ("text", text[last:])])
    return found


ROUTES = [
    Route("/office/live", live),
    Route("/office/d/{id:int}", department_row),
    Route("/office/remind", remind, methods=["POST"]),
    Route("/office/extend", extend, methods=["POST"]),
    Route("/office/settings", settings_page),
    Route("/office/settings", save_settings, methods=["POST"]),
    Route("/office/mails", mails_page),
]

