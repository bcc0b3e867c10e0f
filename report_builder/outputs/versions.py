"""Outputs that are never lost: atomic writes, and numbered versions that are whole or absent.

A single file is written whole by report_builder.atomic (a temporary beside it, then linked: nothing is
ever overwritten and a killed write leaves no partial file). A report version is several files;
`write_version` claims its number, stages every file under a temporary name and publishes them with the
manifest last, as the commit mark; the next build finishes or undoes what a killed one left (`recover`).
Design: docs/outputs.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from report_builder.atomic import process_alive, remove_stale_temporaries, sync_folder, write_atomic, write_file
from report_builder.atomic import remove as _remove
from report_builder.atomic import temporary_path as _temporary
from report_builder.names import path_inside
from report_builder.outputs.manifests import (
    MANIFEST_SCHEMA,
    MANIFEST_SUFFIX,
    Manifest,
    load_manifest,
    manifest_dict,
    manifest_path,
)

__all__ = ["PUBLISHED", "PublishedSoFar", "Saved", "Version", "claimed_by_live_build", "list_versions", "manifest_path",
           "read_manifest", "recover", "sha256", "write_next_version", "write_version"]


@dataclass(slots=True)
class PublishedSoFar:
    """How many outputs this process has published whole (report versions, numbered files) and the last one:
    what an interrupted command can still say it left behind (report_builder.cli.signals reads it on Ctrl-C)."""

    count: int = 0
    last: Path | None = None

    def add(self, path: Path) -> None:
        self.count, self.last = self.count + 1, path


PUBLISHED = PublishedSoFar()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _link_new(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, all at once; FileExistsError if it exists."""
    write_atomic(path, data)


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    path: Path


@dataclass(frozen=True, slots=True)
class Saved:
    """The outcome of `write_next_version`."""

    path: Path
    unchanged: bool  # the newest version was the same: nothing written


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
                       ) -> Saved:
    """Write `data` as the next version of a one-file output, unless the newest one is the same.

    `same(newest)` decides; by default the bytes are compared. With `plain_first` the first
    version is `stem.suffix` (a department's template is just `教务处.xlsx`), later ones `stem_v2.suffix`.
    """
    is_same = same or (lambda newest: newest.read_bytes() == data)
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    while True:
        versions = list_versions(folder, stem, suffix)
        if versions and is_same(versions[-1].path):
            return Saved(versions[-1].path, True)
        number = versions[-1].number + 1 if versions else 1
        path = path_inside(folder, f"{stem}{suffix}" if plain_first and number == 1 else f"{stem}_v{number}{suffix}")
        try:
            _link_new(path, data)
            PUBLISHED.add(path)
            return Saved(path, False)
        except FileExistsError:
            continue  # another build took this number first: take the next one


# ---- report versions: several files, whole or absent ---------------------------------------------

@dataclass(frozen=True, slots=True)
class Published:
    """The outcome of `write_version`: the report of the new (or unchanged newest) version."""

    report: Path
    unchanged: bool
    incomplete: tuple[Path, ...]  # reports seen without a valid manifest (not whole), newest first


def write_version(folder: Path, stem: str, fingerprint: str, manifest: Mapping[str, Any],
                  make_files: Callable[[], Mapping[str, bytes]], needs: Collection[str] = ()) -> Published:
    """Publish the next version `stem_vN` of a report, whole or not at all, unless the newest is the same.

    The newest whole version is the same when it has this fingerprint and a file of each suffix in `needs`
    (`build --html` after a plain build makes a new version with the web page; a plain build after it does not).
    `make_files()` gives suffix → bytes, the report first (".docx"); it is called only when a new
    version is needed. `manifest` gains `schema_version`, `version` and `files` (name → sha256) and is
    published last. Raises OSError (nothing of the version is left) when the folder cannot be written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    recover(folder)
    newest, incomplete = _newest_whole(folder, stem)
    if newest is not None and _same(newest, fingerprint, needs):
        return Published(newest[0], True, incomplete)
    files = dict(make_files())
    with _locked(folder):  # the same inputs built twice at once publish one version: the later one finds it here
        newest, incomplete = _newest_whole(folder, stem)
        if newest is not None and _same(newest, fingerprint, needs):
            return Published(newest[0], True, incomplete)
        number, claim = _claim(folder, stem)
        return Published(_publish(folder, f"{stem}_v{number}", files, manifest, claim), False, incomplete)


def _same(newest: tuple[Path, Manifest], fingerprint: str, needs: Collection[str]) -> bool:
    """Whether the newest whole version is the one to be built: the same fingerprint and every file `needs` asks."""
    report, manifest = newest
    return manifest.fingerprint == fingerprint and all(
        report.name.removesuffix(".docx") + suffix in manifest.files for suffix in needs)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder itself (flock on its descriptor: no lock file is left behind), held from
    looking at the newest version to publishing the next; released when the process ends, however it ends.
    Where the system has no such lock the build goes on without it (as before)."""
    try:
        import fcntl

        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):  # a file system without flock
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _publish(folder: Path, prefix: str, files: Mapping[str, bytes], manifest: Mapping[str, Any],
             claim: Path) -> Path:
    finals = [path_inside(folder, prefix + suffix) for suffix in files]
    record = {"schema_version": MANIFEST_SCHEMA, **manifest, "version": finals[0].name,
              "files": {path.name: sha256(data) for path, data in zip(finals, files.values(), strict=True)}}
    final_manifest = path_inside(folder, prefix + MANIFEST_SUFFIX)
    staged: list[Path] = []
    published: list[Path] = []
    try:
        for path, data in [*zip(finals, files.values(), strict=True),
                           (final_manifest, json.dumps(record, ensure_ascii=False, indent=2).encode())]:
            staged.append(_temporary(path))
            write_file(staged[-1], data)
        for path, tmp in zip([*finals, final_manifest], staged, strict=True):
            os.link(tmp, path)  # the manifest last: its link is the commit
            published.append(path)
    except BaseException:
        for path in [*published, *staged, claim]:
            _remove(path)
        raise
    PUBLISHED.add(finals[0])  # whole from the manifest's link on, whatever interrupts what follows
    sync_folder(folder)
    for path in [*staged, claim]:
        _remove(path)
    return finals[0]


