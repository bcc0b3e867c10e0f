"""Outputs that are never lost: atomic writes and numbered versions.

A file is written to a temporary name in the same folder, flushed, and then linked to
its final name, which fails if the name exists: nothing is ever overwritten, a killed
write leaves no partial file, and the version number is claimed by the link itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_atomic(path: Path, data: bytes, *, overwrite: bool = False) -> None:
    """Write `data` to `path` all at once; refuse (FileExistsError) to replace a file unless `overwrite`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def remove_stale_temporaries(folder: Path) -> None:
    """Delete `.name.PID.tmp` files left by a write that was killed (its process is gone)."""
    for tmp in folder.glob(".*.tmp") if folder.is_dir() else []:
        match = re.search(r"\.(\d+)\.tmp$", tmp.name)
        if match and not _alive(int(match.group(1))):
            with contextlib.suppress(OSError):
                tmp.unlink()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class Version:
    number: int
    path: Path


def list_versions(folder: Path, stem: str, suffix: str) -> list[Version]:
    """`stem_v1.suffix`, `stem_v2.suffix`… in `folder`, oldest first; a plain `stem.suffix` is version 1."""
    pattern = re.compile(re.escape(stem) + r"_v(\d+)" + re.escape(suffix) + "$")
    plain = folder / f"{stem}{suffix}"
    found = [Version(1, plain)] if plain.is_file() else []
    for path in folder.glob(f"{glob_escape(stem)}_v*{suffix}") if folder.is_dir() else []:
        match = pattern.match(path.name)
        if match:
            found.append(Version(int(match.group(1)), path))
    return sorted(found, key=lambda v: v.number)


def glob_escape(text: str) -> str:
    return re.sub(r"([\[\]*?])", r"[\1]", text)


def write_next_version(folder: Path, stem: str, suffix: str, data: bytes,
                       same: Callable[[Path], bool] | None = None, *, plain_first: bool = False,
                       ) -> tuple[Path, bool]:
    """Write `data` as the next version, unless the newest one is the same.

    `same(newest)` decides; by default the bytes are compared. With `plain_first` the first
    version is `stem.suffix` (a department's template is just `教务处.xlsx`), later ones `stem_v2.suffix`.
    Returns the path and whether it was unchanged (nothing written).
    """
    is_same = same or (lambda newest: newest.read_bytes() == data)
    remove_stale_temporaries(folder)
    while True:
        versions = list_versions(folder, stem, suffix)
        if versions and is_same(versions[-1].path):
            return versions[-1].path, True
        number = versions[-1].number + 1 if versions else 1
        path = folder / (f"{stem}{suffix}" if plain_first and number == 1 else f"{stem}_v{number}{suffix}")
        try:
            write_atomic(path, data)
            return path, False
        except FileExistsError:
            continue  # another build took this number first: take the next one


def manifest_path(report: Path) -> Path:
    return report.with_suffix(".manifest.json")


def read_manifest(report: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads(manifest_path(report).read_text(encoding="utf-8"))
        return data
    except (OSError, ValueError):
        return None


# ---- what changed between versions ---------------------------------------------------------------

@dataclass(frozen=True)
class Build:
    """One built version as its manifest describes it."""

    path: Path
    built_at: str
    inputs: dict[str, str]  # file → sha256
    figures: dict[str, Any]


@dataclass(frozen=True)
class FigureChange:
    name: str
    old: int | None
    new: int | None
    departments: tuple[str, ...]  # whose share of the figure changed


def list_builds(folder: Path) -> list[Build]:
    """Every report version in `folder` that has a manifest, oldest first (by name and number)."""
    reports = sorted(folder.glob("*_v*.docx"), key=_version_key) if folder.is_dir() else []
    builds = []
    for report in reports:
        manifest = read_manifest(report)
        if manifest is not None:
            builds.append(Build(report, str(manifest.get("built_at", "")),
                                {i["file"]: i["sha256"] for i in manifest.get("inputs", [])},
                                manifest.get("figures", {})))
    return builds


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
