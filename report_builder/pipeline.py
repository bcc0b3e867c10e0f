"""The public API: check a year's submissions, build its report, make its templates.

Each function takes paths, returns plain results and never raises on bad input: every
problem is a Finding. Untrusted files are pre-checked, then read and checked in worker
processes (report_builder.isolation), so a file that crashes the reader costs only itself.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Literal

from report_builder.findings import Finding, Severity
from report_builder.intake.checks import Checked, Tally, check_department, check_office
from report_builder.intake.document_safety import precheck_document
from report_builder.intake.reader import RawWorkbook, read_bytes, read_workbook
from report_builder.intake.report_template import TEMPLATE_NAME, UsedTemplate, file_sha256, find_template, load_template
from report_builder.isolation import Crash, run_isolated
from report_builder.names import safe_stem
from report_builder.outputs.staging import (
    INCOMPLETE_DETAIL,
    SOURCES_SUFFIX,
    add_pdf,
    convert_pdf,
    feedback_stem,
    output_failure,
    report_stem,
)
from report_builder.outputs.versions import manifest_path, sha256, write_next_version, write_version
from report_builder.report.merge import Figure, ReportData, merge_year
from report_builder.report.summary import DepartmentSummary, summarize_department
from report_builder.schema import OFFICE_FILE, DepartmentWorkbook, OfficeWorkbook

try:
    __version__ = version("report_builder")
except PackageNotFoundError:  # running from a checkout that is not installed
    __version__ = "0+unknown"

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
Progress = Callable[[int, int], None]

CRASH_DETAIL = {"crashed": "读取时程序异常退出", "memory": "读取时占用内存超过上限", "timeout": "读取超时"}
# Errors that keep a whole department file out of the report (merge_year drops it, or build refuses it):
# none of its rows is then "accepted". Errors starting with "file-" do too.
FILE_LEVEL_ERRORS = frozenset({"wrong-year", "wrong-window", "unknown-department", "duplicate-department"})


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


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a year's many small objects are built.

    Those objects hold no cycles worth collecting, and with hundreds of thousands of them
    every full collection walks them all again: measured on 400 departments, the main
    process spent 60 % of its CPU time in the collector.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_submissions(year_dir: Path, *, lists: Iterable[str] = (), on_progress: Progress | None = None,
                      ) -> CheckReport:
    """Check every workbook of a year folder; merge what is valid.

    `lists` names the lists of rows the report data should carry (summary.LIST_NAMES; build
    asks for those its template prints): the figures never need them.
    """
    with gc_paused():
        return _check_submissions(Path(year_dir), frozenset(lists), on_progress)


def _check_submissions(year_dir: Path, lists: frozenset[str], on_progress: Progress | None) -> CheckReport:
    office_path = year_dir / OFFICE_FILE
    others, files = _list_year(year_dir)
    year_findings: list[Finding] = []
    outcomes: list[_Outcome] = []
    office = None
    if office_path.is_symlink():
        year_findings.append(Finding("file-link", OFFICE_FILE))
    elif not office_path.is_file():
        detail = f"应放在年度文件夹“{year_dir.name}”中"
        year_findings.append(Finding("missing-office-workbook", OFFICE_FILE, detail=detail))
    else:
        outcomes += _check_isolated([office_path], None, year_dir.name, lists, None)
        office = outcomes[0].office
    checked = _check_isolated(files, office, year_dir.name, lists, on_progress)
    outcomes += checked
    data = None
    if office is not None:
        summaries = [o.summary for o in checked if o.summary is not None]
        unchecked = [o.result.file for o in checked if o.summary is None]
        data, merge_findings = merge_year(office, summaries, unchecked)
        year_findings += merge_findings
    dropped = {f.file for f in year_findings if f.code == "duplicate-department"}
    results = [_rejected_whole(o.result) if _not_merged(o, dropped) else o.result for o in outcomes]
    results += [_other_file(p) for p in others]
    return CheckReport(year_dir, tuple(results), tuple(year_findings), office, data)


def _list_year(year_dir: Path) -> tuple[list[Path], list[Path]]:
    """(links and files that are not workbooks, department workbooks), sorted by name. Links are never followed."""
    others: list[Path] = []
    workbooks: list[Path] = []
    for path in sorted(year_dir.iterdir()) if year_dir.is_dir() else []:
        if path.name.startswith(("~$", ".")) or path.name == OFFICE_FILE:
            continue
        if path.is_symlink():
            others.append(path)
        elif path.is_file():
            (workbooks if path.suffix.lower() in WORKBOOK_SUFFIXES else others).append(path)
    return others, workbooks


def _other_file(path: Path) -> FileResult:
    """A link, the year's own report template (pre-checked, named with its sha256), or an unknown file."""
    finding: Finding | None
    if path.is_symlink():
        finding = Finding("file-link", path.name)
    elif path.name == TEMPLATE_NAME:
        finding = precheck_document(path, path.name)
        try:
            finding = finding or Finding("template-in-folder", path.name, detail=f"sha256 {file_sha256(path)}")
        except OSError:
            finding = Finding("document-unreadable", path.name, detail="无法打开文件")
    else:
        finding = Finding("file-unknown", path.name)
    return FileResult(path.name, "unknown", "", (finding,), Tally())


