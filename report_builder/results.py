"""What the public calls return: plain, frozen records (report_builder.pipeline makes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from report_builder.findings import Finding, Severity, has_errors
from report_builder.findings import errors as errors_in
from report_builder.formats import DEFAULT_FORMAT
from report_builder.intake.checks import Tally
from report_builder.intake.report_template import UsedTemplate
from report_builder.report.merge import ReportData
from report_builder.schema import OfficeWorkbook

if TYPE_CHECKING:  # the Word reader loads only when a report is built
    from report_builder.report.publication import Publication

__all__ = ["BuildResult", "CheckReport", "DraftShare", "FileResult", "FolderFile", "OfficeResult", "ReportVersion",
           "ReportVersions", "ShareLine", "Tally", "UsedTemplate", "Written", "YearStatus"]


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the year folder."""

    file: str
    kind: Literal["office", "department", "unknown"]
    department: str
    findings: tuple[Finding, ...]
    tally: Tally
    sha256: str = ""  # of exactly the bytes that were read and checked ("" when they could not be read)

    @property
    def errors(self) -> int:
        return len(errors_in(self.findings))

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


@dataclass(frozen=True)
class CheckReport:
    """A year folder checked: every file's result, findings about the year, and the merged report data."""

    year_dir: Path
    files: tuple[FileResult, ...]
    year_findings: tuple[Finding, ...]  # about the year as a whole (missing departments, duplicates…)
    office: OfficeWorkbook | None
    data: ReportData | None = field(default=None, repr=False)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.files for f in r.findings) + self.year_findings

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)

    @property
    def tally(self) -> Tally:
        return sum((r.tally for r in self.files), Tally())

    def totals(self) -> dict[str, int]:
        """Files, errors, warnings and rows, as the JSON report and the manifest state them."""
        t = self.tally
        error_count = len(errors_in(self.findings))
        return {"files": len(self.files), "errors": error_count, "warnings": len(self.findings) - error_count,
                "rows_read": t.read, "rows_accepted": t.accepted, "rows_rejected": t.rejected}


@dataclass(frozen=True)
class OfficeResult:
    """The year's office workbook (年度总表.xlsx), read and checked in a worker."""

    office: OfficeWorkbook | None  # None when it is missing, a link, or has an error
    file: FileResult | None  # the file as checked (None when there was no file to read)
    folder_findings: tuple[Finding, ...] = ()  # the year folder has no office workbook, or only a link

    @property
    def findings(self) -> tuple[Finding, ...]:
        return (self.file.findings if self.file else ()) + self.folder_findings


@dataclass(frozen=True)
class BuildResult:
    check: CheckReport
    report: Path | None = None
    manifest: Path | None = None
    unchanged: bool = False
    render_findings: tuple[Finding, ...] = ()
    template: UsedTemplate | None = None  # the template rendered (or that would have been)
    sources: Path | None = None  # the 数据来源 workbook beside the report: where each figure comes from
    report_format: str = DEFAULT_FORMAT  # the format built (report_builder.formats)
    publication: Publication | None = None  # the checks before publication (None: not rendered)

    @property
    def summary_line(self) -> str:
        """The build's last line (report.publication.Publication.summary_line); "" when nothing was rendered."""
        return self.publication.summary_line(self.report_format) if self.publication else ""


@dataclass(frozen=True)
class Written:
    written: tuple[Path, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True, slots=True)
class ReportVersion:
    """One whole version of the report: its file, when it was built, and how its inputs changed (Chinese)."""

    path: Path
    built_at: str
    changes: tuple[str, ...]  # since the previous version of the same format
    report_format: str = DEFAULT_FORMAT
    review: str = ""  # where its review stands: "可以发布", "待保密审查"… (outputs.reviews.ReviewStatus.label)


@dataclass(frozen=True)
class ReportVersions:
    versions: tuple[ReportVersion, ...]  # oldest first
    findings: tuple[Finding, ...]  # version-incomplete: reports without a valid manifest


@dataclass(frozen=True, slots=True)
class FolderFile:
    """A department's workbook in the year folder, as `check` found it (however it got there)."""

    department: str
    file: str
    sha256: str  # of the bytes checked
    modified: float  # the file's mtime (seconds since the epoch; 0 when it could not be read)
    findings: tuple[Finding, ...]  # its own, and those about it in the year (a duplicate department…)

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


@dataclass(frozen=True)
class YearStatus:
    """A year folder as `check` sees it, with each listed department's file (`year_status`)."""

    check: CheckReport
    files: dict[str, FolderFile]  # department of the office workbook's list → its file (absent: none yet)

    @property
    def missing(self) -> tuple[str, ...]:
        """The listed departments the folder has no file of, in the list's order."""
        listed = [d.name for d in self.check.office.departments] if self.check.office else []
        return tuple(name for name in listed if name not in self.files)


@dataclass(frozen=True, slots=True)
class ShareLine:
    """One sentence of a report version that a department's figure feeds, with its part of the figure."""

    figure: str  # the figure's name (主动公开条数)
    value: int  # the figure in the report
    share: int  # the department's part of it
    sentence: str  # the sentence as the report has it ("" when the version kept no sentences)
    at: tuple[int, int]  # where `value` is in `sentence` (start, end)
    unit: str  # the measure word after the value in the sentence (条, 件, 人次…), "" when none
    after: int  # where in `sentence` the value and its unit end ("1000余条" ends after 条): a note goes there


@dataclass(frozen=True)
class DraftShare:
    """A department's share of a report version (`department_share`)."""

    version: Path  # the report version read
    built_at: str
    department: str
    file: str  # the department's file the version was built from ("" when it had none)
    sha256: str  # of that file as the version read it
    lines: tuple[ShareLine, ...]  # in the report's reading order
