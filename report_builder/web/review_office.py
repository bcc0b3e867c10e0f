"""The office's side of the review (docs/publication.md): reviewers and their links, the roles that must approve,
the version sent for review and who is asked to read it; on the reports page, where each version stands, the
publication of one that may be published (its 审核记录 and filing package), and its web page shown and copied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import report_builder as rb
from report_builder.web.office_pages import login_page, session_of
from report_builder.web.rendering import Context, context, forbidden, message_page, not_found, page
from report_builder.web.review_pages import Form, read_form, reviews_of
from report_builder.web.reviews import Limit, Reviewer, Reviews
from report_builder.web.security import OFFICE, form_valid

__all__ = ["WEB_PAGE_POLICY", "Asked", "add_reviewer", "publish", "remove_reviewer", "reviews_page", "send_version",
           "set_roles", "web_page"]

# The report's web page shown in the reports page's frame: its own inline styles, nothing else, framed by us only
WEB_PAGE_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
                   "frame-ancestors 'self'")


@dataclass(frozen=True, slots=True)
class Asked:
    """One reviewer and the version under review: their link, whether it asks them, and what they said of it."""

    reviewer: Reviewer
    link: str
    state: str  # 已通过 / 已退回修改 / 待审阅（首次） / 待审阅（有改动）


def _asked(here: Context, reviews: Reviews, base: str) -> tuple[str, rb.ReviewStatus | None, list[Asked]]:
    current = reviews.under_review()
    report = here.reports.file(current) if current else None
    status = rb.review_status(report) if report is not None else None
    decisions = rb.review_decisions(here.reports.folder) if here.reports.folder.is_dir() else ()
    asked = []
    for reviewer in reviews.reviewers():
        mine = [d for d in decisions if d.reviewer_id == reviewer.key]
        same = [d for d in mine if status is not None and d.report_sha256 == status.report_sha256]
        if same:
            state = "已通过" if same[-1].approved else "已退回修改"
        else:
            state = "待审阅（有改动）" if mine else "待审阅（首次）"
        asked.append(Asked(reviewer, f"{base}/r/{reviewer.token}", state))
    return current if report is not None else "", status, asked


async def reviews_page(request: Request, problem: str = "", status_code: int = 200) -> Response:
    session = await session_of(request)
    if not session:
        return login_page(request)
    here, reviews = context(request), reviews_of(request)
    base = here.public_url.rstrip("/") or str(request.base_url).rstrip("/")
    current, status, asked = await run_in_threadpool(_asked, here, reviews, base)
    roles = await run_in_threadpool(rb.review_roles, here.reports.folder)
    listed = await run_in_threadpool(here.reports.versions)
    return page(request, "reviews.html", status_code, form=(OFFICE, session), current=current, gate=status,
                asked=asked, roles=roles, all_roles=rb.REVIEW_ROLES, versions=listed, problem=problem,
                local_hint=here.local_hint)


async def _office_form(request: Request) -> Form | Response:
    """The office's posted form, when it comes from a live session with its token; else the answer to give."""
    session = await session_of(request)
    if not session:
        return login_page(request)
    form = await read_form(request)
    if form is None:
        return message_page(413, "内容过长", "提交的内容过长，未保存。", back="/office/reviews")
    if not form_valid(request, context(request).form_key, form.get("csrf"), OFFICE, session):
        return forbidden(request)
    return form


async def add_reviewer(request: Request) -> Response:
    form = await _office_form(request)
    if isinstance(form, Response):
        return form
    try:
        await run_in_threadpool(reviews_of(request).add, form.get("name", ""), form.get("role", ""))
    except Limit as limit:
        return await reviews_page(request, limit.message, 400)
    return RedirectResponse("/office/reviews#reviewers", status_code=303)


async def remove_reviewer(request: Request) -> Response:
    form = await _office_form(request)
    if isinstance(form, Response):
        return form
    await run_in_threadpool(reviews_of(request).remove, request.path_params["id"])
    return RedirectResponse("/office/reviews#reviewers", status_code=303)


async def set_roles(request: Request) -> Response:
    form = await _office_form(request)
    if isinstance(form, Response):
        return form
    done = await run_in_threadpool(rb.set_review_roles, context(request).reports.folder, form.getlist("role"))
    if isinstance(done, rb.Finding):
        return await reviews_page(request, str(done), 500)
    return RedirectResponse("/office/reviews#required", status_code=303)


async def send_version(request: Request) -> Response:
    form = await _office_form(request)
    if isinstance(form, Response):
        return form
    here = context(request)
    path = await run_in_threadpool(here.reports.file, form.get("report", ""))
    if path is None or path.suffix != ".docx":
        return not_found(request)
    await run_in_threadpool(reviews_of(request).send, path.name)
    return RedirectResponse("/office/reviews#under-review", status_code=303)


async def publish(request: Request) -> Response:
    """A version that may be published: its 审核记录 and filing package (write_filing_package), shown on the
    reports page."""
    form = await _office_form(request)
    if isinstance(form, Response):
        return form
    here = context(request)
    listed = await run_in_threadpool(here.reports.versions)
    chosen = next((v.version for v in listed if v.version.path.name == form.get("report")), None)
    if chosen is None:
        return not_found(request)
    number = re.search(r"_v(\d+)\.docx$", chosen.path.name)
    status = await run_in_threadpool(rb.review_status, chosen.path)
    if number is None or not status.publishable:
        return message_page(409, "该版本还不能发布", f"{status.label}。请在“审核”页面送审，所要求的审核通过后再发布。",
                            back="/office/reports")
    result = await run_in_threadpool(rb.write_filing_package, here.reports.folder, int(number.group(1)),
                                     chosen.report_format)
    reviews_of(request).published = result
    return RedirectResponse("/office/reports#published", status_code=303)


async def web_page(request: Request) -> Response:
    """A listed version's web page, as a page of its own (its inline styles allowed), for the reports page's frame."""
    if not await session_of(request):
        return login_page(request)
    path = await run_in_threadpool(context(request).reports.file, request.path_params["name"])
    if path is None or path.suffix != ".html":
        return not_found(request)
    data = await run_in_threadpool(Path(path).read_bytes)
    return Response(data, media_type="text/html; charset=utf-8",
                    headers={"content-security-policy": WEB_PAGE_POLICY, "x-frame-options": "SAMEORIGIN"})