@dataclass(frozen=True)
class _Outcome:
    """What a worker sends back for one file: small, whatever the size of the file."""

    result: FileResult
    office: OfficeWorkbook | None = None
    summary: DepartmentSummary | None = None


def _not_merged(outcome: _Outcome, dropped: set[str]) -> bool:
    """Whether none of the file's rows can reach the report: it gave no workbook, or a department file
    has a file-level error (another year, an unknown or duplicate department, an unreadable file)."""
    result = outcome.result
    if outcome.office is None and outcome.summary is None or result.file in dropped:
        return True
    return result.kind == "department" and any(
        f.severity is Severity.ERROR and (f.code in FILE_LEVEL_ERRORS or f.code.startswith("file-"))
        for f in result.findings)


def _rejected_whole(result: FileResult) -> FileResult:
    return dataclasses.replace(result, tally=Tally(result.tally.read, 0, result.tally.read))


def _check_isolated(paths: Sequence[Path], office: OfficeWorkbook | None, year: str, lists: frozenset[str],
                    on_progress: Progress | None) -> list[_Outcome]:
    work = functools.partial(_check_and_summarize, office=office, year=year, lists=lists)
    outcomes = run_isolated(work, list(paths), on_progress=on_progress)
    return [_crashed(path, outcome) if isinstance(outcome, Crash) else outcome
            for path, outcome in zip(paths, outcomes, strict=True)]


def _check_and_summarize(path: Path, *, office: OfficeWorkbook | None, year: str,
                         lists: frozenset[str]) -> _Outcome:
    """Runs in a worker: read the file's bytes once, check them, and reduce a department's rows to its
    summary. The sha256 sent back is that of the bytes checked, whatever happens to the file later."""
    data = read_bytes(path, path.name)
    checked = _check_data(path, data, office, year)
    digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else ""
    wb = checked.workbook
    return _Outcome(_file_result(checked, digest), wb if isinstance(wb, OfficeWorkbook) else None,
                    summarize_department(wb, lists) if isinstance(wb, DepartmentWorkbook) else None)


def check_workbook(path: Path, office: OfficeWorkbook | None = None, year: str = "") -> Checked:
    """Read (pre-checked) and check one file, in this process: findings and every row as a model.

    The file is the office workbook if it is named 年度总表.xlsx, else a department's. Use it on
    trusted or pre-checked files; `check_submissions` runs it in isolated worker processes.
    """
    return _check_data(path, read_bytes(path, path.name), office, year)


def _check_data(path: Path, data: bytes | Finding, office: OfficeWorkbook | None, year: str) -> Checked:
    kind = _kind(path)
    raw: RawWorkbook | Finding = data if isinstance(data, Finding) else read_workbook(data, path.name)  # pre-checks
    if isinstance(raw, Finding):
        return Checked(path.name, kind, None, (raw,), Tally())
    checked = check_office(raw, year) if kind == "office" else check_department(raw, office)
    if raw.old_format:
        checked = Checked(checked.file, checked.kind, checked.workbook,
                          (Finding("file-old-format", path.name),) + checked.findings, checked.tally)
    return checked


def _kind(path: Path) -> Literal["office", "department"]:
    return "office" if path.name == OFFICE_FILE else "department"


def _crashed(path: Path, crash: Crash) -> _Outcome:
    finding = Finding("file-unsafe", path.name, detail=CRASH_DETAIL.get(crash.reason, ""))
    return _Outcome(_file_result(Checked(path.name, _kind(path), None, (finding,), Tally())))


