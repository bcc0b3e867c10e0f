"""Reviews of a report version: decisions written once beside the version, the roles that must approve, the gate.

A decision (approve or return, with comments) is one JSON file `<报告名>_vN.审核意见/<k>.json`, written whole and
never replaced; it names the sha256 of the report and of the manifest the reviewer decided on. A version may be
published (可以发布) when every required role (`审核要求.json` in the output folder; 保密审查 always) approved a
report of exactly its bytes. Design: docs/publication.md, "Review and the gate".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report_builder.atomic import write_atomic
from report_builder.display import clip
from report_builder.findings import Finding
from report_builder.names import path_inside
from report_builder.outputs.manifests import load_manifest, manifest_path
from report_builder.outputs.staging import output_failure
from report_builder.outputs.versions import glob_escape
from report_builder.wordml_blocks import Block, Paragraph, block_texts, document_blocks

__all__ = ["ALWAYS_REQUIRED", "DECISIONS_SUFFIX", "MAX_COMMENT", "MAX_COMMENTS", "MAX_DECISIONS", "REVIEW_ROLES",
           "ROLES_FILE", "ReviewComment", "ReviewDecision", "ReviewStatus", "block_text", "decision_data",
           "previous_review", "record_review", "report_sha256", "review_decisions", "review_roles", "review_status",
           "set_review_roles"]

REVIEW_ROLES = ("审核", "保密审查", "审定")
ALWAYS_REQUIRED = "保密审查"  # nothing is published before the secrecy review
ROLES_FILE = "审核要求.json"  # in the output folder of a year: the roles that must approve
DECISIONS_SUFFIX = ".审核意见"  # <报告名>_vN.审核意见/<k>.json
MAX_COMMENT = 1000  # characters of one comment
MAX_COMMENTS = 100  # comments of one decision
MAX_DECISIONS = 20  # decisions of one reviewer on one version
MAX_NAME = 50  # characters of a reviewer's name
MAX_DECISION_BYTES = 1 << 20  # a decision file larger than this is not read
QUOTE = 30  # characters of a block quoted with a comment


@dataclass(frozen=True, slots=True)
class ReviewComment:
    """A comment on block `block` of the version (1-based, in the order of its paragraphs and tables), or on the
    whole report (0); `quote` is the block's opening words (record_review fills it)."""

    block: int
    text: str
    quote: str = ""


@dataclass(frozen=True, slots=True)
class ReviewDecision:
    """One reviewer's approval or return of one version, as written beside it."""

    reviewer: str
    role: str  # one of REVIEW_ROLES
    approved: bool  # False: returned for changes
    at: str  # ISO time with its offset
    report: str  # the version's report file name
    report_sha256: str
    manifest_sha256: str
    comments: tuple[ReviewComment, ...] = ()
    reviewer_id: str = ""  # the desk's id of the reviewer ("" from elsewhere: the name and role identify them)
    number: int = 0  # k of its file `<k>.json`

    @property
    def who(self) -> str:
        """The reviewer as one key: the desk's id, else name and role."""
        return self.reviewer_id or f"{self.reviewer}\0{self.role}"


