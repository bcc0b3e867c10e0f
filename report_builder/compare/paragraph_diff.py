"""Near-linear paragraph alignment for `diff.summarize_paragraphs`.

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

__all__ = ["SMALL", "opcodes", "similarity"]

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
