"""Which Word template a build uses, where it came from, and the exact bytes it renders.

The template is `--template`, else the chosen format's file in the year folder (`年度报告模板.docx`
for 本校格式, the office's own; `八部分模板.docx`… for an edited copy of a bundled format; it may have
arrived by email: untrusted), else the format's bundled one (report_builder.formats; 三部分 is always
the bundled one). It is pre-checked (document_safety.precheck_document: no symlink, no zip
bomb, no DOCTYPE, a real .docx), then read once, without following links; the bytes read are the bytes parsed, rendered
and hashed.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from report_builder.findings import Finding
from report_builder.formats import DEFAULT_FORMAT, FORMATS, OWN_TEMPLATE, bundled_template
from report_builder.intake.document_safety import MAX_DOCUMENT_BYTES, precheck_document

__all__ = ["MAX_HASHED_BYTES", "ORIGINS", "TEMPLATE_FILES", "TEMPLATE_NAME", "UsedTemplate", "file_identity",
           "file_sha256", "find_template", "has_own_template", "load_template"]

TEMPLATE_NAME = OWN_TEMPLATE  # 年度报告模板.docx: the office's own format (本校格式), in a year folder
TEMPLATE_FILES = frozenset(f.file for f in FORMATS.values())  # a year folder's own copy of any format
Origin = Literal["option", "year", "default"]
MAX_HASHED_BYTES = 64 * 1024 * 1024  # inputs a build hashes (any workbook or template is far smaller)
ORIGINS: dict[Origin, str] = {"option": "--template 指定的模板", "year": "年度文件夹中的模板", "default": "自带的模板"}


@dataclass(frozen=True)
class UsedTemplate:
    """The template of a build: its path, where it came from (ORIGINS), and the bytes rendered."""

    path: Path
    origin: Origin
    sha256: str
    data: bytes = field(repr=False)

    @property
    def origin_text(self) -> str:
        """Where it came from, in Chinese ("年度文件夹中的模板")."""
        return ORIGINS[self.origin]


def has_own_template(year_dir: Path) -> bool:
    """Whether the year folder holds the office's own template (年度报告模板.docx: 本校格式), even a bad one."""
    return os.path.lexists(Path(year_dir) / OWN_TEMPLATE)


def find_template(year_dir: Path, explicit: Path | None = None,
                  report_format: str = DEFAULT_FORMAT) -> tuple[Path, Origin] | None:
    """The template to use and its origin: --template, else the year folder's file of the format
    (年度报告模板.docx for 本校格式, 八部分模板.docx for an edited 八部分…), else the bundled one; None when none
    exists (or the format is unknown). 三部分 is always the bundled one: its file name in a year folder is
    本校格式's.

    A year-folder entry of that name is chosen even when it is a link or not a file, so that the
    pre-check says what is wrong with it instead of the default being used silently.
    """
    if explicit is not None:
        return (explicit, "option") if os.path.lexists(explicit) else None
    if report_format not in FORMATS:
        return None
    chosen = FORMATS[report_format]
    own = Path(year_dir) / chosen.file
    if os.path.lexists(own) and (chosen.own or chosen.file != OWN_TEMPLATE):
        return own, "year"
    bundled = bundled_template(report_format)
    return (bundled, "default") if bundled else None


def load_template(path: Path, origin: Origin) -> UsedTemplate | Finding:
    """Pre-check the template and read its bytes once; a finding when it must not be used."""
    try:
        seen = os.lstat(path)
    except OSError:
        return Finding("document-unreadable", path.name, detail="无法打开文件")
    problem = precheck_document(path, path.name)
    if problem is not None:
        return problem
    try:
        with _open_no_follow(path) as f:
            data = f.read(MAX_DOCUMENT_BYTES + 1)
            after = os.fstat(f.fileno())
    except OSError:
        return Finding("document-unreadable", path.name, detail="无法打开文件")
    if _identity(seen) != _identity(after) or len(data) != after.st_size:
        return Finding("document-unreadable", path.name, detail="读取期间文件被替换或修改，请重新运行")
    return UsedTemplate(path, origin, hashlib.sha256(data).hexdigest(), data)


def file_sha256(path: Path) -> str:
    """The sha256 of a regular file, streamed (any size), never through a link."""
    with _open_no_follow(path) as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise OSError(f"not a regular file: {path}")
        return hashlib.file_digest(f, "sha256").hexdigest()


def file_identity(path: Path) -> str:
    """What a build records of an input it did not read: its sha256, or for a file over MAX_HASHED_BYTES
    "unhashed:<bytes>:<mtime in ns>" (a 3 GB attachment cost 12.8 s of hashing at every build)."""
    with _open_no_follow(path) as f:
        seen = os.fstat(f.fileno())
        if not stat.S_ISREG(seen.st_mode):
            raise OSError(f"not a regular file: {path}")
        if seen.st_size > MAX_HASHED_BYTES:
            return f"unhashed:{seen.st_size}:{seen.st_mtime_ns}"
        return hashlib.file_digest(f, "sha256").hexdigest()


def _open_no_follow(path: Path) -> io.BufferedReader:
    return os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb")


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns
