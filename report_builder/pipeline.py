"""The public calls: check a year's submissions or one file, build the report, make templates and feedback
(the calls about report templates and formats are in report_builder.template_calls).

Each function takes paths, returns plain results (report_builder.results) and never raises on bad
input: every problem is a Finding. Untrusted files are pre-checked, then read and checked in worker
processes (report_builder.isolation, report_builder.file_checks), so a file that crashes the reader
costs only itself.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from pathlib import Path

from report_builder.file_checks import (
    Progress,
    check_isolated,
    list_year,
    not_merged,
    other_file,
    rejected_whole,
)
from report_builder.findings import Finding, Severity
from report_builder.formats import format_stem
from report_builder.names import safe_stem
from report_builder.outputs.manifests import make_manifest, manifest_path
from report_builder.outputs.reviews import previous_review, review_decisions, review_status
from report_builder.outputs.staging import (
    INCOMPLETE_DETAIL,
    SOURCES_SUFFIX,
    add_pdf,
    convert_pdf,
    feedback_stem,
    output_failure,
    titled_stem,
)
from report_builder.outputs.version_history import Build, input_changes, list_builds
from report_builder.outputs.versions import write_next_version, write_version
from report_builder.report.lastyear import LastYear, jumps
from report_builder.report.merge import merge_year
from report_builder.results import (
    BuildResult,
    CheckReport,
    FileResult,
    OfficeResult,
    ReportVersion,
    ReportVersions,
    Written,
)
from report_builder.schema import OFFICE_FILE, OfficeWorkbook

__all__ = ["accept_submission", "build_report", "check_file", "check_submissions", "list_report_versions",
           "load_office", "make_templates", "start_year", "write_feedback"]


def check_submissions(year_dir: Path, *, lists: Iterable[str] = (), on_progress: Progress | None = None,
                      last_year: LastYear | None = None, loaded: OfficeResult | None = None) -> CheckReport:
    """Check every workbook of a year folder; merge what is valid.

    `lists` names the lists of rows the report data should carry (summary.LIST_NAMES; build
    asks for those its template prints): the figures never need them. With `last_year` the data
    carries `上年`/`增减`, and a figure that jumped since last year is a `figure-jump` warning.
    `loaded`: this year's office workbook already read by `load_office` (not read again).
    """
    year_dir = Path(year_dir)
    others, files, skipped = list_year(year_dir)
    loaded = loaded if loaded is not None else load_office(year_dir)
    office = loaded.office
    checked = check_isolated(files, office, year_dir.name, frozenset(lists), on_progress)
    year_findings = [*loaded.folder_findings, *skipped]
    if last_year is None and office is not None and office.last_year:  # typed by the office (first year)
        last_year = LastYear(f"{OFFICE_FILE} › 上年数字", "", loaded.file.sha256 if loaded.file else "",
                             {f.name: f.value for f in office.last_year})
    data = None
    if office is not None:
        summaries = [o.summary for o in checked if o.summary is not None]
        unchecked = [o.result.file for o in checked if o.summary is None]
        data, merge_findings = merge_year(office, summaries, unchecked, last_year)
        year_findings += merge_findings
        if last_year is not None:
            year_findings += jumps(data.figures, last_year, office.file)
    dropped = {f.file for f in year_findings if f.code == "duplicate-department"}
    results = [loaded.file] if loaded.file else []
    results += [rejected_whole(o.result) if not_merged(o, dropped) else o.result for o in checked]
    results += [other_file(p) for p in others]
    return CheckReport(year_dir, tuple(results), tuple(year_findings), office, data)


def load_office(year_dir: Path) -> OfficeResult:
    """Read and check the year's office workbook (年度总表.xlsx) in a worker; a link is never followed."""
    year_dir = Path(year_dir)
    path = year_dir / OFFICE_FILE
    if path.is_symlink():
        return OfficeResult(None, None, (Finding("file-link", OFFICE_FILE),))
    if not path.is_file():
        detail = f"应放在年度文件夹“{year_dir.name}”中"
        return OfficeResult(None, None, (Finding("missing-office-workbook", OFFICE_FILE, detail=detail),))
    [outcome] = check_isolated([path], None, year_dir.name, frozenset(), None)
    if outcome.office is None:
        return OfficeResult(None, rejected_whole(outcome.result))
    return OfficeResult(outcome.office, outcome.result)


