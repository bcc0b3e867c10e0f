"""A department's pages behind its token (docs/intake-desk.md): its page, its blank workbook, the upload, each
submission's findings and its feedback copy."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.types import Message, Receive

from report_builder.web.desk import changes, comparable, in_use, others, previous_own, readable
from report_builder.web.limits import disk_full, was_capped
from report_builder.web.rendering import XLSX, context, forbidden, message_page, not_found, page, too_large
from report_builder.web.season_pages import department_extras, upload_closed
from report_builder.web.security import COOKIE_SHAPE, CSRF_COOKIE, UPLOAD, form_valid
from report_builder.web.store import Department, OverQuota, Submission

__all__ = ["FORM_OVERHEAD", "department_page", "feedback", "home", "no_space", "submission_page", "template", "upload"]

FORM_OVERHEAD = 64 * 1024  # bytes of the form around the workbook
DISCARDED_AT_MOST = 200 * 1024 * 1024  # of a too-large upload read (and dropped) to answer with the 413 page


class TooLarge(Exception):
    pass


async def home(request: Request) -> Response:
    return message_page(200, "信息公开年度报告 收表", "请使用党政办公室发来的本部门链接。")


async def department_of(request: Request) -> Department | None:
    return await run_in_threadpool(context(request).store.department_by_token, request.path_params["token"])


async def department_page(request: Request) -> Response:
    department = await department_of(request)
    if department is None:
        return not_found(request)
    here = context(request)
    history = await run_in_threadpool(here.store.submissions, department.id)
    return page(request, "department.html", form=(UPLOAD, department.token), department=department, history=history,
                in_use=in_use(history), **await department_extras(request, department, history))


async def template(request: Request) -> Response:
    department = await department_of(request)
    if department is None:
        return not_found(request)
    path = await run_in_threadpool(context(request).desk.template, department)
    if path is None:
        return message_page(503, "暂时无法下载", "年度总表有问题，请联系党政办公室。")
    return FileResponse(path, media_type=XLSX, filename=f"{department.name}.xlsx")


async def upload(request: Request) -> Response:
    department = await department_of(request)
    if department is None:
        return not_found(request)
    if not COOKIE_SHAPE.fullmatch(request.cookies.get(CSRF_COOKIE, "")):  # refused before the body is read
        return forbidden(request)
    here = context(request)
    most = here.limits.max_upload
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > most + FORM_OVERHEAD:
        await _discard(request.receive, DISCARDED_AT_MOST)  # read, so the browser gets the page, not a reset
        return too_large(request, most)
    if disk_full(here.store.folder, here.limits):  # one statvfs: no thread needed
        return no_space()
    if closed := await upload_closed(request, department):  # after the deadline, when the office closed uploads
        return closed
    limited = Request(request.scope, _limited(request.receive, most + FORM_OVERHEAD))
    try:
        async with limited.form(max_files=1, max_fields=5) as form:
            if not form_valid(request, here.form_key, form.get("csrf"), UPLOAD, department.token):
                return forbidden(request)
            sent = form.get("file")
            data = await sent.read(most + 1) if isinstance(sent, UploadFile) else None
    except TooLarge:
        await _discard(request.receive, DISCARDED_AT_MOST)
        return too_large(request, most)
    if data is None or not data:
        return message_page(400, "没有收到文件", "请选择填好的填报表（.xlsx）后再上传。", back=f"/d/{department.token}")
    if len(data) > most:
        return too_large(request, most)
    try:
        stored = await run_in_threadpool(here.desk.store_upload, department, data)
    except OverQuota as over:
        return over_quota(over, department)
    async with here.checking.turn(department.id):  # behind its own uploads; waiting holds no thread, no slot
        submission = await run_in_threadpool(here.desk.check, department, stored)
    return RedirectResponse(f"/d/{department.token}/s/{submission.n}", status_code=303)


def over_quota(over: OverQuota, department: Department) -> Response:
    if over.kind == "day":
        text = (f"本部门今天已上传 {over.limit} 次，达到每天的上限，本次未保存。请明天再上传；"
                "如确需今天再传，请联系党政办公室。")
        return message_page(429, "今天的上传次数已满", text, back=f"/d/{department.token}")
    text = (f"本部门已保存的上传合计超过 {over.limit // (1024 * 1024)} MB 的上限，本次未保存。"
            "部门填报表通常小于 5 MB；请联系党政办公室。")
    return message_page(413, "本部门的上传已达上限", text, back=f"/d/{department.token}")


def no_space() -> Response:
    return message_page(507, "服务器磁盘空间不足", "服务器的磁盘快满了，暂时不能接收上传，本次未保存。"
                        "请稍后再试，并告知党政办公室。已经完成的上传不受影响。")


async def numbered(request: Request) -> tuple[Department, list[Submission], int] | None:
    """The department of the link, its submissions, and the n of the URL (None: no such submission)."""
    department = await department_of(request)
    if department is None:
        return None
    history = await run_in_threadpool(context(request).store.submissions, department.id)
    n = request.path_params["n"]
    return (department, history, n) if 1 <= n <= len(history) else None


async def submission_page(request: Request) -> Response:
    found = await numbered(request)
    if found is None:
        return not_found(request)
    department, history, n = found
    current = history[n - 1]
    previous = previous_own(history, n)  # another department's workbook is left out of the comparison
    fixed, new = changes(previous, current)
    return page(request, "submission.html", form=(UPLOAD, department.token), department=department, history=history,
                submission=current, fixed=fixed, new=new, previous=previous, readable=readable,
                comparable=comparable, in_use=in_use(history), others=others(current),
                **await department_extras(request, department, history))


async def feedback(request: Request) -> Response:
    found = await numbered(request)
    if found is None:
        return not_found(request)
    department, history, n = found
    here = context(request)
    if was_capped(history[n - 1].findings):  # checked again for the whole list: a check like the others
        async with here.checking.turn(department.id):
            path = await run_in_threadpool(here.desk.feedback, department, history[n - 1])
    else:
        path = await run_in_threadpool(here.desk.feedback, department, history[n - 1])
    if path is None:
        return not_found(request)
    return FileResponse(path, media_type=XLSX, filename=f"{department.name}_第{n}次_反馈.xlsx")


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
