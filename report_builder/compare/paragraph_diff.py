"""What changed between two documents' paragraphs: `summarize_paragraphs`, near-linear, and its terminal text.

difflib's SequenceMatcher (autojunk off) is quadratic when paragraphs repeat (table cells such
as "0") and on long replaced blocks. `opcodes` gives difflib's own answer for small inputs
(a report has a few hundred paragraphs) and, above `SMALL`, aligns on paragraphs that occur
once in each side (patience diff: longest increasing subsequence, O(n log n)), then diffs the
gaps between those anchors the same way, falling back to one replaced block for a large gap
without anchors. `similarity` bounds the cost of comparing two long paragraphs.
"""

from __future__ import annotations

import bisect
import difflib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["SMALL", "RedlineSummary", "clip", "format_summary", "opcodes", "pair_block", "similarity",
           "summarize_paragraphs"]

Opcode = tuple[str, int, int, int, int]

SMALL = 250_000  # len(a) * len(b) at or below which difflib runs as it is
_MAX_DEPTH = 4
_LONG_TEXT = 2_000  # characters: above, the similarity of two paragraphs is estimated in linear time


def opcodes(a: Sequence[str], b: Sequence[str]) -> list[Opcode]:
    """difflib-style opcodes (equal / replace / delete / insert) turning `a` into `b`."""
    out: list[Opcode] = []
    _align(a, b, 0, len(a), 0, len(b), 0, out)
    return _merge(out)


def similarity(x: str, y: str) -> float:
    """difflib's ratio of two texts; its linear upper bound (quick_ratio) for very long ones."""
    matcher = difflib.SequenceMatcher(None, x, y, autojunk=False)
    return matcher.quick_ratio() if len(x) + len(y) > _LONG_TEXT else matcher.ratio()


def _align(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int, depth: int,
           out: list[Opcode]) -> None:
    if (i2 - i1) * (j2 - j1) <= SMALL:  # difflib as it is (trimming first could change its answer)
        _align_middle(a, b, i1, i2, j1, j2, depth, out)
        return
    head = 0
    while i1 + head < i2 and j1 + head < j2 and a[i1 + head] == b[j1 + head]:
        head += 1
    tail = 0
    while i2 - tail > i1 + head and j2 - tail > j1 + head and a[i2 - 1 - tail] == b[j2 - 1 - tail]:
        tail += 1
    if head:
        out.append(("equal", i1, i1 + head, j1, j1 + head))
    _align_middle(a, b, i1 + head, i2 - tail, j1 + head, j2 - tail, depth, out)
    if tail:
        out.append(("equal", i2 - tail, i2, j2 - tail, j2))


def _align_middle(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int, depth: int,
                  out: list[Opcode]) -> None:
    if i1 == i2 and j1 == j2:
        return
    if i1 == i2 or j1 == j2:
        out.append(("insert" if i1 == i2 else "delete", i1, i2, j1, j2))
        return
    if (i2 - i1) * (j2 - j1) <= SMALL:
        matcher = difflib.SequenceMatcher(None, a[i1:i2], b[j1:j2], autojunk=False)
        out.extend((tag, i1 + x1, i1 + x2, j1 + y1, j1 + y2) for tag, x1, x2, y1, y2 in matcher.get_opcodes())
        return
    anchors = _anchors(a, b, i1, i2, j1, j2) if depth < _MAX_DEPTH else []
    if not anchors:
        out.append(("replace", i1, i2, j1, j2))
        return
    at_a, at_b = i1, j1
    for i, j in anchors:
        _align(a, b, at_a, i, at_b, j, depth + 1, out)
        out.append(("equal", i, i + 1, j, j + 1))
        at_a, at_b = i + 1, j + 1
    _align(a, b, at_a, i2, at_b, j2, depth + 1, out)


def _anchors(a: Sequence[str], b: Sequence[str], i1: int, i2: int, j1: int, j2: int) -> list[tuple[int, int]]:
    """Pairs (i, j) of paragraphs unique in both ranges, the longest run in the same order."""
    count_a, count_b = Counter(a[i1:i2]), Counter(b[j1:j2])
    where_b = {b[j]: j for j in range(j1, j2) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(i1, i2) if count_a[a[i]] == 1 and a[i] in where_b]
    return _increasing(pairs)


