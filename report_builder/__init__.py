"""report_builder: build a college's 信息公开工作年度报告 from department workbooks.

The public API (`report_builder.__all__`; everything else may change):

- `check_submissions(year_dir)` checks a year folder's workbooks → `CheckReport` (of `FileResult`s);
- `check_file(path, office)` checks one workbook in a capped worker process → `FileResult`;
- `accept_submission(year_dir, department, data)` puts a department's checked workbook into the year folder → `Written`;
- `load_office(year_dir)` reads the year's office workbook (年度总表.xlsx) → `OfficeResult`;
- `build_report(year_dir, out_dir)` checks the year and writes the next report version → `BuildResult`
  (`html=True`: with the report as a web page for the school's site and as plain text);
- `make_templates(year_dir)` writes each department's workbook to fill → `Written`;
- `start_year(new_dir, from_dir)` writes a new year's office workbook (from last year's, or blank) → `Written`;
- `write_feedback(check, out_dir)` writes a marked copy for each file with findings → `Written`;
- `table_workbook(sheet, header, rows)` makes a one-table workbook, text never read as a formula → .xlsx bytes;
- `compare_files(old, new)` compares two versions of a workbook, or of a report (a redline) → `CompareResult`
  (`DiffError` when the two cannot be compared: its `message` says why, in Chinese);
- `list_report_versions(folder)` lists the report versions built → `ReportVersions` (of `ReportVersion`s);
- `year_status(year_dir)` checks a year folder and names each listed department's file in it → `YearStatus`
  (of `FolderFile`s);
- `department_share(folder, department)` the sentences of the newest report version a department's figures
  feed, with its part → `DraftShare` (of `ShareLine`s);
- `write_filing_package(folder)` packs one version (Word, PDF, web page, text, 数据来源, 审核记录) as a zip with
  a manifest of sha256 for the provincial submission → `FilingPackage`;
- the review before publication (docs/publication.md): `review_view(report, since)` is a version as a reviewer
  reads it, the changes since another marked → `ReviewView` (of `ReviewBlock`s); `record_review(report, …)`
  writes one reviewer's decision (`ReviewComment`s) beside the version → `ReviewDecision`; `review_status(report)`
  is the gate (可以发布, or what is missing) → `ReviewStatus`; `review_decisions(folder)` every decision made;
  `set_review_roles(folder, roles)` and `review_roles(folder)` the roles (`REVIEW_ROLES`) that must approve;
- `check_report_template(template, year_dir)` checks a Word report template → its findings, in Chinese;
- `template_fields(year_dir)` lists every name a template can use (with this year's values) → `FieldRow`s;
- `write_template_guide(out)` writes 《模板说明》, the office-facing guide to template names (.docx);
- `list_formats(year_dir)` lists the bundled report formats and the one the year uses → `FormatList`;
- `copy_format(name, year_dir)` copies a format's template into the year folder for editing → `Written`;
- `Finding`, `Severity` and `CATALOG`: problems in the inputs, as data (docs/findings.md);
- `ReportBuilderError`: the root of the library's exceptions, each with a `CATALOG` code;
- `Tally`: rows read = accepted + rejected; `__version__`: the installed version.

Names are imported when first used, so `import report_builder.cli` stays light.
"""

from __future__ import annotations

# Neither importlib nor `from typing import TYPE_CHECKING` here: they cost ~12 ms before the command's Ctrl-C
# handler is in place (report_builder.cli imports this package first); mypy reads any TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from report_builder._version import __version__
    from report_builder.checking import check_file, check_submissions, load_office
    from report_builder.compare.files import CompareResult, DiffError, compare_files
    from report_builder.compare.review_view import ReviewBlock, ReviewView, review_view
    from report_builder.findings import CATALOG, Finding, ReportBuilderError, Severity
    from report_builder.formats import FormatList
    from report_builder.outputs.filing import FilingPackage, write_filing_package
    from report_builder.outputs.reviews import (
        REVIEW_ROLES,
        ReviewComment,
        ReviewDecision,
        ReviewStatus,
        record_review,
        review_decisions,
        review_roles,
        review_status,
        set_review_roles,
    )
    from report_builder.outputs.table_workbook import table_workbook
    from report_builder.pipeline import (
        accept_submission,
        build_report,
        list_report_versions,
        make_templates,
        start_year,
        write_feedback,
    )
    from report_builder.results import (
        BuildResult,
        CheckReport,
        DraftShare,
        FileResult,
        FolderFile,
        OfficeResult,
        ReportVersion,
        ReportVersions,
        ShareLine,
        Tally,
        Written,
        YearStatus,
    )
    from report_builder.template_calls import (
        check_report_template,
        copy_format,
        list_formats,
        template_fields,
        write_template_guide,
    )
    from report_builder.year_calls import department_share, year_status

_HOMES = {
    "report_builder._version": ("__version__",),
    "report_builder.compare.files": ("CompareResult", "DiffError", "compare_files"),
    "report_builder.findings": ("CATALOG", "Finding", "ReportBuilderError", "Severity"),
    "report_builder.formats": ("FormatList",),
    "report_builder.compare.review_view": ("ReviewBlock", "ReviewView", "review_view"),
    "report_builder.outputs.filing": ("FilingPackage", "write_filing_package"),
    "report_builder.outputs.reviews": ("REVIEW_ROLES", "ReviewComment", "ReviewDecision", "ReviewStatus",
                                       "record_review", "review_decisions", "review_roles", "review_status",
                                       "set_review_roles"),
    "report_builder.outputs.table_workbook": ("table_workbook",),
    "report_builder.checking": ("check_file", "check_submissions", "load_office"),
    "report_builder.pipeline": ("accept_submission", "build_report", "list_report_versions", "make_templates",
                                "start_year", "write_feedback"),
    "report_builder.template_calls": ("check_report_template", "copy_format", "list_formats", "template_fields",
                                      "write_template_guide"),
    "report_builder.results": ("BuildResult", "CheckReport", "DraftShare", "FileResult", "FolderFile", "OfficeResult",
                               "ReportVersion", "ReportVersions", "ShareLine", "Tally", "Written", "YearStatus"),
    "report_builder.year_calls": ("department_share", "year_status"),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "CATALOG", "REVIEW_ROLES", "BuildResult", "CheckReport", "CompareResult", "DiffError", "DraftShare", "FileResult",
    "FilingPackage", "Finding", "FolderFile", "FormatList", "OfficeResult",
    "ReportBuilderError", "ReportVersion", "ReportVersions", "ReviewBlock", "ReviewComment", "ReviewDecision",
    "ReviewStatus", "ReviewView", "Severity", "ShareLine", "Tally", "Written", "YearStatus", "__version__",
    "department_share", "year_status",
    "accept_submission", "build_report", "check_file", "check_report_template", "check_submissions", "compare_files",
    "copy_format", "list_formats", "list_report_versions", "load_office", "make_templates", "record_review",
    "review_decisions", "review_roles", "review_status", "review_view", "set_review_roles", "start_year",
    "table_workbook", "template_fields", "write_feedback", "write_filing_package", "write_template_guide",
]


def __getattr__(name: str) -> Any:
    import importlib

    if name not in _HOME:
        raise AttributeError(f"module 'report_builder' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOME[name]), name)
    globals()[name] = value
    return value
