"""Reading manifests: one typed reader, so a manifest of the wrong shape is "not a whole version", never a crash.

A manifest sits beside each report version (`…_vN.manifest.json`). Its `schema_version` says which
fields to expect: 1 (before `files` existed) or 2 (`files` lists every other file of the version with
its sha256). Anything that does not fit is refused here, once, and nowhere else.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = ["MANIFEST_SCHEMA", "MANIFEST_SUFFIX", "Manifest", "load_manifest", "manifest_dict", "manifest_path",
           "parse_manifest"]

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