@dataclass(frozen=True, slots=True)
class ReviewStatus:
    """Where one version stands: the required roles, the decisions that count for its bytes, the gate."""

    report: Path
    report_sha256: str  # of the file as it is now ("" when it is gone)
    required: tuple[str, ...]
    decisions: tuple[ReviewDecision, ...]  # each reviewer's latest on these bytes, oldest first
    changed: bool = False  # the report is not the one its manifest lists (edited, or no whole version)
    findings: tuple[Finding, ...] = field(default=())  # decision files that could not be read

    @property
    def approved(self) -> tuple[str, ...]:
        """The roles that approved these bytes (with no return of the same role), in REVIEW_ROLES order."""
        said = {d.role for d in self.decisions if d.approved}
        returned = {d.role for d in self.decisions if not d.approved}
        return tuple(role for role in REVIEW_ROLES if role in said and role not in returned)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(role for role in self.required if role not in self.approved)

    @property
    def returned(self) -> tuple[ReviewDecision, ...]:
        return tuple(d for d in self.decisions if not d.approved)

    @property
    def publishable(self) -> bool:
        """可以发布: every required role approved exactly these bytes."""
        return not self.changed and not self.missing

    @property
    def label(self) -> str:
        """"可以发布", "已退回修改（李老师）", "待保密审查、审定"… in Chinese, for a page or a terminal."""
        if self.changed:
            return "报告文件在生成后被改动，不能发布"
        if self.publishable:
            return "可以发布"
        returned = "、".join(dict.fromkeys(d.reviewer for d in self.returned))
        return "；".join(([f"已退回修改（{returned}）"] if returned else []) + ["待" + "、".join(self.missing)])


class _Comment(BaseModel):
    model_config = ConfigDict(frozen=True)
    block: int = Field(ge=0)
    text: str = Field(max_length=MAX_COMMENT)
    quote: str = ""


class _Decision(BaseModel):
    """A decision file as read back (one typed reader: a file of another shape is skipped, never a crash)."""

    model_config = ConfigDict(frozen=True)
    schema_version: int = Field(ge=1, le=1)
    reviewer: str
    reviewer_id: str = ""
    role: str
    approved: bool
    at: str
    report: str
    report_sha256: str = Field(pattern="^[0-9a-f]{64}$")
    manifest_sha256: str = Field(pattern="^[0-9a-f]{64}$")
    comments: list[_Comment] = Field(default_factory=list, max_length=MAX_COMMENTS)


def report_sha256(path: Path) -> str:
    """The sha256 of a file, streamed; "" when it cannot be read (or is a link)."""
    if path.is_symlink():
        return ""
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def decisions_folder(report: Path) -> Path:
    return report.with_name(report.name.removesuffix(".docx") + DECISIONS_SUFFIX)


def review_roles(folder: Path) -> tuple[str, ...]:
    """The roles that must approve a version of the output folder `folder` (保密审查 alone when unset)."""
    try:
        listed = json.loads((Path(folder) / ROLES_FILE).read_text(encoding="utf-8")).get("required", [])
    except (OSError, ValueError, AttributeError):
        listed = []
    return _with_required(listed if isinstance(listed, list) else [])


def _with_required(roles: Iterable[object]) -> tuple[str, ...]:
    wanted = {ALWAYS_REQUIRED, *(r for r in roles if isinstance(r, str))}
    return tuple(role for role in REVIEW_ROLES if role in wanted)


def set_review_roles(folder: Path, roles: Sequence[str]) -> tuple[str, ...] | Finding:
    """Set the roles that must approve (保密审查 is always one; unknown names are dropped): the roles now required,
    or the finding saying why the setting could not be written."""
    required = _with_required(roles)
    data = json.dumps({"required": list(required)}, ensure_ascii=False).encode() + b"\n"
    try:
        write_atomic(Path(folder) / ROLES_FILE, data, overwrite=True)
    except OSError as error:
        return output_failure(Path(folder), error)
    return required