def check_file(path: Path, office: OfficeWorkbook | None = None, *, year: str = "") -> FileResult:
    """Check one workbook in a capped worker process: the office workbook if it is named 年度总表.xlsx
    (`year`: the year folder's name it must match), else a department's (against `office`)."""
    path = Path(path)
    [outcome] = check_isolated([path], office, year, frozenset(), None)
    return outcome.result


def accept_submission(year_dir: Path, department: str, data: bytes) -> Written:
    """Put a department's checked workbook into the year folder as `<部门名称>.xlsx` (`.xls` for an old-format
    workbook: its bytes keep their suffix; a safe name made from the department's name, never a sender's file
    name), written whole or not at all, replacing the one it had (of either suffix). Nothing is written (an empty
    `written`) when the file already holds these bytes. Temporaries left by a killed earlier call are removed."""
    from report_builder.intake.packages import OLE_MAGIC
    from report_builder.outputs.versions import remove_stale_temporaries, write_atomic

    suffix, other = (".xls", ".xlsx") if data.startswith(OLE_MAGIC) else (".xlsx", ".xls")
    target = Path(year_dir) / f"{safe_stem(department)}{suffix}"
    try:
        remove_stale_temporaries(target.parent)
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            return Written((), ())
        write_atomic(target, data, overwrite=True)
        replaced = target.with_suffix(other)
        if replaced.is_file() and not replaced.is_symlink():  # the department's earlier workbook, other format
            replaced.unlink()
    except OSError as error:
        return Written((), (output_failure(target.parent, error),))
    return Written((target,), ())


def build_report(year_dir: Path, out_dir: Path = Path("output"), *, template: Path | None = None,
                 pdf: bool = False, on_progress: Progress | None = None, last_year: Path | None = None,
                 report_format: str | None = None, today: dt.date | None = None, html: bool = False) -> BuildResult:
    """Check the year; if there is no error, render the report as the next version under out_dir/<year>/.

    `last_year` (`build --from`): last year's report, its output folder or its year folder
    (outputs.lastyear.find_last_year); its figures become `上年.…` and `增减.…`.
    `report_format` (`build --format`, report_builder.formats): overrides the year's own format (the office
    workbook's 报告格式, else 本校格式 when the year folder holds 年度报告模板.docx, else 三部分); `template`
    overrides the format's template (without a chosen format it is 本校格式). Each format has its own version
    series. Everything up to writing is `drafts.draft_report`, the verdict `check-template` gives too; the
    rendered report is checked before it is written (`today` counts the days left, never enters the report).
    With `html` the version also holds the report as a web page and as plain text (outputs.web_page).
    """
    # Word and Excel writing are imported here, not at the top: `check` starts faster without them.
    from report_builder.drafts import draft_report
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.sources_workbook import sources_workbook
    from report_builder.outputs.web_page import WEB_SUFFIXES, web_files
    from report_builder.report.sources import figure_uses

    year_dir = Path(year_dir)
    draft = draft_report(year_dir, Path(out_dir), template=template, on_progress=on_progress,
                         last_year=last_year, report_format=report_format, today=today)
    check, used = draft.check, draft.template
    result = functools.partial(BuildResult, report_format=draft.report_format, template=used)
    if not draft.ready or used is None or draft.docx is None or draft.marked is None or check.data is None:
        return result(check, render_findings=draft.problems, publication=draft.publication)
    docx, marked, data, publication = draft.docx, draft.marked, check.data, draft.publication
    hashes = {r.file: r.sha256 for r in check.files}
    manifest = make_manifest(year_dir, hashes, check.totals(), data, used, docx) | {"format": draft.report_format}
    folder = Path(out_dir) / year_dir.name
    stem = format_stem(titled_stem(docx, data.info.school_name, data.info.year_label), draft.report_format,
                       draft.own_format)
    pdf_findings: list[Finding] = []
    previous, reviewed = previous_review(folder, stem)  # what the reviewers said of the version this one follows
    manifest |= previous

    def make_files() -> dict[str, bytes]:
        sources = save_workbook(sources_workbook(figure_uses(data, marked)))
        files = {".docx": docx, SOURCES_SUFFIX: sources}
        if pdf:
            converted = convert_pdf(docx, f"{stem}.docx")
            if isinstance(converted, Finding):
                pdf_findings.append(converted)
            else:
                files[".pdf"] = converted
        if html:
            files |= web_files(docx)
        return files

    try:
        published = write_version(folder, stem, manifest["fingerprint"], manifest, make_files,
                                  WEB_SUFFIXES if html else ())
        if pdf and published.unchanged:
            pdf_findings.extend(add_pdf(published.report))
    except OSError as error:
        return result(check, render_findings=(output_failure(folder, error),))
    notes = tuple(Finding("version-incomplete", p.name, detail=INCOMPLETE_DETAIL) for p in published.incomplete)
    notes += () if published.unchanged else reviewed
    warnings = publication.warnings if publication else ()
    return result(check, published.report, manifest_path(published.report), published.unchanged,
                  notes + draft.notes + warnings + tuple(pdf_findings),
                  sources=published.report.with_suffix(SOURCES_SUFFIX), publication=publication)


