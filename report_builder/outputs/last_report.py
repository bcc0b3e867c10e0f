"""Find last year's report for `build --from` and read its figures from its manifest.

`--from` may name last year's report (`…_vN.docx`, or its `.manifest.json`), the output folder
holding its versions (`output/2017-2018`: the newest whole version is used), or last year's year
folder (`inputs/2017-2018`: its versions are looked for under this build's output folder, as
`build` wrote them). Only whole versions count (docs/outputs.md): a report without a valid manifest
is never used.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from report_builder.findings import Finding
from report_builder.outputs.manifests import MANIFEST_SUFFIX, Manifest, load_manifest, manifest_path
from report_builder.outputs.version_history import list_builds
from report_builder.report.year_on_year import LastYear
from report_builder.schema import MAX_LAST_YEAR_VALUE, OFFICE_FILE

__all__ = ["bounded_text", "find_last_year", "read_last_year"]


def find_last_year(source: Path, out_dir: Path, this_year: str = "") -> LastYear | Finding:
    """Last year's figures from `source` (see the module docstring), or a `last-year-not-found` finding;
    a report of `this_year` (the year folder being built) is refused."""
    found = _find(Path(source), out_dir)
    if isinstance(found, LastYear) and this_year and found.year == this_year:
        return _not_found(Path(source), f"这是本年（{this_year}）的报告，不是上年的")
    return found


def _find(source: Path, out_dir: Path) -> LastYear | Finding:
    if source.is_file() and source.name.endswith(MANIFEST_SUFFIX):
        report = source.with_name(source.name.removesuffix(MANIFEST_SUFFIX) + ".docx")
        return read_last_year(report) or _not_found(source, "不是有效的版本说明文件")
    if source.is_file():
        return read_last_year(source) or _not_found(source, "旁边没有有效的版本说明文件（同名的 .manifest.json）")
    if not source.is_dir():
        return _not_found(source, "文件或文件夹不存在")
    folder = Path(out_dir) / source.name if (source / OFFICE_FILE).is_file() else source
    builds, _ = list_builds(folder) if folder.is_dir() else ([], [])
    for build in sorted(builds, key=lambda b: (b.built_at, _number(b.path)), reverse=True):
        found = read_last_year(build.path)
        if found is not None:  # the newest whole version, or what is wrong with it: never an older one silently
            return found
    return _not_found(source, f"“{folder}”中没有完整的报告版本（请先对上年运行 build）")


def read_last_year(report: Path) -> LastYear | Finding | None:
    """The figures recorded beside `report`, None when it has no valid manifest, or a finding when a figure
    is out of the bounds the 上年数字 sheet has (an edited manifest: a 4,029-digit or negative 上年 figure)."""
    path = manifest_path(report)
    manifest = load_manifest(path)
    if manifest is None or not manifest.figures:
        return None
    out_of_bounds = _out_of_bounds(path.name, manifest)
    if out_of_bounds is not None:
        return out_of_bounds
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    return _from_manifest(report.name, manifest, digest)


def _out_of_bounds(file: str, manifest: Manifest) -> Finding | None:
    for name, figure in manifest.figures.items():
        for department, value in [("", figure.value), *figure.by_department.items()]:
            if value is not None and not 0 <= value <= MAX_LAST_YEAR_VALUE:
                whose = f"（{department}的部分）" if department else ""
                return Finding("last-year-figure-invalid", file, detail=(
                    f"“{name}”{whose}为 {bounded_text(value)}，应在 0 至 {MAX_LAST_YEAR_VALUE:,} 之间"))
    return None


def bounded_text(value: int) -> str:
    """A number as a message shows it: "1,200", or "4029 位的数" (never thousands of digits)."""
    digits = len(str(abs(value))) if value.bit_length() < 14_000 else value.bit_length() * 30103 // 100000
    if digits > 15:
        return f"{'负' if value < 0 else ''}{digits} 位的数"
    return f"{value:,}"


def _from_manifest(report: str, manifest: Manifest, digest: str) -> LastYear:
    extra = manifest.model_extra or {}
    year = extra.get("year")
    return LastYear(report, year if isinstance(year, str) else "", digest,
                    {name: f.value for name, f in manifest.figures.items()},
                    {name: dict(f.by_department) for name, f in manifest.figures.items() if f.by_department})


def _number(report: Path) -> int:
    stem = report.name.removesuffix(".docx")
    tail = stem.rpartition("_v")[2]
    return int(tail) if tail.isdigit() else 0


def _not_found(source: Path, why: str) -> Finding:
    return Finding("last-year-not-found", str(source), detail=why)
