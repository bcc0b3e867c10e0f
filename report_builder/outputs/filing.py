"""The filing package (报送材料): one whole version's files in one zip, with a manifest of their sha256.

`write_filing_package(folder)` packs the chosen version of an output folder (the newest of the format built
last, or `version`/`report_format`) as `<报告名>_报送材料_vN.zip` beside it: the report (.docx), its PDF when
there is one, the web page and the plain text (`build --html`), the 数据来源 workbook, the version's own
manifest, and the 审核记录 (`<报告名>_vN.审核记录.docx`/`.pdf`/`.json`: written here, once, when the version may be
published — every required role approved its report, outputs/reviews.py — else the warning `review-missing`); first
in the zip, `报送材料清单.json` lists each packed file with its sha256 and size, and what was not there.

Every file the version's manifest lists must still have the sha256 it was published with: a file edited
or removed since is an error, and nothing is packed. Files added beside a whole version later (a PDF made
by a later `build --pdf`, a 审核记录) are packed as they are and hashed in the package's manifest. The zip
is written whole (atomic.write_atomic) and never replaces a file: the same version gives the same bytes
(fixed times and order), so packing it again finds the same zip and writes nothing.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from report_builder.atomic import write_atomic
from report_builder.findings import Finding
from report_builder.ooxml import FIXED_ZIP_TIME
from report_builder.outputs.manifests import MANIFEST_SUFFIX, Manifest, load_manifest, manifest_path
from report_builder.outputs.review_record import RECORD_SUFFIXES, write_review_record
from report_builder.outputs.reviews import review_status
from report_builder.outputs.staging import SOURCES_SUFFIX, output_failure
from report_builder.outputs.version_history import Build, list_builds
from report_builder.outputs.web_page import HTML_SUFFIX, TEXT_SUFFIX

__all__ = ["PACKAGE_MANIFEST", "PARTS", "FilingPackage", "Part", "package_name", "write_filing_package"]

PACKAGE_MANIFEST = "报送材料清单.json"
PACKAGE_LABEL = "_报送材料"
PACKAGE_SCHEMA = 1


@dataclass(frozen=True, slots=True)
class Part:
    """One kind of file of a version that the package holds: `<报告名>_vN<suffix>`."""

    suffix: str
    label: str  # its Chinese name, in the package's manifest and on the command line
    required: bool


PARTS = (
    Part(".docx", "报告（Word）", True),
    Part(".pdf", "报告（PDF）", False),
    Part(HTML_SUFFIX, "报告（网页版）", True),
    Part(TEXT_SUFFIX, "报告（纯文本版）", True),
    Part(SOURCES_SUFFIX, "数据来源", True),
    Part(MANIFEST_SUFFIX, "版本说明文件", True),
    Part(".审核记录.docx", "审核记录（Word）", False),  # outputs/review_record.py, when a version may be published
    Part(".审核记录.pdf", "审核记录（PDF）", False),
    Part(".审核记录.json", "审核记录（数据）", False),
)


@dataclass(frozen=True, slots=True)
class FilingPackage:
    """The outcome of `write_filing_package`."""

    path: Path | None  # the zip (None when nothing was packed)
    unchanged: bool  # the same package was already there: nothing written
    report_format: str  # the chosen version's format ("" when no version was chosen)
    packed: tuple[str, ...]  # the Chinese labels (Part.label) of the files packed
    missing: tuple[str, ...]  # the labels of optional parts the version does not have
    findings: tuple[Finding, ...]


def package_name(report: Path) -> str:
    """`<报告名>_vN.docx` → `<报告名>_报送材料_vN.zip`."""
    stem, number = _split(report)
    return f"{stem}{PACKAGE_LABEL}_v{number}.zip"


def write_filing_package(folder: Path, version: int | None = None, report_format: str | None = None,
                         ) -> FilingPackage:
    """Pack one whole version of `folder` for the provincial submission (see the module docstring).

    `report_format` chooses the format's series (default: the format of the version built last); `version` its
    number (default: the newest). Problems are findings: no such version, a version without the web page,
    a file changed since it was published, a different package of the same name already there.
    """
    folder = Path(folder)
    chosen = _choose(folder, version, report_format)
    if isinstance(chosen, Finding):
        return FilingPackage(None, False, "", (), (), (chosen,))
    build, manifest = chosen
    review = review_status(build.path)
    recorded = write_review_record(review)[1] if review.publishable else (
        Finding("review-missing", build.path.name, detail=review.label),)
    result = _collect(build.path, manifest)
    if isinstance(result, Finding):
        return FilingPackage(None, False, build.report_format, (), (), (result,))
    files, missing = result
    target = build.path.with_name(package_name(build.path))
    data = _zip(target.name, build, manifest, files)
    labels = tuple(label for label, _, _ in files)
    exists = (Finding("package-exists", target.name),)  # a package not written: its failure alone
    try:
        if target.is_symlink() or target.exists():
            same = not target.is_symlink() and target.is_file() and target.read_bytes() == data
            return FilingPackage(target if same else None, same, build.report_format, labels, missing,
                                 recorded if same else exists)
        write_atomic(target, data)
    except FileExistsError:  # made meanwhile by another run: never replaced
        return FilingPackage(None, False, build.report_format, labels, missing, exists)
    except OSError as error:
        return FilingPackage(None, False, build.report_format, labels, missing, (output_failure(folder, error),))
    return FilingPackage(target, False, build.report_format, labels, missing, recorded)


def _split(report: Path) -> tuple[str, int]:
    match = re.fullmatch(r"(.*)_v(\d+)\.docx", report.name)
    return (match.group(1), int(match.group(2))) if match else (report.stem, 0)


def _choose(folder: Path, version: int | None, report_format: str | None) -> tuple[Build, Manifest] | Finding:
    """The whole version asked for, with its manifest, or why there is none."""
    builds, _ = list_builds(folder)
    if not builds:
        return Finding("versions-none", str(folder))
    name = report_format or max(enumerate(builds), key=lambda b: (b[1].built_at, b[0]))[1].report_format
    # a format's versions in the order built (a template whose title changed starts a series of another name)
    series = sorted((b for b in builds if b.report_format == name), key=lambda b: (b.built_at, _split(b.path)[1]))
    if not series:
        formats = "、".join(dict.fromkeys(b.report_format for b in builds))
        return Finding("package-version-missing", str(folder), value=name, detail=f"已有的格式：{formats}")
    build = series[-1] if version is None else next((b for b in reversed(series) if _split(b.path)[1] == version), None)
    manifest = None if build is None else load_manifest(manifest_path(build.path))
    if build is None or manifest is None:
        numbers = "、".join(dict.fromkeys(f"v{n}" for n in sorted(_split(b.path)[1] for b in series)))
        return Finding("package-version-missing", str(folder), value=f"{name} v{version}",
                       detail=f"“{name}”已有的版本：{numbers}")
    return build, manifest


def _collect(report: Path, manifest: Manifest) -> tuple[list[tuple[str, str, bytes]], tuple[str, ...]] | Finding:
    """(label, name, bytes) of each file to pack, and the labels of the optional parts not there."""
    prefix = report.name.removesuffix(".docx")
    if not all(prefix + suffix in manifest.files for suffix in (HTML_SUFFIX, TEXT_SUFFIX)):
        return Finding("package-needs-web-page", report.name)
    files, missing = [], []
    for part in PARTS:
        path = report.with_name(prefix + part.suffix)
        listed = manifest.files.get(path.name) if part.suffix != MANIFEST_SUFFIX else ""
        if path.is_symlink() or (listed is not None and not path.is_file()):
            return Finding("package-file-changed", path.name, detail="是链接" if path.is_symlink() else "文件不存在")
        if not path.is_file():
            if part.required:
                return Finding("package-file-changed", path.name, detail="文件不存在")
            missing.append(part.label)
            continue
        try:
            data = path.read_bytes()
        except OSError:
            return Finding("package-file-changed", path.name, detail="无法读取")
        if listed and hashlib.sha256(data).hexdigest() != listed:
            return Finding("package-file-changed", path.name, detail="内容与生成时记录的 sha256 不同")
        if part.suffix == RECORD_SUFFIXES[-1] and _recorded_sha256(data) != manifest.files.get(report.name):
            return Finding("package-file-changed", path.name, detail="审核记录所记的报告 sha256 与该版本的报告不同")
        files.append((part.label, path.name, data))
    return files, tuple(missing)


def _recorded_sha256(data: bytes) -> str:
    """The report sha256 a 审核记录's JSON names ("" when it is not such a record)."""
    try:
        found = json.loads(data).get("report_sha256", "")
    except (ValueError, AttributeError, RecursionError):
        return ""
    return found if isinstance(found, str) else ""


def _zip(name: str, build: Build, manifest: Manifest, files: list[tuple[str, str, bytes]]) -> bytes:
    """The package's bytes: its manifest first, then the files in PARTS order; fixed times and attributes."""
    record = {
        "schema_version": PACKAGE_SCHEMA,
        "package": name,
        "report": build.path.name,
        "version": _split(build.path)[1],
        "format": build.report_format,
        "built_at": manifest.built_at,
        "fingerprint": manifest.fingerprint,
        "files": [{"file": file, "label": label, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                   "in_version_manifest": file in manifest.files} for label, file, data in files],
        "not_included": [part.label for part in PARTS if part.label not in {label for label, _, _ in files}],
    }
    listing = json.dumps(record, ensure_ascii=False, indent=2).encode() + b"\n"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        for file, data in [(PACKAGE_MANIFEST, listing), *((file, data) for _, file, data in files)]:
            info = zipfile.ZipInfo(file, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0o644 << 16
            package.writestr(info, data, compresslevel=6)
    return out.getvalue()
