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
    WORKBOOK_SUFFIXES,
    Progress,
    check_isolated,
    list_year,
    not_merged,
    other_file,
    rejected_whole,
)
from report_builder.findings import Finding, Severity
from report_builder.formats import DEFAULT_FORMAT, FORMATS, choose_format, format_stem
from report_builder.intake.lastyear import read_typed_figures
from report_builder.intake.report_template import (
    UsedTemplate,
    file_sha256,
    find_template,
    load_template,
)
from report_builder.isolation import Crash, run_isolated
from report_builder.names import safe_stem
from report_builder.outputs.lastyear import find_last_year
from report_builder.outputs.manifests import make_manifest, manifest_path
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
from report_builder.report.lastyear import LastYear, jumps, last_year_uses
from report_builder.report.merge import ReportData, merge_year
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
                 report_format: str | None = None, today: dt.date | None = None) -> BuildResult:
    """Check the year; if there is no error, render the report as the next version under out_dir/<year>/.

    `last_year` (`build --from`): last year's report, its output folder or its year folder
    (outputs.lastyear.find_last_year); its figures become `上年.…` and `增减.…`.
    `report_format` (`build --format`, report_builder.formats): overrides the office workbook's 报告格式;
    `template` overrides both. Each format has its own version series. The rendered report is checked
    before it is written (report.publication; `today` counts the days left, never enters the report).
    """
    # Word and Excel writing are imported here, not at the top: `check` starts faster without them.
    from report_builder.outputs.excel import save_workbook
    from report_builder.outputs.sources_workbook import sources_workbook
    from report_builder.report.publication import check_publication
    from report_builder.report.render import RenderError, render_isolated, strip_marks
    from report_builder.report.sources import figure_uses
    from report_builder.report.template_check import office_names
    from report_builder.report.template_reading import read_template_isolated

    year_dir = Path(year_dir)
    loaded = load_office(year_dir)
    office_choice = loaded.office.info.report_format if loaded.office else None
    chosen = choose_format(report_format, office_choice)
    name = chosen if isinstance(chosen, str) else DEFAULT_FORMAT
    format_known = isinstance(chosen, str) and (loaded.office is not None or report_format is not None)
    result = functools.partial(BuildResult, report_format=name if format_known else "")  # "": not known
    used = _template_of(year_dir, template, chosen)
    reading = read_template_isolated(used.data, office_names(loaded.office), used.path.name) if isinstance(
        used, UsedTemplate) else None  # read (in a capped worker) only once pre-checked
    known, typed = _last_year(Path(last_year), Path(out_dir), year_dir.name) if last_year else (None, ())
    check = check_submissions(year_dir, lists=reading.lists if reading else (), on_progress=on_progress,
                              last_year=known, loaded=loaded)
    if isinstance(used, Finding) or reading is None or any(f.severity is Severity.ERROR for f in typed):
        problems = (used,) + typed if isinstance(used, Finding) else typed
        return result(check, render_findings=problems, template=used if isinstance(used, UsedTemplate) else None)
    if reading.refused or not check.ok or check.data is None:
        return result(check, render_findings=reading.findings, template=used)
    try:
        marked = render_isolated(check.data, used.data, marked=True)
    except RenderError as error:
        return result(check, render_findings=(error.as_finding(used.path.name),), template=used)
    docx = strip_marks(marked)
    # A --template is checked against the format the office or --format chose; with neither it is its own.
    explicit = report_format is not None or office_choice is not None
    parts = FORMATS[name].parts if used.origin != "option" or explicit else ()
    publication = check_publication(docx, check.data, parts, today or dt.date.today(), template=used.path.name)
    if publication.errors:
        return result(check, render_findings=publication.errors, template=used, publication=publication)
    typed_in_office = check.office is not None and bool(check.office.last_year)
    asked = _last_year_asked(used, reading.names, check.data) if last_year is None and not typed_in_office else ()
    hashes = {r.file: r.sha256 for r in check.files}
    manifest = make_manifest(year_dir, hashes, check.totals(), check.data, used, docx) | {"format": name}
    folder = Path(out_dir) / year_dir.name
    stem = format_stem(titled_stem(docx, check.data.info.school_name, check.data.info.year_label), name)
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
        return result(check, render_findings=(output_failure(folder, error),), template=used)
    notes = tuple(Finding("version-incomplete", p.name, detail=INCOMPLETE_DETAIL) for p in published.incomplete)
    return result(check, published.report, manifest_path(published.report), published.unchanged,
                  reading.findings + notes + asked + typed + publication.warnings + tuple(pdf_findings), used,
                  published.report.with_suffix(SOURCES_SUFFIX), publication=publication)


def _template_of(year_dir: Path, template: Path | None, chosen: str | Finding) -> UsedTemplate | Finding:
    """The template of a build (intake.report_template.find_template), or why there is none."""
    if isinstance(chosen, Finding):
        return chosen
    found = find_template(year_dir, template, chosen)
    if found is not None:
        return load_template(*found)
    if template is not None:
        return Finding("template-missing", template.name)
    return Finding("format-not-installed", FORMATS[chosen].file, value=chosen)


def _last_year(source: Path, out_dir: Path, year: str) -> tuple[LastYear | None, tuple[Finding, ...]]:
    """`build --from`: last year's report (outputs.lastyear), or a workbook the office typed them in, read in
    a worker (intake.lastyear); the findings say what is wrong with it (errors stop the build)."""
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        found = find_last_year(source, out_dir, year)
        return (found, ()) if isinstance(found, LastYear) else (None, (found,))
    if source.is_symlink() or not source.is_file():
        return None, (Finding("file-link" if source.is_symlink() else "last-year-not-found", str(source),
                              detail="" if source.is_symlink() else "文件不存在"),)
    [outcome] = run_isolated(read_typed_figures, [source], workers=1)
    if isinstance(outcome, Crash):
        return None, (Finding("file-unsafe", source.name, detail="读取时程序异常退出"),)
    figures, findings = outcome
    try:
        digest = file_sha256(source)
    except OSError:
        return None, (Finding("file-read-failed", source.name, detail="无法打开文件"),)
    return LastYear(source.name, "", digest, figures), findings


def _last_year_asked(template: UsedTemplate, names: frozenset[str], data: ReportData) -> tuple[Finding, ...]:
    """A warning when the report prints `上年.…`/`增减.…` but no last year was given (they print "未知")."""
    where = last_year_uses(names, data.used_figures)
    return (Finding("last-year-missing", template.path.name, detail="、".join(where)),) if where else ()


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
                                                 categories))
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
    previous version of its format (each format is a series of its own)."""
    builds, incomplete = list_builds(Path(folder))
    versions: list[ReportVersion] = []
    previous: dict[str, Build] = {}
    for build in sorted(builds, key=lambda b: b.built_at):  # in time; a stable sort keeps name order for ties
        changes = tuple(input_changes(previous.get(build.report_format), build))
        versions.append(ReportVersion(build.path, build.built_at, changes, build.report_format))
        previous[build.report_format] = build
    notes = tuple(Finding("version-incomplete", p.name, detail=INCOMPLETE_DETAIL) for p in incomplete)
    return ReportVersions(tuple(versions), notes)
