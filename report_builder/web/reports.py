"""The office builds the report from the board: in a format, with its PDF, and a redline against the previous version.

Builds go where the command line puts them (`build`'s default `output/<年度>/`), so both doors see the same
versions. A file is downloaded only by a name found among the versions listed (never a path from the request).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import report_builder as rb
from report_builder.findings import Severity

__all__ = ["WEB_PAGE", "Built", "Reports", "VersionFiles"]

REDLINE = "_修订.docx"  # beside a version: its redline against the previous version of the same format
SOURCES = ".数据来源.xlsx"
RECORD = ".审核记录"  # the 审核记录 written when a version is published (outputs/review_record.py)
PACKAGE = "_报送材料"  # <报告名>_报送材料_vN.zip (outputs/filing.package_name)
WEB_PAGE = "网页版"  # the label of a version's web page among its files


@dataclass(frozen=True, slots=True)
class Built:
    """What the last build from the board said."""

    summary: str  # the build's last line (formats, parts, links, identities, days left)
    problems: tuple[str, ...]  # errors that stopped it, in Chinese with their place
    warnings: tuple[str, ...]  # what to look at in a report that was built (e.g. 【上年内容…】 left in a paragraph)
    report: str  # the file name of the version written (or kept when nothing changed); "" when none
    unchanged: bool


@dataclass(frozen=True, slots=True)
class VersionFiles:
    """One whole version and its files that exist (label → file name)."""

    version: rb.ReportVersion
    files: dict[str, str]


class Reports:
    """The year's report versions under `out_dir/<year>` and building the next one (one build at a time)."""

    def __init__(self, year_dir: Path, out_dir: Path) -> None:
        self.year_dir, self.out_dir = Path(year_dir), Path(out_dir)
        self.folder = self.out_dir / self.year_dir.name
        self.last: Built | None = None
        self._lock = threading.Lock()
        self._totals_lock = threading.Lock()  # apart from the build's: the board does not wait for a build
        self._totals: tuple[tuple[tuple[str, int, int], ...], dict[str, int]] | None = None
        self.status: Callable[[], rb.YearStatus | None] | None = None  # the desk's view of the folder, when set

    def build(self, report_format: str, pdf: bool) -> Built:
        with self._lock:
            result = rb.build_report(self.year_dir, self.out_dir, report_format=report_format or None, pdf=pdf,
                                     html=True)  # the web page: shown on the reports page, filed in the package
            problems = [f for f in (*result.check.findings, *result.render_findings) if f.severity is Severity.ERROR]
            if result.report is not None and not result.unchanged:
                problems += self._redline(result.report, result.report_format)
            warnings = [f for f in (*result.check.findings, *result.render_findings) if f.severity is Severity.WARNING]
            self.last = Built(result.summary_line, tuple(map(str, problems)), tuple(map(str, warnings)),
                              result.report.name if result.report else "", result.unchanged)
            return self.last

    def _redline(self, report: Path, report_format: str) -> list[rb.Finding]:
        """The new version compared with the previous one of its format (none for a first version)."""
        same = [v.path for v in rb.list_report_versions(self.folder).versions if v.report_format == report_format]
        if len(same) < 2 or same[-1] != report:
            return []
        try:
            rb.compare_files(same[-2], report, report.with_name(report.stem + REDLINE))
        except rb.ReportBuilderError as error:
            return [error.as_finding(report.name)]
        return []

    def totals(self) -> dict[str, int]:
        """The year as `check` sees it now: files, errors (`missing` of them: departments not yet in the folder),
        warnings, rows read = accepted + rejected (checked again only when a file of the year folder changed)."""
        status = self.status() if self.status is not None else None
        if status is not None:  # the board's own check of the folder (season.FolderView): one check, one truth
            missing = sum(f.code == "missing-department" for f in status.check.findings)
            return {**status.check.totals(), "missing": missing}
        key = _listing(self.year_dir)
        with self._totals_lock:
            if self._totals is None or self._totals[0] != key:
                report = rb.check_submissions(self.year_dir)
                missing = sum(f.code == "missing-department" for f in report.findings)
                self._totals = (key, {**report.totals(), "missing": missing})
            return self._totals[1]

    def versions(self) -> list[VersionFiles]:
        """Every whole version, newest first, with the files a user may download."""
        listed = rb.list_report_versions(self.folder).versions if self.folder.is_dir() else ()
        found = []
        for version in reversed(listed):
            path = version.path
            number = path.stem.rsplit("_v", 1)[-1]
            files = {"Word 报告": path, "PDF": path.with_suffix(".pdf"), WEB_PAGE: path.with_suffix(".html"),
                     "纯文本版": path.with_suffix(".txt"), "数据来源": path.with_suffix(SOURCES),
                     "修订（与上一版相比）": path.with_name(path.stem + REDLINE),
                     "审核记录（Word）": path.with_suffix(RECORD + ".docx"),
                     "审核记录（PDF）": path.with_suffix(RECORD + ".pdf"),
                     "报送材料": path.with_name(f"{path.stem.removesuffix('_v' + number)}{PACKAGE}_v{number}.zip")}
            found.append(VersionFiles(version, {label: p.name for label, p in files.items() if p.is_file()}))
        return found

    def file(self, name: str) -> Path | None:
        """The file called `name` if it is one of the listed versions' files, else None."""
        allowed = {file for v in self.versions() for file in v.files.values()}
        return self.folder / name if name in allowed else None


def _listing(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Each entry of a folder with its modification time and size (what `totals` depends on)."""
    found = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        try:
            stat = path.lstat()
        except OSError:
            continue
        found.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(found)
