"""The public API: check a year's submissions, build its report, make its templates.

Each function takes paths, returns plain results and never raises on bad input: every
problem is a Finding. Untrusted files are pre-checked, then read and checked in worker
processes (report_builder.isolation), so a file that crashes the reader costs only itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from report_builder.checks import Checked, Tally, check_department, check_office
from report_builder.findings import Finding, Severity
from report_builder.isolation import Crash, run_isolated
from report_builder.merge import ReportData, merge_year
from report_builder.reader import RawWorkbook, read_workbook
from report_builder.safety import precheck
from report_builder.schema import OFFICE_FILE, DepartmentWorkbook, OfficeWorkbook

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
OTHER_ALLOWED = (".docx",)  # a year's own Word template may sit beside the workbooks
Progress = Callable[[int, int], None]

CRASH_DETAIL = {"crashed": "读取时程序异常退出", "memory": "读取时占用内存超过上限", "timeout": "读取超时"}


@dataclass(frozen=True)
class FileResult:
    """What happened to one file of the year folder."""

    file: str
    kind: Literal["office", "department", "unknown"]
    department: str
    findings: tuple[Finding, ...]
    tally: Tally

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


@dataclass(frozen=True)
class CheckReport:
    year_dir: Path
    files: tuple[FileResult, ...]
    year_findings: tuple[Finding, ...]  # about the year as a whole (missing departments, duplicates…)
    office: OfficeWorkbook | None
    departments: tuple[DepartmentWorkbook, ...]
    data: ReportData | None = field(default=None, repr=False)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for r in self.files for f in r.findings) + self.year_findings

    @property
    def ok(self) -> bool:
        return not any(f.severity is Severity.ERROR for f in self.findings)

    @property
    def tally(self) -> Tally:
        return sum((r.tally for r in self.files), Tally())


def check_submissions(year_dir: Path, *, on_progress: Progress | None = None) -> CheckReport:
    """Check every workbook of a year folder; merge what is valid."""
    year_dir = Path(year_dir)
    office_path = year_dir / OFFICE_FILE
    others, files = _list_year(year_dir)
    year_findings: list[Finding] = []
    if not office_path.is_file():
        year_findings.append(Finding("missing-office-workbook", OFFICE_FILE, detail=f"应放在年度文件夹“{year_dir.name}”中"))
        office_result: Checked | None = None
    else:
        office_result = _check_isolated([office_path], None, year_dir.name, None)[0]
    office = office_result.workbook if office_result else None
    assert office is None or isinstance(office, OfficeWorkbook)
    checked = _check_isolated(files, office, year_dir.name, on_progress)
    departments = tuple(c.workbook for c in checked if isinstance(c.workbook, DepartmentWorkbook))
    data = None
    if office is not None:
        data, merge_findings = merge_year(office, departments)
        year_findings += merge_findings
    results = [_file_result(c) for c in ([office_result] if office_result else []) + checked]
    results += [FileResult(p.name, "unknown", "", (Finding("file-unknown", p.name),), Tally()) for p in others]
    return CheckReport(year_dir, tuple(results), tuple(year_findings), office, departments, data)


def _list_year(year_dir: Path) -> tuple[list[Path], list[Path]]:
    """(files that are not workbooks, department workbooks), sorted by name."""
    others, workbooks = [], []
    for path in sorted(year_dir.iterdir()) if year_dir.is_dir() else []:
        if not path.is_file() or path.name.startswith(("~$", ".")) or path.name == OFFICE_FILE:
            continue
        if path.suffix.lower() in WORKBOOK_SUFFIXES:
            workbooks.append(path)
        elif path.suffix.lower() not in OTHER_ALLOWED:
            others.append(path)
    return others, workbooks


def _check_isolated(paths: Sequence[Path], office: OfficeWorkbook | None, year: str,
                    on_progress: Progress | None) -> list[Checked]:
    work = functools.partial(_check_one, office=office, year=year)
    outcomes = run_isolated(work, list(paths), on_progress=on_progress)
    return [_crashed(path, outcome) if isinstance(outcome, Crash) else outcome
            for path, outcome in zip(paths, outcomes, strict=True)]


def _check_one(path: Path, *, office: OfficeWorkbook | None, year: str) -> Checked:
    """Pre-check, read and check one file (runs in a worker process)."""
    kind: Literal["office", "department"] = "office" if path.name == OFFICE_FILE else "department"
    problem = precheck(path, path.name)
    raw: RawWorkbook | Finding = problem if problem else read_workbook(path, path.name)
    if isinstance(raw, Finding):
        return Checked(path.name, kind, None, (raw,), Tally())
    checked = check_office(raw, year) if kind == "office" else check_department(raw, office)
    if raw.old_format:
        checked = Checked(checked.file, checked.kind, checked.workbook,
                          (Finding("file-old-format", path.name),) + checked.findings, checked.tally)
    return checked


def _crashed(path: Path, crash: Crash) -> Checked:
    finding = Finding("file-unsafe", path.name, detail=CRASH_DETAIL.get(crash.reason, ""))
    return Checked(path.name, "office" if path.name == OFFICE_FILE else "department", None, (finding,), Tally())


def _file_result(checked: Checked) -> FileResult:
    department = checked.department or (Path(checked.file).stem if checked.kind == "department" else "")
    return FileResult(checked.file, checked.kind, department, checked.findings, checked.tally)