def _file_result(checked: Checked, sha256: str = "") -> FileResult:
    department = checked.department or (Path(checked.file).stem if checked.kind == "department" else "")
    return FileResult(checked.file, checked.kind, department, checked.findings, checked.tally, sha256)


# ---- building ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BuildResult:
    check: CheckReport
    report: Path | None = None
    manifest: Path | None = None
    unchanged: bool = False
    render_findings: tuple[Finding, ...] = ()
    template: UsedTemplate | None = None  # the template rendered (or that would have been)


def build_report(year_dir: Path, out_dir: Path = Path("output"), *, template: Path | None = None,
                 pdf: bool = False, on_progress: Progress | None = None) -> BuildResult:
    """Check the year; if there is no error, render the report as the next version under out_dir/<year>/."""
    # Word and Excel writing are imported here, not at the top: `check` starts faster without them.
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.sources_workbook import sources_workbook
    from report_builder.report.render import RenderError, render_isolated, strip_marks, template_lists
    from report_builder.report.sources import figure_uses

    year_dir = Path(year_dir)
    found = find_template(year_dir, template)
    used = load_template(*found) if found else Finding("template-missing", template.name if template else TEMPLATE_NAME)
    lists = template_lists(used.data) if isinstance(used, UsedTemplate) else ()  # parsed only once pre-checked
    check = check_submissions(year_dir, lists=lists, on_progress=on_progress)
    if isinstance(used, Finding):
        return BuildResult(check, render_findings=(used,))
    if not check.ok or check.data is None:
        return BuildResult(check, template=used)
    try:
        with gc_paused():
            marked = render_isolated(check.data, used.data, marked=True)
    except RenderError as error:
        return BuildResult(check, render_findings=(Finding(error.code, used.path.name, detail=error.message),),
                           template=used)
    docx = strip_marks(marked)
    manifest = make_manifest(check, used, docx)
    folder = Path(out_dir) / year_dir.name
    stem = report_stem(check.data.info.school_name, check.data.info.year_label)
    data = check.data
    pdf_findings: list[Finding] = []

    def make_files() -> dict[str, bytes]:
        sources = save_workbook(sources_workbook(figure_uses(data, marked)))
        files = {".docx": docx, SOURCES_SUFFIX: sources}
        if pdf:
            converted = convert_pdf(docx, f"{stem}.docx")
            if isinstance(converted, Finding):
                pdf_findings.append(converted)
            else:
                files[".pdf"] = converted
        return files

    try:
        published = write_version(folder, stem, manifest["fingerprint"], manifest, make_files)
        if pdf and published.unchanged:
            pdf_findings.extend(add_pdf(published.report))
    except OSError as error:
        return BuildResult(check, render_findings=(output_failure(folder, error),), template=used)
    notes = tuple(Finding("version-incomplete", p.name, detail=INCOMPLETE_DETAIL) for p in published.incomplete)
    return BuildResult(check, published.report, manifest_path(published.report), published.unchanged,
                       notes + tuple(pdf_findings), used)


def sources_path(report: Path) -> Path:
    return report.with_suffix(SOURCES_SUFFIX)


def make_manifest(check: CheckReport, template: UsedTemplate, docx: bytes) -> dict[str, Any]:
    """What a version was built from: inputs, template, tool, checks, figures.

    A workbook's hash is that of the bytes its worker read (not of the file as it is now); the files
    the check did not read (attachments, a .docx) are hashed as they are, streamed.
    """
    read = {r.file: r.sha256 for r in check.files}
    inputs = []
    for name in sorted({*read, *(p.name for p in check.year_dir.iterdir() if p.suffix.lower() == ".docx")}):
        if not name.startswith(("~$", ".")) and (digest := read.get(name) or _input_sha256(check.year_dir / name)):
            inputs.append({"file": name, "sha256": digest})
    template_sha = template.sha256
    fingerprint = sha256(json.dumps([inputs, template_sha, __version__]).encode())
    assert check.data is not None
    return {
        "tool": f"report_builder {__version__}",
        "built_at": dt.datetime.now().isoformat(timespec="seconds"),
        "year": check.year_dir.name,
        "fingerprint": fingerprint,
        "report_sha256": sha256(docx),
        "template": {"file": template.path.name, "origin": template.origin, "sha256": template_sha},
        "inputs": inputs,
        "checks": summary(check),
        "figures": {name: {"value": f.value, "by_department": _by_department(f)}
                    for name, f in check.data.figures.items()},
    }