def make_templates(year_dir: Path, out_dir: Path | None = None) -> Written:
    """One department workbook per department of the office workbook's list."""
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.forms import department_workbook
    from report_builder.vocabulary import declared_categories, declared_channels, department_narratives

    year_dir = Path(year_dir)
    loaded = load_office(year_dir)
    if loaded.office is None or any(f.severity is Severity.ERROR for f in loaded.findings):
        return Written((), loaded.findings)  # nothing is sent out while the office workbook has an error
    folder = out_dir or Path("output") / year_dir.name / "填报表"
    written: list[Path] = []
    paragraphs = department_narratives(loaded.office.narratives)
    channels = declared_channels(loaded.office.channels)
    categories = declared_categories(loaded.office.categories)
    for entry in loaded.office.departments:
        items = [item for item in loaded.office.checklist if item.department == entry.name]
        data = save_workbook(department_workbook(loaded.office.info, entry.name, items, paragraphs, channels,
                                                 categories, loaded.office.asked))
        try:
            path = write_next_version(folder, safe_stem(entry.name), ".xlsx", data, plain_first=True).path
        except OSError as error:  # the folder, not this department: the next one would fail the same way
            return Written(tuple(written), loaded.findings + (output_failure(folder, error),))
        written.append(path)
    return Written(tuple(written), loaded.findings)


def start_year(new_dir: Path, from_dir: Path | None = None) -> Written:
    """Write NEW_DIR/年度总表.xlsx for a new year: carried over from `from_dir`'s (window, deadline and labels
    one year on, paragraphs marked as last year's), or blank. An existing office workbook is never replaced."""
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.new_year import blank_office_workbook, next_office_workbook, unshifted_labels
    from report_builder.outputs.versions import remove_stale_temporaries, write_atomic

    target = Path(new_dir) / OFFICE_FILE
    if target.exists() or target.is_symlink():
        return Written((), (Finding("office-workbook-exists", str(target)),))
    remove_stale_temporaries(target.parent)  # what a killed new-year left
    found: tuple[Finding, ...] = ()
    if from_dir is None:
        workbook = blank_office_workbook()
    else:
        loaded = load_office(Path(from_dir))
        found = loaded.findings
        if loaded.office is None or any(f.severity is Severity.ERROR for f in found):
            return Written((), found)
        workbook = next_office_workbook(loaded.office)
        found += tuple(Finding("year-label-not-shifted", OFFICE_FILE, "基本信息", value=label, detail=f"“{title}”")
                       for title, label in unshifted_labels(loaded.office.info))
    try:
        write_atomic(target, save_workbook(workbook))
    except FileExistsError:  # made meanwhile by someone else: still never replaced
        return Written((), (Finding("office-workbook-exists", str(target)),))
    except OSError as error:
        return Written((), found + (output_failure(target.parent, error),))
    return Written((target,), found)


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


def list_report_versions(folder: Path) -> ReportVersions:
    """The whole report versions in `folder` (oldest first), each with what changed in its inputs since the
    previous version of its format (each format is a series of its own) and where its review stands."""
    builds, incomplete = list_builds(Path(folder))
    versions: list[ReportVersion] = []
    previous: dict[str, Build] = {}
    decisions = review_decisions(Path(folder))
    for build in sorted(builds, key=lambda b: b.built_at):  # in time; a stable sort keeps name order for ties
        changes = tuple(input_changes(previous.get(build.report_format), build))
        review = review_status(build.path, decisions).label
        versions.append(ReportVersion(build.path, build.built_at, changes, build.report_format, review))
        previous[build.report_format] = build
    notes = tuple(Finding("version-incomplete", p.name, detail=INCOMPLETE_DETAIL) for p in incomplete)
    return ReportVersions(tuple(versions), notes)
