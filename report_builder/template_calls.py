"""The public calls about report templates and formats: check a template, list its names, write the guide,
list the bundled formats and copy one into a year folder for editing.

A piece of the public API (report_builder.checking and pipeline hold the calls over a year's workbooks), kept apart so
that each module stays small. Like pipeline, these never raise on bad input: problems are findings.
"""

from __future__ import annotations

import os
from pathlib import Path

from report_builder.checking import check_submissions, load_office
from report_builder.findings import Finding, errors
from report_builder.formats import (
    DEFAULT_FORMAT,
    FORMATS,
    OWN_TEMPLATE,
    FormatList,
    FormatRow,
    bundled_template,
    format_text,
    year_format,
)
from report_builder.intake.report_template import has_own_template, load_template
from report_builder.outputs.staging import output_failure
from report_builder.report.template_guide import FieldRow
from report_builder.results import Written
from report_builder.schema import CHANNELS

__all__ = ["check_report_template", "copy_format", "list_formats", "template_fields", "write_template_guide"]


def check_report_template(template: Path, year_dir: Path | None = None) -> tuple[Finding, ...]:
    """Every problem of a Word report template, in Chinese at its paragraph (read in a capped worker). With
    `year_dir`, the verdict of `build --template` (drafts.draft_report: the same steps, the same findings): this
    year's data rendered into it in a capped worker and the rendering checked before publication (the format's
    parts, or the headings the template declares). Errors, and the warning about its parts' numbering."""
    from report_builder.drafts import draft_report
    from report_builder.report.template_check import office_names
    from report_builder.report.template_reading import read_template_isolated

    used = load_template(Path(template), "option")
    if isinstance(used, Finding):
        return (used,)
    if year_dir is None:
        return read_template_isolated(used.data, office_names(None), used.path.name).findings
    draft = draft_report(Path(year_dir), template=Path(template), trial=True)
    if draft.problems or draft.check.data is None:
        year_errors = () if draft.check.data is not None else draft.check.findings
        return draft.problems + tuple(errors(year_errors))
    publication = draft.publication
    return tuple(f for f in publication.warnings if f.code == "publication-part-numbering") if publication else ()


def template_fields(year_dir: Path | None = None) -> list[FieldRow]:
    """Every name a report template can use, with its description, and this year's value with `year_dir`: the
    office's channels, categories and own paragraphs included."""
    from report_builder.report.template_guide import field_rows
    from report_builder.vocabulary import declared_asked, declared_categories, declared_channels, declared_narratives

    check = check_submissions(Path(year_dir)) if year_dir is not None else None
    office = check.office if check is not None else None
    return field_rows(check.data if check else None, declared_channels(office.channels) if office else CHANNELS,
                      declared_categories(office.categories) if office else (),
                      declared_narratives(office.narratives) if office else (),
                      declared_asked(office.asked) if office else ())


def write_template_guide(out: Path, year_dir: Path | None = None) -> Path:
    """Write 《模板说明》 (a Word document made from the vocabulary) to `out`; never overwrites a file. With
    `year_dir`, its names are this year's: the office's channels, categories and own paragraphs."""
    from report_builder.atomic import remove_stale_temporaries, write_atomic
    from report_builder.report.template_guide import field_rows, guide_docx
    from report_builder.vocabulary import declared_asked, declared_categories, declared_channels, declared_narratives

    remove_stale_temporaries(Path(out).parent)  # what a killed earlier call left
    office = load_office(Path(year_dir)).office if year_dir is not None else None
    rows = field_rows(None, declared_channels(office.channels), declared_categories(office.categories),
                      declared_narratives(office.narratives), declared_asked(office.asked)) if office else None
    write_atomic(Path(out), guide_docx(rows, office.info.year_label if office is not None else ""))
    return Path(out)


def list_formats(year_dir: Path | None = None) -> FormatList:
    """The bundled report formats (name, description, file, installed); with `year_dir`, which one the year
    uses (its office workbook's 报告格式, blank: the default) and which it holds an edited copy of."""
    chosen: str | None = None
    findings: tuple[Finding, ...] = ()
    own = year_dir is not None and has_own_template(Path(year_dir))
    if year_dir is not None:
        loaded = load_office(Path(year_dir))
        findings = tuple(errors(loaded.findings))
        choice = loaded.office.info.report_format if loaded.office is not None else None
        chosen = year_format(choice, own) if loaded.office is not None else None
    rows = tuple(FormatRow(f.name, f.description, f.file, own if f.own else bundled_template(f.name) is not None,
                           own if f.own else _edited_copy(year_dir, f.file), f.name == chosen, f.own)
                 for f in FORMATS.values())
    return FormatList(rows, chosen, findings)


def _edited_copy(year_dir: Path | None, file: str) -> bool:
    """Whether the year folder holds an edited copy of a bundled format (三部分's file is 本校格式's)."""
    return year_dir is not None and file != OWN_TEMPLATE and os.path.lexists(Path(year_dir) / file)


def copy_format(name: str, year_dir: Path) -> Written:
    """Copy the bundled template of format `name` into `year_dir` (under its own file name) for the office to
    edit; `build` then uses that copy when the year chooses this format. Never replaces a file."""
    from report_builder.atomic import remove_stale_temporaries, write_atomic

    known = FORMATS.get(name.strip())
    if known is None:
        return Written((), (Finding("format-unknown", "--copy", value=name, detail="可选：" + format_text()),))
    if known.own:
        detail = f"本校格式没有自带的模板：复制一种自带的格式（如 {DEFAULT_FORMAT}）后修改，即是本校格式"
        return Written((), (Finding("format-unknown", "--copy", value=name, detail=detail),))
    source = bundled_template(known.name)
    if source is None:
        return Written((), (Finding("format-not-installed", known.file, value=known.name),))
    target = Path(year_dir) / known.file
    if os.path.lexists(target):
        return Written((), (Finding("format-copy-exists", str(target)),))
    try:
        remove_stale_temporaries(target.parent)  # what a killed earlier copy left
        write_atomic(target, source.read_bytes())
    except FileExistsError:  # made meanwhile: still never replaced
        return Written((), (Finding("format-copy-exists", str(target)),))
    except OSError as error:
        return Written((), (output_failure(target.parent, error),))
    return Written((target,), ())
