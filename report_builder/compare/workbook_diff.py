"""Cell diff of two workbooks: every cell whose displayed value differs.

Both files go through the one Excel reader (intake.reader: pre-checks, then the parser), each in a
capped worker process; values are shown as text the one way (intake.cells.show).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from report_builder.compare.inputs import require_file, unwrap
from report_builder.compare.paragraph_diff import clip
from report_builder.findings import Finding
from report_builder.intake.cells import show
from report_builder.intake.reader import RawWorkbook, read_workbook
from report_builder.isolation import run_isolated
from report_builder.ooxml import cell_name

__all__ = ["CellChange", "diff_workbooks", "format_cell_changes"]

WORKBOOK_MEMORY_MB, WORKBOOK_TIMEOUT_S = 500, 30.0  # per workbook read, as for `check`


@dataclass(frozen=True, slots=True)
class CellChange:
    """One cell whose displayed value differs; "" stands for an empty cell or a missing sheet."""

    sheet: str
    cell: str
    old: str
    new: str


def diff_workbooks(old: Path, new: Path) -> list[CellChange]:
    """Cells whose displayed value differs, by sheet (NEW's order, then removed sheets), row, column."""
    paths = [Path(old), Path(new)]
    for path in paths:
        require_file(path)
    results = run_isolated(_read, paths,
                           memory_mb=WORKBOOK_MEMORY_MB, timeout_s=WORKBOOK_TIMEOUT_S)
    caps = ("file-unsafe", WORKBOOK_MEMORY_MB, WORKBOOK_TIMEOUT_S)
    before, after = (_sheets(unwrap(result, path, caps)) for path, result in zip(paths, results, strict=True))
    names = list(after) + [name for name in before if name not in after]
    changes: list[CellChange] = []
    for name in names:
        rows_a, rows_b = before.get(name, []), after.get(name, [])
        for r in range(max(len(rows_a), len(rows_b))):
            row_a = rows_a[r] if r < len(rows_a) else []
            row_b = rows_b[r] if r < len(rows_b) else []
            for c in range(max(len(row_a), len(row_b))):
                value_a = row_a[c] if c < len(row_a) else ""
                value_b = row_b[c] if c < len(row_b) else ""
                if value_a != value_b:
                    changes.append(CellChange(name, cell_name(r, c), value_a, value_b))
    return changes


def _sheets(book: RawWorkbook) -> dict[str, list[list[str]]]:
    """Every sheet as rows of displayed strings, from A1."""
    return {sheet.name: [[show(v) for v in row] for row in sheet.rows] for sheet in book.sheets}


def format_cell_changes(changes: Sequence[CellChange], *, limit: int = 50) -> list[str]:
    """Chinese lines for the terminal, one per changed cell."""
    if not changes:
        return ["两个版本的单元格内容相同。"]
    lines = [f"共有 {len(changes)} 个单元格不同："]
    for c in changes[:limit]:
        lines.append(
            f"  {c.sheet}!{c.cell}：“{clip(c.old, 0, len(c.old), 30)}” → “{clip(c.new, 0, len(c.new), 30)}”"
        )
    if len(changes) > limit:
        lines.append(f"  ……另有 {len(changes) - limit} 个单元格未列出")
    return lines


def _read(path: Path) -> RawWorkbook | Finding:
    """In a worker (a top-level function: a fork server can send it)."""
    return read_workbook(path, str(path))