def _claim(folder: Path, stem: str) -> tuple[int, Path]:
    """Claim the next free number of `stem` with `.stem_vN.claim` (holding our pid), made all at once."""
    pattern = re.compile(r"\.?" + re.escape(stem) + r"_v(\d+)\.")
    used = [int(m.group(1)) for name in os.listdir(folder) if (m := pattern.match(name))]
    number = max(used, default=0) + 1
    while True:
        claim = path_inside(folder, f".{stem}_v{number}.claim")
        try:
            _link_new(claim, f"{os.getpid()}\n".encode())
            return number, claim
        except FileExistsError:
            number += 1


def _number(report: Path) -> int:
    match = re.search(r"_v(\d+)\.docx$", report.name)
    return int(match.group(1)) if match else 0


def _newest_whole(folder: Path, stem: str) -> tuple[tuple[Path, Manifest] | None, tuple[Path, ...]]:
    """The newest whole version of `stem` (its report and manifest), and the incomplete ones above it."""
    pattern = re.compile(re.escape(stem) + r"_v(\d+)\.docx$")
    reports = sorted((p for p in folder.glob(f"{glob_escape(stem)}_v*.docx") if pattern.match(p.name)),
                     key=_number, reverse=True)
    incomplete: list[Path] = []
    for report in reports:
        manifest = load_manifest(manifest_path(report))
        if manifest is not None:
            return (report, manifest), tuple(incomplete)
        if not claimed_by_live_build(report):
            incomplete.append(report)
    return None, tuple(incomplete)


def claimed_by_live_build(report: Path) -> bool:
    pid = _claim_pid(report.with_name(f".{report.name.removesuffix('.docx')}.claim"))
    return pid is not None and process_alive(pid)


def _claim_pid(claim: Path) -> int | None:
    try:
        return int(claim.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return None


def recover(folder: Path) -> None:
    """Finish or undo every version whose build died (its claim's process is gone); drop stale temporaries."""
    for claim in folder.glob(".*_v*.claim") if folder.is_dir() else []:
        match = re.fullmatch(r"\.(.+_v\d+)\.claim", claim.name)
        pid = _claim_pid(claim)
        if match is None or (pid is not None and process_alive(pid)):
            continue
        if not _finish(folder, match.group(1), pid):
            for name in os.listdir(folder):
                if name.startswith(match.group(1) + "."):
                    _remove(folder / name)
        _remove(claim)
    remove_stale_temporaries(folder)


def _finish(folder: Path, prefix: str, pid: int | None) -> bool:
    """Whether version `prefix` is whole, or could be made whole from what its dead build staged."""
    final_manifest = folder / f"{prefix}{MANIFEST_SUFFIX}"
    if load_manifest(final_manifest) is not None:
        return True
    staged = load_manifest(_temporary(final_manifest, pid)) if pid is not None else None
    if staged is None or final_manifest.exists() or staged.version != f"{prefix}.docx":
        return False
    sources = []
    for name, digest in staged.files.items():
        if not name.startswith(prefix + "."):
            return False
        final = path_inside(folder, name)
        source = final if final.exists() else _temporary(final, pid)
        try:
            if _file_sha256(source) != digest:
                return False
        except OSError:
            return False
        sources.append((source, final))
    for source, final in [*sources, (_temporary(final_manifest, pid), final_manifest)]:
        if source != final:
            os.link(source, final)
    sync_folder(folder)
    return True


def read_manifest(report: Path) -> dict[str, Any] | None:
    """The manifest of `report` as plain data, or None when it is missing or not a valid manifest."""
    manifest = load_manifest(manifest_path(report))
    return None if manifest is None else manifest_dict(manifest)
