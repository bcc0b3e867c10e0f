"""Manifests, made and read here: one typed reader, so a manifest of the wrong shape is "not a whole version",
never a crash.

A manifest sits beside each report version (`…_vN.manifest.json`). Its `schema_version` says which
fields to expect: 1 (before `files` existed) or 2 (`files` lists every other file of the version with
its sha256). Anything that does not fit is refused here, once, and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from report_builder._version import __version__
from report_builder.formats import DEFAULT_FORMAT
from report_builder.intake.report_template import UsedTemplate, file_identity
from report_builder.report.merge import Figure, ReportData

if TYPE_CHECKING:  # the marked rendering's reader loads only when a report is built
    from report_builder.report.sources import FigureUse

__all__ = ["MANIFEST_SCHEMA", "MANIFEST_SUFFIX", "Manifest", "ManifestSentence", "load_manifest", "make_manifest",
           "manifest_dict", "manifest_path", "parse_manifest"]

MANIFEST_SCHEMA = 2
MANIFEST_SUFFIX = ".manifest.json"
MAX_MANIFEST_BYTES = 64 * 1024 * 1024  # a year of 4,000 departments writes a few MB


class ManifestInput(BaseModel):
    model_config = ConfigDict(frozen=True)
    file: str
    sha256: str


class ManifestFigure(BaseModel):
    model_config = ConfigDict(frozen=True)
    value: int | None
    by_department: dict[str, int] = Field(default_factory=dict)


class ManifestSentence(BaseModel):
    """A sentence of the report a figure lands in, and where its value is in it (start, end)."""

    model_config = ConfigDict(frozen=True)
    figure: str
    text: str
    at: tuple[int, int] = (0, 0)


class Manifest(BaseModel):
    """What a version was built from; extra fields are kept (newer tools may add some)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    schema_version: int = Field(default=1, ge=1, le=MANIFEST_SCHEMA)
    tool: str
    built_at: str = ""
    fingerprint: str
    version: str = ""
    inputs: list[ManifestInput]
    figures: dict[str, ManifestFigure]
    files: dict[str, str] = Field(default_factory=dict)  # file name → sha256 (schema 2)
    format: str = DEFAULT_FORMAT  # the report format built (report_builder.formats); older manifests: the default
    sentences: list[ManifestSentence] = Field(default_factory=list)  # each figure's sentences, in reading order
    department_files: dict[str, str] = Field(default_factory=dict)  # department → the file its figures came from


def manifest_path(report: Path) -> Path:
    return report.with_suffix(MANIFEST_SUFFIX)


def parse_manifest(data: bytes) -> Manifest | None:
    """The manifest in `data`, or None when it is not one (not JSON, another shape, a newer schema)."""
    try:
        manifest = Manifest.model_validate_json(data)
    except (ValueError, ValidationError, RecursionError):
        return None
    if manifest.schema_version >= 2 and not (manifest.version and manifest.files):
        return None
    return manifest


def load_manifest(path: Path) -> Manifest | None:
    """The manifest file at `path`, or None when it is missing, unreadable, too large or of the wrong shape."""
    try:
        if not path.is_file() or os.path.getsize(path) > MAX_MANIFEST_BYTES:
            return None
        return parse_manifest(path.read_bytes())
    except OSError:
        return None


def manifest_dict(manifest: Manifest) -> dict[str, Any]:
    return manifest.model_dump(mode="json")


def make_manifest(year_dir: Path, read: Mapping[str, str], checks: Mapping[str, int], data: ReportData,
                  template: UsedTemplate, docx: bytes, uses: Sequence[FigureUse] = ()) -> dict[str, Any]:
    """What a version was built from: inputs, template, tool, checks, figures (outputs.versions adds the rest).

    `read` is each file of the check with the sha256 of the bytes its worker read (not of the file as it
    is now); the files the check did not read (attachments, a .docx) are hashed as they are, streamed.
    `checks` is CheckReport.totals(). With last year's figures (`build --from`), `last_year` names the
    version they came from, and it is part of the fingerprint. `uses` (report.sources.figure_uses) give each
    figure's sentences, so a department can be shown its share of them (`department_share`).
    """
    inputs = []
    for name in sorted({*read, *(p.name for p in year_dir.iterdir() if p.suffix.lower() == ".docx")}):
        if not name.startswith(("~$", ".")) and (digest := read.get(name) or _input_sha256(year_dir / name)):
            inputs.append({"file": name, "sha256": digest})
    template_sha = template.sha256
    last = data.last_year  # part of what the version is made of, only when given (a year without it is unchanged)
    made_of: list[Any] = [inputs, template_sha, __version__] + ([last.manifest_sha256] if last else [])
    fingerprint = hashlib.sha256(json.dumps(made_of).encode()).hexdigest()
    record = {
        "tool": f"report_builder {__version__}",
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "year": year_dir.name,
        "fingerprint": fingerprint,
        "report_sha256": hashlib.sha256(docx).hexdigest(),
        "template": {"file": template.path.name, "origin": template.origin, "sha256": template_sha},
        "inputs": inputs,
        "checks": dict(checks),
        "figures": {name: {"value": f.value, "by_department": _by_department(f)}
                    for name, f in data.figures.items()},
        "sentences": _sentences(uses),
        "department_files": dict(sorted({s.department: s.file for f in data.figures.values() for s in f.sources
                                         if s.department}.items())),
    }
    if last is not None:
        record["last_year"] = {"report": last.report, "year": last.year, "manifest_sha256": last.manifest_sha256}
    return record


def _sentences(uses: Sequence[FigureUse]) -> list[dict[str, Any]]:
    return [{"figure": use.name, "text": use.sentence, "at": list(use.at)} for use in uses]


def _input_sha256(path: Path) -> str:
    """A file's sha256, streamed, never through a link; for a file over 64 MB its size and time stamp
    (intake.report_template.file_identity); "" if unreadable."""
    try:
        return file_identity(path)
    except OSError:
        return ""


def _by_department(figure: Figure) -> dict[str, int]:
    shares: dict[str, int] = {}
    for source in figure.sources:
        if source.department:
            shares[source.department] = shares.get(source.department, 0) + source.amount
    return shares
