"""A reviewer's pages behind their link (docs/publication.md, "Review and the gate"): the version sent for review
as a readable page with the changes since the version they last decided on marked inline, comments per
paragraph, and the decision (approve, or return for changes). The link opens these routes only.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import ImmutableMultiDict
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

import report_builder as rb
from report_builder.web.rendering import Context, context, forbidden, message_page, not_found, page
from report_builder.web.reviews import Limit, PendingComment, Reviewer, Reviews
from report_builder.web.security import form_valid

__all__ = ["MAX_FORM", "REVIEW", "Form", "Reading", "comment", "decide", "delete_comment", "read_form",
           "reviewer_page", "reviews_of"]

REVIEW = "review"  # what a reviewer's form token is for (bound to the reviewer's link)
MAX_FORM = 64 * 1024  # bytes of a reviewer's or the office's review form
CHANGE_WORDS = {"inserted": "新增", "changed": "修改", "deleted": "删除"}
Form = ImmutableMultiDict[str, str]


@dataclass(frozen=True, slots=True)
class Reading:
    """What one reviewer reads now: the version, marked since their last decision on other bytes, where it stands."""

    view: rb.ReviewView
    status: rb.ReviewStatus
    mine: rb.ReviewDecision | None  # their latest decision on these very bytes
    since: rb.ReviewDecision | None  # their latest decision on other bytes: the changes since it are marked
    comments: list[PendingComment]


def reviews_of(request: Request) -> Reviews:
    found = request.app.state.reviews
    assert isinstance(found, Reviews)
    return found


async def read_form(request: Request) -> Form | None:
    """A small url-encoded form (at most MAX_FORM bytes, 20 fields), or None when it is larger or not one."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM:
            return None
    try:
        pairs = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=20)
    except ValueError:
        return None
    return Form(pairs)


def reading(here: Context, reviews: Reviews, reviewer: Reviewer) -> Reading | rb.Finding | None:
    """The version under review as `reviewer` reads it (None: nothing is under review)."""
    name = reviews.under_review()
    report = here.reports.file(name) if name else None
    if report is None:
        return None
    status = rb.review_status(report)
    mine = [d for d in rb.review_decisions(here.reports.folder) if d.reviewer_id == reviewer.key]
    same = [d for d in mine if d.report_sha256 == status.report_sha256]
    other = [d for d in mine if d.report_sha256 != status.report_sha256]
    since = other[-1] if other else None
    earlier = here.reports.file(since.report) if since is not None else None
    view = rb.review_view(report, earlier)
    if isinstance(view, rb.Finding):
        return view
    return Reading(view, status, same[-1] if same else None, since if earlier else None,
                   reviews.comments(reviewer.id, view.sha256))


async def reviewer_of(request: Request) -> Reviewer | None:
    return await run_in_threadpool(reviews_of(request).by_token, request.path_params["token"])


async def reviewer_page(request: Request) -> Response:
    reviewer = await reviewer_of(request)
    if reviewer is None:
        return not_found(request)
    found = await run_in_threadpool(reading, context(request), reviews_of(request), reviewer)
    if found is None:
        return message_page(200, "目前没有待审阅的版本", "党政办公室送审后，请重新打开本链接。")
    if isinstance(found, rb.Finding):
        return message_page(409, "该版本暂时无法审阅", f"{found}")
    asked = request.query_params.get("p", "")
    only = request.query_params.get("only", "") == "1"
    by_block: dict[int, list[PendingComment]] = {}
    for note in found.comments:
        by_block.setdefault(note.block, []).append(note)
    shown = [b for b in found.view.blocks if not only or b.change or b.number in by_block]
    return page(request, "review.html", form=(REVIEW, reviewer.token), reviewer=reviewer, reading=found,
                blocks=shown, only=only, by_block=by_block, open=int(asked) if asked.isdigit() else -1,
                words=CHANGE_WORDS, report_name=Path(found.view.report).name,
                since_name=found.since.report if found.since else "")


async def _posted(request: Request) -> tuple[Reviewer, Form] | Response:
    """The reviewer of the link and their form, or the answer when there is none or it is not theirs."""
    reviewer = await reviewer_of(request)
    if reviewer is None:
        return not_found(request)
    form = await read_form(request)
    if form is None:
        return message_page(413, "内容过长", "意见过长，未保存。每条意见不超过 1000 字。", back=f"/r/{reviewer.token}")
    if not form_valid(request, context(request).form_key, form.get("csrf"), REVIEW, reviewer.token):
        return forbidden(request)
    return reviewer, form


def _changed_version(reviewer: Reviewer) -> Response:
    return message_page(409, "版本已更新", "您打开页面之后，办公室送审了新的版本（或文件有改动），本次操作未保存。"
                        "请重新打开本链接审阅新版本。", back=f"/r/{reviewer.token}")


async def comment(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    reviewer, form = posted
    found = await run_in_threadpool(reading, context(request), reviews_of(request), reviewer)
    if not isinstance(found, Reading) or form.get("sha256") != found.view.sha256:
        return _changed_version(reviewer)
    block = form.get("block", "")
    numbers = {b.number for b in found.view.blocks if b.number}
    if not block.isdigit() or (int(block) != 0 and int(block) not in numbers):
        return message_page(400, "意见未保存", "找不到这一段，请重新打开本链接。", back=f"/r/{reviewer.token}")
    try:
        await run_in_threadpool(reviews_of(request).add_comment, reviewer.id, found.view.sha256, int(block),
                                form.get("text", ""))
    except Limit as limit:
        return message_page(400, "意见未保存", limit.message, back=f"/r/{reviewer.token}")
    return RedirectResponse(f"/r/{reviewer.token}#b{block}", status_code=303)


async def delete_comment(request: Request) -> Response:
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    reviewer, _ = posted
    await run_in_threadpool(reviews_of(request).delete_comment, reviewer.id, request.path_params["id"])
    return RedirectResponse(f"/r/{reviewer.token}", status_code=303)


async def decide(request: Request) -> Response:
    """Approve or return the version shown, with the comments written on it (and one on the whole, if typed)."""
    posted = await _posted(request)
    if isinstance(posted, Response):
        return posted
    reviewer, form = posted
    here, reviews = context(request), reviews_of(request)
    found = await run_in_threadpool(reading, here, reviews, reviewer)
    if not isinstance(found, Reading) or form.get("sha256") != found.view.sha256:
        return _changed_version(reviewer)
    notes = [rb.ReviewComment(c.block, c.text) for c in found.comments]
    general = form.get("general", "").strip()
    if general:
        notes.append(rb.ReviewComment(0, general))
    if form.get("decision") not in ("approve", "return"):
        return message_page(400, "审核结论未记录", "请点“通过”或“退回修改”。", back=f"/r/{reviewer.token}")
    approved = form.get("decision") == "approve"
    decided = await run_in_threadpool(lambda: rb.record_review(
        found.view.report, reviewer=reviewer.name, role=reviewer.role, approved=approved,
        seen_sha256=found.view.sha256, comments=notes, reviewer_id=reviewer.key))
    if isinstance(decided, rb.Finding):
        return message_page(409 if decided.code == "review-version-changed" else 400, "审核结论未记录",
                            f"{rb.CATALOG[decided.code].title}。{decided.hint}", back=f"/r/{reviewer.token}")
    await run_in_threadpool(reviews.sent, reviewer.id, found.view.sha256)
    return RedirectResponse(f"/r/{reviewer.token}#state", status_code=303)
