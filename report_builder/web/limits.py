"""Fair limits: what one department's link can take of the desk, so that it cannot hurt the others.

- `capped`: the findings of one upload kept and shown: of each code the first `per_code` in cell order, at most
  `in_all` together; for each code with more, one finding "另有 M 处同类问题" (`more-errors`, `more-warnings`).
  The feedback copy still marks every one (Desk.feedback checks the upload again for the whole list).
- `Limits`: bytes of one upload, uploads a day and bytes in all per department (store.Quota), free disk space
  below which uploads are refused.
- `Checking`: the checks at once (2 × cores), each department's queued behind its own: one department holds at
  most one slot, however many uploads it sends.
"""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio

from report_builder.findings import CATALOG, Finding, Severity
from report_builder.web.store import Quota

__all__ = ["MORE", "Checking", "Limits", "capped", "disk_full", "was_capped"]

MORE = {Severity.ERROR: "more-errors", Severity.WARNING: "more-warnings"}


@dataclass(frozen=True, slots=True)
class Limits:
    max_upload: int = 20 * 1024 * 1024  # bytes of one workbook
    uploads_a_day: int = 60  # per department
    bytes_in_all: int = 400 * 1024 * 1024  # of all a department's uploads kept
    min_free: int = 512 * 1024 * 1024  # bytes free on the state's disk, below which uploads are refused
    per_code: int = 50  # findings of one code kept of one upload
    in_all: int = 500  # findings kept of one upload

    @property
    def quota(self) -> Quota:
        return Quota(self.uploads_a_day, self.bytes_in_all)


def disk_full(folder: Path, limits: Limits) -> bool:
    """Whether the disk holding `folder` has less than `limits.min_free` bytes free."""
    return shutil.disk_usage(folder).free < limits.min_free


def _cell_order(findings: Sequence[Finding]) -> list[Finding]:
    """The findings about the whole file first, then sheet by sheet (in the order they first appear), row by
    row, column by column."""
    sheets = {f.sheet: i for i, f in reversed(list(enumerate(findings)))}

    def key(finding: Finding) -> tuple[int, int, int, str]:
        match = re.match(r"([A-Z]+)(\d+)", finding.cell)
        if not finding.sheet or match is None:
            return (sheets[finding.sheet] if finding.sheet else -1, 0, 0, finding.cell)
        column = 0
        for letter in match[1]:
            column = column * 26 + ord(letter) - 64
        return (sheets[finding.sheet], int(match[2]), column, "")

    return sorted(findings, key=key)


def capped(findings: Sequence[Finding], limits: Limits) -> tuple[Finding, ...]:
    """`findings` as kept (see the module's docstring); the same tuple when nothing is left out."""
    kept: list[Finding] = []
    per_code: Counter[str] = Counter()
    left_out: Counter[str] = Counter()
    where: dict[str, Finding] = {}
    for finding in _cell_order(findings):
        if per_code[finding.code] < limits.per_code and len(kept) < limits.in_all:
            per_code[finding.code] += 1
            kept.append(finding)
        else:
            left_out[finding.code] += 1
            where.setdefault(finding.code, finding)
    if not left_out:
        return tuple(findings)
    more = [Finding(MORE[CATALOG[code].severity], where[code].file, where[code].sheet, value=CATALOG[code].title,
                    detail=f"另有 {count} 处同类问题（{CATALOG[code].title}）未列出，反馈表中全部标出")
            for code, count in left_out.items()]
    return (*kept, *more)


def was_capped(findings: Sequence[Finding]) -> bool:
    """Whether findings kept of an upload leave some out (`capped` said "另有 M 处")."""
    return any(f.code in MORE.values() for f in findings)


class Checking:
    """The checks at once: `at_once` in all, one at a time per department (waiting holds no slot)."""

    def __init__(self, at_once: int) -> None:
        self.at_once = at_once
        self.slots = anyio.Semaphore(at_once)
        self._queues: dict[int, anyio.Lock] = {}

    @asynccontextmanager
    async def turn(self, department: int) -> AsyncIterator[None]:
        queue = self._queues.setdefault(department, anyio.Lock())
        async with queue, self.slots:
            yield
