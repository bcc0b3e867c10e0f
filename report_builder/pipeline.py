"""The public calls that write: build the report, accept a submission, make templates, a new year and feedback,
and list the versions built; with the year's check (report_builder.checking, re-exported here), the list of
calls over a year's workbooks. The calls about report templates and formats are in report_builder.template_calls.

Each function takes paths, returns plain results (report_builder.results) and never raises on bad
input: every problem is a Finding. Untrusted files are pre-checked, then read and checked in worker
processes (report_builder.isolation, report_builder.checking), so a file that crashes the reader
costs only itself.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Collection, Iterable
from pathlib import Path

from report_builder.checking import Progress, check_file, check_submissions, load_office
from report_builder.findings import Finding, has_errors
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
from report_builder.results import (
    BuildResult,
    CheckReport,
    ReportVersion,
    ReportVersions,
    Written,
)
from report_builder.schema import OFFICE_FILE, OPENXML_SUFFIXES

__all__ = ["accept_submission", "build_report", "check_file", "check_submissions", "list_report_versions",
           "load_office", "make_templates", "start_year", "write_feedback"]


def accept_submission(year_dir: Path, department: str, data: bytes, *, keep_newer_than: float | None = None,
                      ours: Collection[str] = ()) -> Written:
    """Put a department's checked workbook into the year folder as `<部门名称>.xlsx` (`.xls` for an old-format
    workbook: its bytes keep their suffix; a safe name made from the department's name, never a sender's file
    name), written whole or not at all, replacing the one it had (of either suffix). Nothing is written (an empty
    `written`) when the file already holds these bytes, or, with `keep_newer_than` (a time, seconds since the
    epoch), when it holds bytes other than `ours` (the sha256 of files the caller put there) modified after that
    time: a file the office put there by hand since. Temporaries left by a killed earlier call are removed."""
    from report_builder.atomic import remove_stale_temporaries, write_atomic
    from report_builder.intake.packages import OLE_MAGIC

    suffix, other = (".xls", ".xlsx") if data.startswith(OLE_MAGIC) else (".xlsx", ".xls")
    target = Path(year_dir) / f"{safe_stem(department)}{suffix}"
    try:
        remove_stale_temporaries(target.parent)
        if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
            return Written((), ())
        if (keep_newer_than is not None and target.is_file() and not target.is_symlink()
                and target.stat().st_mtime > keep_newer_than
                and hashlib.sha256(target.read_bytes()).hexdigest() not in ours):
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
    (outputs.last_report.find_last_year); its figures become `上年.…` and `增减.…`.
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
    uses = figure_uses(data, marked)
    manifest = make_manifest(year_dir, hashes, check.totals(), data, used, docx, uses) | {"format": draft.report_format}
    folder = Path(out_dir) / year_dir.name
    stem = format_stem(titled_stem(docx, data.info.school_name, data.info.year_label), draft.report_format,
                       draft.own_format)
    pdf_findings: list[Finding] = []
    previous, reviewed = previous_review(folder, stem)  # what the reviewers said of the version this one follows
    manifest |= previous

    def make_files() -> dict[str, bytes]:
        sources = save_workbook(sources_workbook(uses))
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


def make_templates(year_dir: Path, out_dir: Path | None = None, *, departments: Iterable[str] | None = None,
                   ) -> Written:
    """One department workbook per department of the office workbook's list (of those of `departments` only,
    when given: in the list's order)."""
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.forms import department_workbook
    from report_builder.vocabulary import declared_categories, declared_channels, department_narratives

    year_dir = Path(year_dir)
    loaded = load_office(year_dir)
    if loaded.office is None or has_errors(loaded.findings):
        return Written((), loaded.findings)  # nothing is sent out while the office workbook has an error
    folder = out_dir or Path("output") / year_dir.name / "填报表"
    written: list[Path] = []
    paragraphs = department_narratives(loaded.office.narratives)
    channels = declared_channels(loaded.office.channels)
    categories = declared_categories(loaded.office.categories)
    wanted = None if departments is None else set(departments)
    for entry in (e for e in loaded.office.departments if wanted is None or e.name in wanted):
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
    from report_builder.atomic import remove_stale_temporaries, write_atomic
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.new_year import blank_office_workbook, next_office_workbook, unshifted_labels

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
        if loaded.office is None or has_errors(found):
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
        unreadable = any(f.file_unreadable for f in result.findings)
        readable = not unreadable and Path(result.file).suffix.lower() in OPENXML_SUFFIXES
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
