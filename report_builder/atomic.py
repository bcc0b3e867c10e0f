"""Whole-or-absent files: the one module that writes a file atomically, names its temporaries and tells
whether the process that left one is still alive (docs/outputs.md).

A file is first written under a temporary name beside its final one, `.NAME.PID.tmp` (the writer's
process id inside), synced, then linked to its final name (which fails if the name exists: nothing is
replaced) or renamed over it (`overwrite`). A killed write leaves only a temporary, which the next writer of
that folder removes once its process is gone (`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

__all__ = ["PUBLIC_FILE", "is_temporary", "process_alive", "real_name", "remove", "remove_stale_temporaries",
           "sync_folder", "temporary_owner", "temporary_path", "write_atomic", "write_file"]

PUBLIC_FILE = 0o644  # outputs the office shares; the desk's private state passes 0o600
_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.tmp$")
_TEMPORARY_IN_PATH = re.compile(r"(^|[\\/])\.([^\\/]+)\.\d+\.tmp$")


def temporary_path(path: Path, pid: int | None = None) -> Path:
    """Where `path` is written first by process `pid` (this one by default)."""
    return path.with_name(f".{path.name}.{os.getpid() if pid is None else pid}.tmp")


def temporary_owner(name: str) -> int | None:
    """The process id in a temporary file's name, or None when `name` is not one."""
    match = _TEMPORARY.match(name)
    return int(match.group("pid")) if match else None


def is_temporary(name: str) -> bool:
    return _TEMPORARY.match(name) is not None


def real_name(path: str) -> str:
    """A path as the user knows it: a temporary shown as the file it was becoming."""
    return _TEMPORARY_IN_PATH.sub(r"\1\2", path)


def process_alive(pid: int, *, this_one: bool = True) -> bool:
    """Whether process `pid` exists (`this_one`: whether this process counts; a server repairing its state
    at start passes False, since it cannot be writing yet)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return this_one
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another account's process: alive
        return True
    except (OverflowError, ValueError):
        return False
    return True


def write_file(path: Path, data: bytes, mode: int = PUBLIC_FILE) -> None:
    """Write `data` to `path` (created or emptied) and fsync it: the step before a link or a rename."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, overwrite: bool = False, mode: int = PUBLIC_FILE) -> None:
    """Write `data` to `path` all at once; refuse (FileExistsError) to replace a file unless `overwrite`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        write_file(tmp, data, mode)
        (os.replace if overwrite else os.link)(tmp, path)
    finally:
        remove(tmp)


def remove_stale_temporaries(folder: Path, *, this_one: bool = True) -> int:
    """Delete the temporaries in `folder` whose writer is gone; return how many."""
    removed = 0
    for path in folder.glob(".*.tmp") if folder.is_dir() else []:
        pid = temporary_owner(path.name)
        if pid is not None and not process_alive(pid, this_one=this_one):
            remove(path)
            removed += 1
    return removed


def sync_folder(folder: Path) -> None:
    """Make the links made in `folder` durable (best effort: some file systems refuse)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