def record_review(report: Path, *, reviewer: str, role: str, approved: bool, seen_sha256: str,
                  comments: Sequence[ReviewComment] = (), reviewer_id: str = "", at: str = "",
                  ) -> ReviewDecision | Finding:
    """Write one reviewer's decision on the version whose report is `report`, if it is still the report the reviewer
    saw (`seen_sha256`) and a whole version: the decision as written, or the finding why it was not written.

    A return needs a comment. Comments are on blocks of this version (1-based; 0 = the whole report), each at most
    MAX_COMMENT characters, at most MAX_COMMENTS; at most MAX_DECISIONS decisions of one reviewer on one version.
    """
    report = Path(report)
    refused = _refused(reviewer, role, approved, comments)
    if refused:
        return Finding(refused[0], report.name, value=refused[1])
    manifest = load_manifest(manifest_path(report))
    sha = report_sha256(report)
    if manifest is None or not sha or manifest.files.get(report.name) != sha or sha != seen_sha256:
        return Finding("review-version-changed", report.name)
    quotes = _block_quotes(report.read_bytes())
    if any(c.block > len(quotes) or c.block < 0 for c in comments):
        return Finding("review-comment-refused", report.name, detail=f"本版本共 {len(quotes)} 段，意见所在的段落不存在")
    mine = [d for d in _read_folder(decisions_folder(report))[0] if (reviewer_id or f"{reviewer}\0{role}") == d.who]
    if len(mine) >= MAX_DECISIONS:
        return Finding("review-comment-refused", report.name, detail=f"同一版本最多提交 {MAX_DECISIONS} 次审核结论")
    decision = ReviewDecision(
        reviewer.strip(), role, approved, at or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        report.name, sha, report_sha256(manifest_path(report)),
        tuple(ReviewComment(c.block, c.text.strip(), quotes[c.block - 1] if c.block else "全文") for c in comments),
        reviewer_id)
    try:
        return _write_decision(decisions_folder(report), decision)
    except OSError as error:
        return output_failure(report.parent, error)


def _refused(reviewer: str, role: str, approved: bool, comments: Sequence[ReviewComment]) -> tuple[str, str] | None:
    """(finding code, value) when the decision itself is not acceptable, else None."""
    if role not in REVIEW_ROLES:
        return "review-role-unknown", role
    if not reviewer.strip() or len(reviewer) > MAX_NAME:
        return "review-comment-refused", reviewer[:MAX_NAME]
    if len(comments) > MAX_COMMENTS or any(len(c.text) > MAX_COMMENT or not c.text.strip() for c in comments):
        return "review-comment-refused", f"意见 {len(comments)} 条"
    if not approved and not comments:
        return "review-return-needs-comment", ""
    return None


def block_text(block: Block) -> str:
    """A block's text on one line: a paragraph's, or a table's cells in reading order, spaces folded."""
    return " ".join((block.text if isinstance(block, Paragraph) else " ".join(block_texts((block,)))).split())


def _block_quotes(docx: bytes) -> list[str]:
    """The opening words of each block (paragraph or table) of a report, in order."""
    return [clip(block_text(b), QUOTE) for b in document_blocks(docx)]


def _write_decision(folder: Path, decision: ReviewDecision) -> ReviewDecision:
    """The decision as `<k>.json` under `folder`, k the next free number (never replacing a file)."""
    record = {"schema_version": 1, "reviewer_id": decision.reviewer_id, **decision_data(decision)}
    data = json.dumps(record, ensure_ascii=False, indent=2).encode() + b"\n"
    folder.mkdir(exist_ok=True)
    number = max(_numbers(folder), default=0) + 1
    while True:
        try:
            write_atomic(path_inside(folder, f"{number}.json"), data)
        except FileExistsError:
            number += 1
            continue
        return dataclasses.replace(decision, number=number)


def _numbers(folder: Path) -> list[int]:
    return [int(name[:-5]) for name in os.listdir(folder) if name.endswith(".json") and name[:-5].isdigit()]


def _read_folder(folder: Path) -> tuple[list[ReviewDecision], list[Finding]]:
    """The decisions under one version's `.审核意见` folder in number order; the files that could not be read."""
    if folder.is_symlink() or not folder.is_dir():
        return [], []
    found, unreadable = [], []
    for number in sorted(_numbers(folder)):
        path = folder / f"{number}.json"
        try:
            if path.is_symlink() or path.stat().st_size > MAX_DECISION_BYTES:
                raise ValueError
            read = _Decision.model_validate_json(path.read_bytes())
        except (OSError, ValueError, ValidationError, RecursionError):
            unreadable.append(Finding("review-unreadable", f"{folder.name}/{path.name}"))
            continue
        comments = tuple(ReviewComment(c.block, c.text, c.quote) for c in read.comments)
        found.append(ReviewDecision(read.reviewer, read.role, read.approved, read.at, read.report, read.report_sha256,
                                    read.manifest_sha256, comments, read.reviewer_id, number))
    return found, unreadable


