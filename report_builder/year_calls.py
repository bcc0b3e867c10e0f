"""The public calls about a year in progress (docs/season.md): which department's file the year folder holds
and what `check` says of it (`year_status`), and a department's share of the newest report version's sentences
(`department_share`). The web desk's board and department pages are made of these; so can other programs be.
"""

from __future__ import annotations

import re
from pathlib import Path

from report_builder.checking import check_submissions
from report_builder.findings import Finding
from report_builder.outputs.manifests import load_manifest, manifest_path
from report_builder.outputs.version_history import list_builds
from report_builder.results import CheckReport, DraftShare, FolderFile, OfficeResult, ShareLine, YearStatus

__all__ = ["department_share", "year_status"]

UNIT = re.compile(r"\s*[余多]?(人次|[条件人次个项元家所篇期场])")  # a measure word after a figure's value


def year_status(year_dir: Path, *, loaded: OfficeResult | None = None) -> YearStatus:
    """Check the year folder (`check_submissions`) and name, for each department of the office workbook's list,
    the file that is its workbook: the department named inside it (the file's name when it cannot be read);
    of two, the one named after the department (as the merge keeps it). Each with its findings, those of the
    year about it included. `loaded`: the office workbook already read (`load_office`)."""
    check = check_submissions(year_dir, loaded=loaded)
    return YearStatus(check, _files(check))


def _files(check: CheckReport) -> dict[str, FolderFile]:
    listed = {d.name for d in check.office.departments} if check.office else set()
    about: dict[str, list[Finding]] = {}
    for finding in check.year_findings:
        about.setdefault(finding.file, []).append(finding)
    found: dict[str, FolderFile] = {}
    results = sorted((r for r in check.files if r.kind == "department" and r.department in listed),
                     key=lambda r: (Path(r.file).stem != r.department, r.file))
    for result in results:
        if result.department in found:
            continue
        try:
            modified = (check.year_dir / result.file).stat().st_mtime
        except OSError:
            modified = 0.0
        found[result.department] = FolderFile(result.department, result.file, result.sha256, modified,
                                              result.findings + tuple(about.get(result.file, ())))
    return found


def department_share(folder: Path, department: str, *, report_format: str | None = None) -> DraftShare | None:
    """The sentences of the newest whole report version in `folder` (of `report_format`, else of any format)
    that `department`'s figures feed, each with the figure and the department's part of it, in reading order;
    figures it adds nothing to are left out. None when there is no whole version. A version built before
    manifests kept sentences gives its figures with an empty sentence."""
    builds, _ = list_builds(Path(folder))
    builds = [b for b in builds if report_format is None or b.report_format == report_format]
    if not builds:
        return None
    newest = max(reversed(builds), key=lambda b: b.built_at)  # of two built in one second, the later number
    manifest = load_manifest(manifest_path(newest.path))
    if manifest is None:
        return None
    file = manifest.department_files.get(department, "")
    figures = {name: f for name, f in manifest.figures.items() if f.by_department.get(department, 0)}
    lines: list[ShareLine] = []
    for sentence in manifest.sentences:
        figure = figures.get(sentence.figure)
        if figure is not None:
            unit = UNIT.match(sentence.text, sentence.at[1])
            lines.append(ShareLine(sentence.figure, figure.value or 0, figure.by_department[department],
                                   sentence.text, sentence.at, unit.group(1) if unit else "",
                                   unit.end() if unit else sentence.at[1]))
    if not manifest.sentences:  # a version from before sentences were kept: its figures only
        lines = [ShareLine(name, f.value or 0, f.by_department[department], "", (0, 0), "", 0)
                 for name, f in figures.items()]
    digest = {i.file: i.sha256 for i in manifest.inputs}.get(file, "")
    return DraftShare(newest.path, newest.built_at, department, file, digest, tuple(lines))
