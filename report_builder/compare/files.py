"""The compare wing's entry point: `compare_files(old, new, out)`, what `report-builder diff` calls.

Two workbooks (.xlsx/.xlsm/.xls) give their changed cells; two reports (.docx) give a redline
written to `out` (default: NEW's name + "_修订.docx", never overwritten), its paragraph summary,
and the figure changes when both reports have a manifest. Any problem is a `DiffError`
(`usage` set when the command was given wrong, e.g. two files of different kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from report_builder.compare.inputs import DiffError, require_file
from report_builder.compare.paragraph_diff import RedlineSummary, format_summary
from report_builder.compare.redline import redline_docx
from report_builder.compare.workbook_diff import CellChange, diff_workbooks, format_cell_changes
from report_builder.outputs import version_history, versions
from report_builder.schema import WORKBOOK_SUFFIXES

__all__ = ["CompareResult", "DiffError", "compare_files"]



@dataclass(frozen=True, slots=True)
class CompareResult:
    """What changed: cells of two workbooks, or the paragraphs (and figures) of two reports."""

    kind: Literal["workbooks", "documents"]
    cell_changes: tuple[CellChange, ...] = ()
    summary: RedlineSummary | None = None
    redline: Path | None = None  # the tracked-changes .docx written (documents only)
    figure_changes: tuple[version_history.FigureChange, ...] | None = None  # None: a report has no manifest

    def lines(self) -> list[str]:
        """The result as Chinese lines for the terminal."""
        if self.kind == "workbooks":
            return format_cell_changes(self.cell_changes) if self.cell_changes else ["两个文件的内容相同。"]
        lines = format_summary(self.summary) if self.summary is not None else []
        if self.figure_changes is not None:
            lines.append("数字的变化：" if self.figure_changes else "报告中的数字没有变化。")
            lines += [f"  {c.text}" for c in self.figure_changes]
        return [*lines, f"修订版：{self.redline}"]


def compare_files(old: Path, new: Path, out: Path | None = None) -> CompareResult:
    """Compare two versions of a workbook, or of a report (writing the redline); see the module docstring."""
    old, new = Path(old), Path(new)
    for path in (old, new):
        require_file(path)
    suffixes = {old.suffix.lower(), new.suffix.lower()}
    if suffixes <= set(WORKBOOK_SUFFIXES):
        return CompareResult("workbooks", cell_changes=tuple(diff_workbooks(old, new)))
    if suffixes != {".docx"}:
        raise DiffError("请比较两个 .docx 报告，或两个 .xlsx 填报表。", usage=True)
    out = Path(out) if out is not None else new.with_name(f"{new.stem}_修订.docx")
    if out.exists():
        raise DiffError(f"“{out}”已存在，未覆盖；请用 --out 指定新的文件名。", usage=True)
    summary = redline_docx(old, new, out)
    old_manifest, new_manifest = versions.read_manifest(old), versions.read_manifest(new)
    figures = None
    if old_manifest and new_manifest:
        old_figures, new_figures = old_manifest.get("figures", {}), new_manifest.get("figures", {})
        figures = tuple(version_history.figure_changes(old_figures, new_figures))
    return CompareResult("documents", summary=summary, redline=out, figure_changes=figures)