def review_decisions(folder: Path) -> tuple[ReviewDecision, ...]:
    """Every decision on every version of the output folder `folder`, in the order they were made."""
    return _all_decisions(Path(folder))[0]


def _all_decisions(folder: Path) -> tuple[tuple[ReviewDecision, ...], tuple[Finding, ...]]:
    found: list[ReviewDecision] = []
    unreadable: list[Finding] = []
    for sub in sorted(folder.glob(f"*_v*{DECISIONS_SUFFIX}")) if folder.is_dir() else []:
        read, bad = _read_folder(sub)
        found += read
        unreadable += bad
    return tuple(sorted(found, key=lambda d: (d.at, d.report, d.number))), tuple(unreadable)


def review_status(report: Path, decisions: Sequence[ReviewDecision] | None = None) -> ReviewStatus:
    """Where the version whose report is `report` stands (the gate). `decisions`: review_decisions of its folder,
    when the caller has them already (a listing of many versions reads them once)."""
    report = Path(report)
    unreadable: tuple[Finding, ...] = ()
    if decisions is None:
        decisions, unreadable = _all_decisions(report.parent)
    sha = report_sha256(report)
    manifest = load_manifest(manifest_path(report))
    changed = not sha or manifest is None or manifest.files.get(report.name) != sha
    latest: dict[str, ReviewDecision] = {}
    for decision in decisions:
        if decision.report_sha256 == sha:
            latest.pop(decision.who, None)
            latest[decision.who] = decision
    return ReviewStatus(report, sha, review_roles(report.parent), tuple(latest.values()), changed, unreadable)


def previous_review(folder: Path, stem: str) -> tuple[dict[str, Any], tuple[Finding, ...]]:
    """What the reviewers said about the newest whole version of `stem` in `folder` (the version a new build
    follows): `{"previous_review": …}` for the new version's manifest ({} when nobody decided), and each return and
    comment as a note (`review-comment`) for the build's output."""
    if not folder.is_dir() or not any(folder.glob(f"{glob_escape(stem)}_v*{DECISIONS_SUFFIX}")):
        return {}, ()  # nobody ever decided on a version of this series: no manifest is read
    pattern = re.compile(re.escape(stem) + r"_v(\d+)\.docx")
    numbered = sorted(((int(m.group(1)), path) for path in folder.glob(f"{glob_escape(stem)}_v*.docx")
                       if (m := pattern.fullmatch(path.name))), reverse=True)
    report = next((path for _, path in numbered if load_manifest(manifest_path(path)) is not None), None)
    status = review_status(report) if report is not None else None
    if report is None or status is None or not status.decisions:
        return {}, ()
    notes = [Finding("review-comment", report.name,
                     detail=f"{d.reviewer}（{d.role}，{'通过' if d.approved else '退回修改'}）对“{c.quote}”：{c.text}")
             for d in status.decisions for c in d.comments]
    record = {"report": report.name, "report_sha256": status.report_sha256, "label": status.label,
              "decisions": [decision_data(d) for d in status.decisions]}
    return {"previous_review": record}, tuple(notes)


def decision_data(decision: ReviewDecision) -> dict[str, Any]:
    """A decision as plain data (in a manifest or a record)."""
    return {"reviewer": decision.reviewer, "role": decision.role, "approved": decision.approved, "at": decision.at,
            "report": decision.report, "report_sha256": decision.report_sha256,
            "manifest_sha256": decision.manifest_sha256,
            "comments": [{"block": c.block, "quote": c.quote, "text": c.text} for c in decision.comments]}
