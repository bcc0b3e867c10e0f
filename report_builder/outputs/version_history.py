"""What changed between the versions of a report: the whole versions of a folder, their inputs and figures.

`versions`, `build --from` and `diff` read the manifests that outputs.versions published with each version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report_builder.formats import DEFAULT_FORMAT
from report_builder.outputs.manifests import load_manifest, manifest_path
from report_builder.outputs.versions import claimed_by_live_build

__all__ = ["Build", "FigureChange", "departments_text", "figure_changes", "input_changes", "list_builds"]

SHOWN_DEPARTMENTS = 5  # of a changed figure, in the terminal or on a page


@dataclass(frozen=True, slots=True)
class Build:
    """One built version as its manifest describes it."""

    path: Path
    built_at: str
    inputs: dict[str, str]  # file → sha256
    figures: dict[str, Any]
    report_format: str = DEFAULT_FORMAT  # report_builder.formats; a manifest before formats: the default


@dataclass(frozen=True, slots=True)
class FigureChange:
    name: str
    old: int | None
    new: int | None
    departments: tuple[str, ...]  # whose share of the figure changed

    @property
    def text(self) -> str:
        """"主动公开条数：120 → 135（教务处、学生处）"."""
        return f"{self.name}：{self.old} → {self.new}（{departments_text(self.departments)}）"


def list_builds(folder: Path) -> tuple[list[Build], list[Path]]:
    """The whole versions in `folder`, oldest first (by name and number), and the reports that are not whole.

    A report is not whole when its manifest is missing or not valid (and no live build is writing it).
    """
    reports = sorted((p for p in folder.glob("*_v*.docx") if re.search(r"_v\d+\.docx$", p.name)),
                     key=_version_key) if folder.is_dir() else []
    builds, incomplete = [], []
    for report in reports:
        manifest = load_manifest(manifest_path(report))
        if manifest is not None:
            builds.append(Build(report, manifest.built_at, {i.file: i.sha256 for i in manifest.inputs},
                                {k: v.model_dump() for k, v in manifest.figures.items()}, manifest.format))
        elif not claimed_by_live_build(report):
            incomplete.append(report)
    return builds, incomplete


def _version_key(path: Path) -> tuple[str, int]:
    match = re.match(r"(.*)_v(\d+)\.docx$", path.name)
    return (match.group(1), int(match.group(2))) if match else (path.name, 0)


def input_changes(old: Build | None, new: Build) -> list[str]:
    """Chinese phrases for the inputs added, removed or changed since `old`."""
    if old is None:
        return ["首个版本"]
    changes = [f"新增 {f}" for f in new.inputs if f not in old.inputs]
    changes += [f"删除 {f}" for f in old.inputs if f not in new.inputs]
    changes += [f"修改 {f}" for f in new.inputs if f in old.inputs and old.inputs[f] != new.inputs[f]]
    return changes or ["输入未变（模板或工具有变化）"]


def figure_changes(old: dict[str, Any], new: dict[str, Any]) -> list[FigureChange]:
    """Figures whose value differs between two manifests, with the departments whose cells changed."""
    found = []
    for name in dict.fromkeys([*old, *new]):
        before, after = old.get(name, {}), new.get(name, {})
        if before.get("value") == after.get("value"):
            continue
        shares_old, shares_new = before.get("by_department", {}), after.get("by_department", {})
        departments = tuple(d for d in dict.fromkeys([*shares_old, *shares_new])
                            if shares_old.get(d) != shares_new.get(d))
        found.append(FigureChange(name, before.get("value"), after.get("value"), departments))
    return found


def departments_text(names: tuple[str, ...]) -> str:
    """"教务处、财务处", or the first SHOWN_DEPARTMENTS and how many (two years differ in every department)."""
    if len(names) <= SHOWN_DEPARTMENTS:
        return "、".join(names) or "—"
    return f"{'、'.join(names[:SHOWN_DEPARTMENTS])}等 {len(names)} 个部门"
