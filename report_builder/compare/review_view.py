"""What a reviewer reads: a version of the report, block by block, with the changes since another version marked.

The blocks (paragraphs and tables of the body, `wordml_blocks.document_blocks`) are shown as the web page shows them
(`outputs.web_page.block_html`, without its inline styles: the page that embeds them styles them). The blocks of
the two versions are aligned by `paragraph_diff.opcodes` and similar blocks of a replaced run paired as `diff`
pairs them; a changed paragraph shows its inserted and deleted words (<ins>, <del>), a changed table its changed
cells, a deleted block is shown struck through where it was. The figures whose value changed (the two manifests'
`figures`) are attached to the changed blocks that print them, with the departments whose shares moved.
Design: docs/publication.md, "What a reviewer sees".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from report_builder.compare.paragraph_diff import opcodes, pair_block
from report_builder.findings import Finding
from report_builder.outputs.manifests import Manifest, load_manifest, manifest_path
from report_builder.outputs.reviews import block_text, report_sha256
from report_builder.outputs.version_history import FigureChange, figure_changes
from report_builder.outputs.web_page import block_html, escape_text, paragraph_tag
from report_builder.wordml_blocks import Block, Paragraph, Table, TableRow, block_texts, document_blocks

__all__ = ["ReviewBlock", "ReviewView", "review_view"]

INSERTED, CHANGED, DELETED = "inserted", "changed", "deleted"
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[A-Za-z]+|\s+|.", re.DOTALL)  # a number or a Latin word is one token
_MAX_WORK = 4_000_000  # tokens × tokens of one paragraph pair diffed word by word; above, replaced whole
_STYLE = re.compile(r' style="[^"]*"')  # web_page escapes every attribute value: no '"' inside one


@dataclass(frozen=True, slots=True)
class ReviewBlock:
    """One block as the reviewer sees it; `html` is safe to embed (escaped, no script, no style attribute)."""

    number: int  # its place in the version, from 1; 0 for a block deleted (it is not in this version)
    change: str  # "" (as before, or no earlier version), "inserted", "changed", "deleted"
    html: str
    text: str  # its text on one line
    figures: tuple[FigureChange, ...] = ()  # changed figures this block prints
    cells: tuple[str, ...] = ()  # a changed table's changed cells, in Chinese


@dataclass(frozen=True, slots=True)
class ReviewView:
    """A version as a reviewer reads it, marked with the changes since `since` (None: the whole text, unmarked)."""

    report: Path
    sha256: str  # of the report shown: what a decision on this page is about
    since: Path | None
    blocks: tuple[ReviewBlock, ...]
    figures: tuple[FigureChange, ...]  # every figure whose value changed since `since`

    def count(self, change: str) -> int:
        return sum(block.change == change for block in self.blocks)

    @property
    def changes(self) -> int:
        return sum(bool(block.change) for block in self.blocks)


def review_view(report: Path, since: Path | None = None) -> ReviewView | Finding:
    """The version whose report is `report` block by block, with the changes since the version whose report is
    `since` marked (None, or a version that is no longer whole: nothing marked). `report` must be a whole version
    whose report is the one its manifest lists (`review-version-changed` otherwise)."""
    report = Path(report)
    manifest = load_manifest(manifest_path(report))
    sha = report_sha256(report)
    if manifest is None or not sha or manifest.files.get(report.name) != sha:
        return Finding("review-version-changed", report.name)
    blocks = document_blocks(report.read_bytes())
    earlier = load_manifest(manifest_path(since)) if since is not None else None
    if since is None or earlier is None or not report_sha256(since):
        return ReviewView(report, sha, None, tuple(_same(n, b) for n, b in enumerate(blocks, 1)), ())
    shown = _marked(document_blocks(since.read_bytes()), blocks)
    notes = tuple(_figures(earlier, manifest))
    return ReviewView(report, sha, Path(since), _placed(shown, notes), notes)


def _figures(old: Manifest, new: Manifest) -> list[FigureChange]:
    return figure_changes({k: v.model_dump() for k, v in old.figures.items()},
                          {k: v.model_dump() for k, v in new.figures.items()})


def _same(number: int, block: Block, change: str = "") -> ReviewBlock:
    return ReviewBlock(number, change, _unstyled(block_html(block)), block_text(block))


def _unstyled(html: str) -> str:
    return _STYLE.sub("", html)


@dataclass(frozen=True, slots=True)
class _Shown:
    """A block as shown, with the text it gained and lost (where a changed figure is looked for)."""

    block: ReviewBlock
    gained: str = ""
    lost: str | None = None  # None: nothing was replaced (an inserted block)


def _marked(old: Sequence[Block], new: Sequence[Block]) -> list[_Shown]:
    """The new blocks in order, deleted old ones where they were, each marked with its change."""
    a, b = [block_text(x) for x in old], [block_text(x) for x in new]
    shown: list[_Shown] = []
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            shown += [_Shown(_same(j + 1, new[j])) for j in range(j1, j2)]
            continue
        at_a, at_b = i1, j1
        for x, y in [*((i1 + p, j1 + q) for p, q in pair_block(a[i1:i2], b[j1:j2])), (i2, j2)]:
            shown += [_Shown(_deleted(old[i])) for i in range(at_a, x)]
            shown += [_inserted(j + 1, new[j]) for j in range(at_b, y)]
            if x < i2 and y < j2:
                shown += _changed(y + 1, old[x], new[y])
            at_a, at_b = x + 1, y + 1
    return shown


def _inserted(number: int, block: Block) -> _Shown:
    shown = _same(number, block, INSERTED)
    return _Shown(shown, shown.text)


def _deleted(block: Block) -> ReviewBlock:
    text = block_text(block)
    return ReviewBlock(0, DELETED, f"<p><del>{escape_text(text)}</del></p>", text)


def _changed(number: int, old: Block, new: Block) -> list[_Shown]:
    if isinstance(old, Paragraph) and isinstance(new, Paragraph):
        tag = paragraph_tag(new)
        html, gained, lost = _words(old.text, new.text)
        return [_Shown(ReviewBlock(number, CHANGED, f"<{tag}>{html}</{tag}>", block_text(new)), gained, lost)]
    if isinstance(old, Table) and isinstance(new, Table):
        cells = _cells(old, new)
        block = ReviewBlock(number, CHANGED, _unstyled(block_html(new)), block_text(new),
                            cells=tuple(line for line, _, _ in cells))
        return [_Shown(block, " ".join(after for _, _, after in cells), " ".join(before for _, before, _ in cells))]
    return [_Shown(_deleted(old)), _inserted(number, new)]


def _words(old: str, new: str) -> tuple[str, str, str]:
    """`new` escaped, with what it lost from `old` in <del> and what it gained in <ins>; the gained and lost text."""
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    if len(a) * len(b) > _MAX_WORK:
        return f"<del>{escape_text(old)}</del><ins>{escape_text(new)}</ins>", new, old
    out, gained, lost = [], [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        gone, came = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            out.append(escape_text(came))
            continue
        out.append((f"<del>{escape_text(gone)}</del>" if gone else "")
                   + (f"<ins>{escape_text(came)}</ins>" if came else ""))
        gained.append(came)
        lost.append(gone)
    return "".join(out), " ".join(gained), " ".join(lost)


def _cells(old: Table, new: Table) -> list[tuple[str, str, str]]:
    """The changed cells of a table: (a Chinese line "第 3 行第 2 列：12 → 15", the text before, after)."""
    rows_a, rows_b = [_row(r) for r in old.rows], [_row(r) for r in new.rows]
    found: list[tuple[str, str, str]] = []
    for tag, i1, i2, j1, j2 in opcodes(["\t".join(r) for r in rows_a], ["\t".join(r) for r in rows_b]):
        if tag == "equal":
            continue
        for k in range(max(i2 - i1, j2 - j1)):
            before = rows_a[i1 + k] if i1 + k < i2 else None
            after = rows_b[j1 + k] if j1 + k < j2 else None
            if after is None:
                found.append((f"删除一行：{' | '.join(before or ())}", " ".join(before or ()), ""))
            elif before is None or len(before) != len(after):
                line = f"第 {j1 + k + 1} 行（新）：{' | '.join(after)}"
                found.append((line, " ".join(before or ()), " ".join(after)))
            else:
                found += [(f"第 {j1 + k + 1} 行第 {c + 1} 列：{x or '（空）'} → {y or '（空）'}", x, y)
                          for c, (x, y) in enumerate(zip(before, after, strict=True)) if x != y]
    return found


def _row(row: TableRow) -> list[str]:
    return [" ".join(" ".join(block_texts(c.blocks)).split()) for c in row.cells if not c.merged]


def _numbers(text: str) -> set[str]:
    return {token.replace(",", "") for token in re.findall(r"\d+(?:[.,]\d+)*", text)}


def _placed(shown: list[_Shown], notes: tuple[FigureChange, ...]) -> tuple[ReviewBlock, ...]:
    """Each changed figure attached to the changed or inserted blocks that gained its new value (and, where text
    was replaced, lost its old one)."""
    placed = []
    for item in shown:
        gained, lost = _numbers(item.gained), None if item.lost is None else _numbers(item.lost)
        mine = tuple(n for n in notes if n.new is not None and str(n.new) in gained
                     and (lost is None or n.old is None or str(n.old) in lost))
        block = item.block
        placed.append(ReviewBlock(block.number, block.change, block.html, block.text, mine, block.cells)
                      if mine else block)
    return tuple(placed)