def _input_sha256(path: Path) -> str:
    """A file's sha256, streamed (a 3 GB attachment costs no memory), never through a link; "" if unreadable."""
    try:
        return file_sha256(path)
    except OSError:
        return ""


def _by_department(figure: Figure) -> dict[str, int]:
    shares: dict[str, int] = {}
    for source in figure.sources:
        if source.department:
            shares[source.department] = shares.get(source.department, 0) + source.amount
    return shares


def summary(check: CheckReport) -> dict[str, int]:
    t = check.tally
    errors = sum(f.severity is Severity.ERROR for f in check.findings)
    return {"files": len(check.files), "errors": errors, "warnings": len(check.findings) - errors,
            "rows_read": t.read, "rows_accepted": t.accepted, "rows_rejected": t.rejected}


def report_as_json(check: CheckReport) -> dict[str, Any]:
    """The check report as JSON-ready data: stable codes, places, values, Chinese messages."""
    return {
        "year": check.year_dir.name,
        "ok": check.ok,
        "summary": summary(check),
        "files": [{"file": r.file, "kind": r.kind, "department": r.department,
                   "errors": r.errors, "warnings": r.warnings, "rows_read": r.tally.read,
                   "rows_accepted": r.tally.accepted, "rows_rejected": r.tally.rejected,
                   "findings": [f.to_dict() for f in r.findings]} for r in check.files],
        "year_findings": [f.to_dict() for f in check.year_findings],
    }


# ---- templates and feedback ----------------------------------------------------------------------

@dataclass(frozen=True)
class Written:
    written: tuple[Path, ...]
    findings: tuple[Finding, ...]


def make_templates(year_dir: Path, out_dir: Path | None = None) -> Written:
    """One department workbook per department of the office workbook's list."""
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.forms import department_workbook

    year_dir = Path(year_dir)
    office_path = year_dir / OFFICE_FILE
    if not office_path.is_file():
        return Written((), (Finding("missing-office-workbook", OFFICE_FILE),))
    office_checked = _check_isolated([office_path], None, year_dir.name, frozenset(), None)[0]
    office = office_checked.office
    if office is None:
        return Written((), office_checked.result.findings)
    folder = out_dir or Path("output") / year_dir.name / "填报表"
    written: list[Path] = []
    for entry in office.departments:
        items = [item for item in office.checklist if item.department == entry.name]
        data = save_workbook(department_workbook(office.info, entry.name, items))
        try:
            path = write_next_version(folder, safe_stem(entry.name), ".xlsx", data, plain_first=True).path
        except OSError as error:  # the folder, not this department: the next one would fail the same way
            return Written(tuple(written), office_checked.result.findings + (output_failure(folder, error),))
        written.append(path)
    return Written(tuple(written), office_checked.result.findings)


def write_feedback(check: CheckReport, out_dir: Path) -> Written:
    """For each file with findings, a copy with the bad cells marked and a 问题清单 sheet.

    Each department file is opened in a capped worker and made inert (report_builder.outputs.feedback).
    One file that cannot be opened or written is a finding and does not stop the others.
    """
    from report_builder.outputs.feedback import FeedbackRequest, feedback_copies

    year_by_file: dict[str, list[Finding]] = {}
    for finding in check.year_findings:
        year_by_file.setdefault(finding.file, []).append(finding)
    names, requests = [], []
    for result in check.files:
        findings = tuple(result.findings) + tuple(year_by_file.get(result.file, []))
        if not findings or result.kind == "unknown":
            continue
        unreadable = any(f.code.startswith("file-") and f.severity is Severity.ERROR for f in result.findings)
        readable = not unreadable and Path(result.file).suffix.lower() in (".xlsx", ".xlsm")
        original = check.year_dir / result.file if readable else None  # never reopen a file that failed
        names.append(result.file)
        requests.append(FeedbackRequest(original, findings))
    written = []
    failed: list[Finding] = []
    for name, data in zip(names, feedback_copies(requests), strict=True):
        try:
            path = write_next_version(Path(out_dir), feedback_stem(name), ".xlsx", data, plain_first=True).path
        except OSError as error:
            failed.append(output_failure(Path(out_dir), error))
            continue
        written.append(path)
    return Written(tuple(written), tuple(dict.fromkeys(failed)))
