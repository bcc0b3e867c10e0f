"""The desk's state readable by the office's account only: the SQLite file (and its -wal, -shm) 0600, the state
folder and everything in it 0700 (folders) and 0600 (files). The desk makes them so; `make_private` checks at
start what an older version, a copy or a hand left, fixes what it may, and names what it may not (a file of
another account, a link)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from report_builder.web.store import PRIVATE_FILE, PRIVATE_FOLDER

__all__ = ["Privacy", "make_private"]

SQLITE_SIDES = ("", "-wal", "-shm", "-journal")


@dataclass
class Privacy:
    fixed: list[Path] = field(default_factory=list)  # made 0600 / 0700
    refused: list[tuple[Path, str]] = field(default_factory=list)  # (path, why not, in Chinese)


def make_private(state: Path) -> Privacy:
    """Check and fix the modes of a desk's state (`state`: its SQLite file, store.default_state)."""
    found = Privacy()
    paths = [state.with_name(state.name + side) for side in SQLITE_SIDES]
    folder = state.with_suffix("")
    paths.append(folder)
    if folder.is_dir() and not folder.is_symlink():
        for root, folders, files in os.walk(folder):
            paths += [Path(root, name) for name in (*folders, *files)]
    for path in paths:
        _check(path, found)
    return found


def _check(path: Path, found: Privacy) -> None:
    try:
        status = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(status.st_mode):
        found.refused.append((path, "是一个链接（收表记录中不应有链接）"))
        return
    if status.st_uid != os.geteuid():
        found.refused.append((path, "属于另一个账户"))
        return
    wanted = PRIVATE_FOLDER if stat.S_ISDIR(status.st_mode) else PRIVATE_FILE
    if stat.S_IMODE(status.st_mode) != wanted:
        try:
            path.chmod(wanted)
        except OSError:
            found.refused.append((path, "无法修改权限"))
            return
        found.fixed.append(path)
