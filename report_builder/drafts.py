"""The report drafted and checked, not yet written: the one verdict of `build` and `check-template`.

`draft_report` runs the steps of a build up to writing: the office workbook, the format and its template
(report_builder.formats, intake.report_template), the template read without running it
(report.template_check), the year's workbooks (checking.check_submissions), the rendering in the capped
worker (report.render) and the checks before publication (report.publication: the bundled format's parts
with their accepted wordings, or for 本校格式 the headings its template declares, report.parts).
`pipeline.build_report` writes what it drafted; `template_calls.check_report_template(模板, 年度文件夹)` is
this function with the template as `--template` (a trial: rendered even while some department's workbook
has an error, so that the verdict is about the template). A piece of the public API, like pipeline.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from report_builder.checking import Progress, check_submissions, load_office
from report_builder.findings import Finding, has_errors
from report_builder.formats import DEFAULT_FORMAT, FORMATS, OWN_TEMPLATE, choose_format, year_format
from report_builder.intake.report_template import (
    UsedTemplate,
    file_sha256,
    find_template,
    has_own_template,
    load_template,
)
from report_builder.intake.typed_figures import read_typed_figures
from report_builder.isolation import Crash, run_isolated
from report_builder.outputs.last_report import find_last_year
from report_builder.report.merge import ReportData
from report_builder.report.publication import Publication
from report_builder.report.year_on_year import LastYear, last_year_uses
from report_builder.results import CheckReport
from report_builder.schema import WORKBOOK_SUFFIXES

__all__ = ["Draft", "draft_report"]


@dataclass(frozen=True)
class Draft:
    """What a build would publish, or why it would not.

    `problems`: the errors about the template, the format, last year's figures or the rendered report (the
    year's own errors are in `check`); `docx` is None when the report was not rendered."""

    check: CheckReport
    report_format: str  # the format drafted; "" while the office workbook or --format is wrong
    own_format: str  # the year's own format: its reports are named without a suffix (formats.format_stem)
    template: UsedTemplate | None
    problems: tuple[Finding, ...] = ()
    notes: tuple[Finding, ...] = ()  # warnings about last year's figures (typed or asked for)
    marked: bytes | None = None  # the rendering with figure markers (report.sources)
    docx: bytes | None = None
    publication: Publication | None = None

    @property
    def ready(self) -> bool:
        """Whether the draft may be published: rendered, no problem, no error in the year's workbooks."""
        return self.docx is not None and not self.problems and self.check.ok


def draft_report(year_dir: Path, out_dir: Path = Path("output"), *, template: Path | None = None,
                 on_progress: Progress | None = None, last_year: Path | None = None,
                 report_format: str | None = None, today: dt.date | None = None, trial: bool = False) -> Draft:
    """Every step of `build` but writing (the module docstring). `trial`: render even when a department's
    workbook has an error (check-template), with the data of the others."""
    from report_builder.report.publication import check_publication
    from report_builder.report.render import RenderError, render_isolated, strip_marks
    from report_builder.report.template_check import office_names
    from report_builder.report.template_reading import read_template_isolated

    year_dir = Path(year_dir)
    loaded = load_office(year_dir)
    office_choice = loaded.office.info.report_format if loaded.office else None
    has_own = template is not None or has_own_template(year_dir)
    chosen = choose_format(report_format, office_choice, has_own)
    name = chosen if isinstance(chosen, str) else DEFAULT_FORMAT
    format_known = isinstance(chosen, str) and (loaded.office is not None or report_format is not None)
    used = _template_of(year_dir, template, chosen)
    reading = read_template_isolated(used.data, office_names(loaded.office), used.path.name) if isinstance(
        used, UsedTemplate) else None  # read once, in a capped worker, only once pre-checked
    known, typed = _last_year(Path(last_year), Path(out_dir), year_dir.name) if last_year else (None, ())
    check = check_submissions(year_dir, lists=reading.lists if reading else (), on_progress=on_progress,
                              last_year=known, loaded=loaded)
    draft = Draft(check, name if format_known else "", year_format(office_choice, has_own),
                  used if isinstance(used, UsedTemplate) else None, notes=typed)
    if isinstance(used, Finding) or reading is None or has_errors(typed):
        return _with(draft, problems=((used,) if isinstance(used, Finding) else ()) + typed)
    if reading.refused:  # its errors, and what else the reading said (a link it would take out…)
        return _with(draft, problems=reading.findings)
    draft = _with(draft, notes=reading.findings + typed)  # warnings of the reading: a link taken out…
    if check.data is None or (not check.ok and not trial):
        return draft
    try:
        marked = render_isolated(check.data, used.data, marked=True)
    except RenderError as error:
        return _with(draft, problems=(error.as_finding(used.path.name),))
    docx = strip_marks(marked)
    declared = FORMATS[name].own
    parts = _declared_parts(used.data) if declared else FORMATS[name].parts
    publication = check_publication(docx, check.data, parts, today or dt.date.today(), template=used.path.name,
                                    declared=declared)
    typed_in_office = check.office is not None and bool(check.office.last_year)
    asked = _last_year_asked(used, reading.names, check.data) if last_year is None and not typed_in_office else ()
    return _with(draft, problems=publication.errors, notes=reading.findings + asked + typed, marked=marked,
                 docx=docx, publication=publication)


def _with(draft: Draft, **changes: object) -> Draft:
    from dataclasses import replace

    return replace(draft, **changes)  # type: ignore[arg-type]


def _declared_parts(template: bytes) -> tuple[str, ...]:
    from report_builder.report.parts import declared_parts

    return declared_parts(template)


def _template_of(year_dir: Path, template: Path | None, chosen: str | Finding) -> UsedTemplate | Finding:
    """The template of a build (intake.report_template.find_template), or why there is none."""
    if isinstance(chosen, Finding):
        return chosen
    found = find_template(year_dir, template, chosen)
    if found is not None:
        return load_template(*found)
    if template is not None:
        return Finding("template-missing", template.name)
    if FORMATS[chosen].own:
        return Finding("format-not-installed", OWN_TEMPLATE, value=chosen,
                       detail=f"“{chosen}”的模板是年度文件夹中的 {OWN_TEMPLATE}，请把本校的模板放进年度文件夹")
    return Finding("format-not-installed", FORMATS[chosen].file, value=chosen)


def _last_year(source: Path, out_dir: Path, year: str) -> tuple[LastYear | None, tuple[Finding, ...]]:
    """`build --from`: last year's report (outputs.last_report), or a workbook the office typed them in, read in
    a worker (intake.typed_figures); the findings say what is wrong with it (errors stop the build)."""
    if source.suffix.lower() not in WORKBOOK_SUFFIXES:
        found = find_last_year(source, out_dir, year)
        return (found, ()) if isinstance(found, LastYear) else (None, (found,))
    if source.is_symlink() or not source.is_file():
        return None, (Finding("file-link" if source.is_symlink() else "last-year-not-found", str(source),
                              detail="" if source.is_symlink() else "文件不存在"),)
    [outcome] = run_isolated(read_typed_figures, [source], workers=1)
    if isinstance(outcome, Crash):
        return None, (Finding("file-unsafe", source.name, detail=outcome.words("读取")),)
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