def _increasing(pairs: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """The longest subsequence of `pairs` (sorted by i) whose j increase too (patience sorting)."""
    tops: list[int] = []  # j of the last pair of the best run of each length
    top_index: list[int] = []
    previous = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect.bisect_left(tops, j)
        if length == len(tops):
            tops.append(j)
            top_index.append(index)
        else:
            tops[length], top_index[length] = j, index
        previous[index] = top_index[length - 1] if length else -1
    run: list[tuple[int, int]] = []
    index = top_index[-1] if top_index else -1
    while index >= 0:
        run.append(pairs[index])
        index = previous[index]
    return run[::-1]


def _merge(ops: list[Opcode]) -> list[Opcode]:
    """Join neighbours as difflib would: equal runs side by side, and changes side by side."""
    merged: list[Opcode] = []
    for op in ops:
        if merged and (merged[-1][0] == "equal") == (op[0] == "equal"):
            tag, i1, _, j1, _ = merged[-1]
            i2, j2 = op[2], op[4]
            if tag != "equal":
                tag = "replace" if i1 < i2 and j1 < j2 else ("insert" if i1 == i2 else "delete")
            merged[-1] = (tag, i1, i2, j1, j2)
        else:
            merged.append(op)
    return merged


@dataclass(frozen=True)
class RedlineSummary:
    """Paragraph-level counts of what changed between two documents (empty paragraphs ignored)."""

    added: int
    deleted: int
    changed: int
    unchanged: int
    changes: tuple[tuple[str, str], ...] = ()
    added_texts: tuple[str, ...] = ()
    deleted_texts: tuple[str, ...] = ()
    moved_texts: tuple[str, ...] = ()

    @property
    def moved(self) -> int:
        """Paragraphs deleted in one place and added unchanged in another (not in added/deleted)."""
        return len(self.moved_texts)


def summarize_paragraphs(old: Sequence[str], new: Sequence[str]) -> RedlineSummary:
    """Count added / deleted / changed / unchanged paragraphs (blank ones ignored); near-linear."""
    a = [t for t in old if t.strip()]
    b = [t for t in new if t.strip()]
    unchanged = 0
    pairs: list[tuple[str, str]] = []
    added: list[str] = []
    deleted: list[str] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            unchanged += i2 - i1
            continue
        matched = pair_block(a[i1:i2], b[j1:j2])
        pairs.extend((a[i1 + i], b[j1 + j]) for i, j in matched)
        paired_a, paired_b = {i for i, _ in matched}, {j for _, j in matched}
        deleted.extend(a[i] for i in range(i1, i2) if i - i1 not in paired_a)
        added.extend(b[j] for j in range(j1, j2) if j - j1 not in paired_b)
    added, deleted, moved = _moves(added, deleted)
    return RedlineSummary(
        len(added),
        len(deleted),
        len(pairs),
        unchanged,
        tuple(pairs),
        tuple(added),
        tuple(deleted),
        tuple(moved),
    )


def _moves(added: list[str], deleted: list[str]) -> tuple[list[str], list[str], list[str]]:
    """A deleted paragraph added unchanged elsewhere is moved: (added, deleted, moved), in order."""
    available = Counter(added)
    moved: list[str] = []
    kept_deleted: list[str] = []
    for text in deleted:
        if available[text] > 0:
            available[text] -= 1
            moved.append(text)
        else:
            kept_deleted.append(text)
    to_drop = Counter(moved)
    kept_added: list[str] = []
    for text in added:
        if to_drop[text] > 0:
            to_drop[text] -= 1
        else:
            kept_added.append(text)
    return kept_added, kept_deleted, moved


def pair_block(a: Sequence[str], b: Sequence[str], threshold: float = 0.4) -> list[tuple[int, int]]:
    """Order-preserving pairs of similar paragraphs inside one replaced block."""
    if not a or not b:
        return []
    if len(a) * len(b) > 400:
        return [(i, i) for i in range(min(len(a), len(b)))]
    score = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            ratio = similarity(a[i], b[j])
            take = ratio + score[i + 1][j + 1] if ratio >= threshold else -1.0
            score[i][j] = max(take, score[i + 1][j], score[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if score[i][j] == score[i + 1][j]:
            i += 1
        elif score[i][j] == score[i][j + 1]:
            j += 1
        else:
            pairs.append((i, j))
            i, j = i + 1, j + 1
    return pairs


def format_summary(summary: RedlineSummary, *, limit: int = 20, width: int = 40) -> list[str]:
    """Chinese lines for the terminal: the counts, then each change clipped around what differs."""
    if not (summary.added or summary.deleted or summary.changed or summary.moved):
        return ["两个版本的文字内容相同。"]
    counts = f"新增段落 {summary.added}，删除段落 {summary.deleted}，修改段落 {summary.changed}"
    lines = [counts + (f"，移动段落 {summary.moved}" if summary.moved else "")]
    items = [f"  修改：{_clip_pair(o, n, width)}" for o, n in summary.changes]
    items += [f"  新增：{clip(t, 0, len(t), width)}" for t in summary.added_texts]
    items += [f"  删除：{clip(t, 0, len(t), width)}" for t in summary.deleted_texts]
    items += [f"  移动：{clip(t, 0, len(t), width)}" for t in summary.moved_texts]
    lines += items[:limit]
    if len(items) > limit:
        lines.append(f"  ……另有 {len(items) - limit} 处未列出")
    return lines


def _clip_pair(old: str, new: str, width: int) -> str:
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return f"{clip(old, start, len(old) - end, width)} → {clip(new, start, len(new) - end, width)}"


def clip(text: str, start: int, end: int, width: int, context: int = 10) -> str:
    """text[start:end] with `context` characters each side, … where cut."""
    middle = text[start:end]
    if len(middle) > width:
        middle = middle[:width] + "…"
    left, right = max(0, start - context), min(len(text), end + context)
    head = ("…" if left else "") + text[left:start]
    tail = text[end:right] + ("…" if right < len(text) else "")
    return head + middle + tail
