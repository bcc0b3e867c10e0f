"""The stated public API: `report_builder.__all__` is pinned, each name importable and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

import report_builder
from report_builder.findings import ReportBuilderError

PUBLIC = {
    # calls
    "check_submissions", "check_file", "accept_submission", "load_office", "build_report", "make_templates",
    "write_feedback",
    "list_report_versions", "compare_files", "start_year", "check_report_template", "template_fields",
    "write_template_guide", "list_formats", "copy_format", "table_workbook", "write_filing_package",
    "review_view", "record_review", "review_status", "review_decisions", "review_roles", "set_review_roles",
    "year_status", "department_share",
    # results
    "CheckReport", "FileResult", "OfficeResult", "BuildResult", "Written", "ReportVersions", "ReportVersion",
    "Tally", "CompareResult", "FormatList", "FilingPackage", "ReviewView", "ReviewBlock", "ReviewComment",
    "ReviewDecision", "ReviewStatus", "REVIEW_ROLES", "YearStatus", "FolderFile", "DraftShare", "ShareLine",
    # findings and errors
    "Finding", "Severity", "CATALOG", "ReportBuilderError", "DiffError",
    "__version__",
}


def test_the_exported_names_are_pinned() -> None:
    assert set(report_builder.__all__) == PUBLIC
    assert len(report_builder.__all__) == len(PUBLIC)


def test_each_name_imports_and_is_documented() -> None:
    namespace: dict[str, object] = {}
    exec("from report_builder import *", namespace)  # noqa: S102 - the star import a user may write
    for name in PUBLIC:
        value = namespace[name]
        assert value is getattr(report_builder, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name
        assert f"`{name}" in (report_builder.__doc__ or ""), f"{name} is not in the package docstring"


def test_the_unisolated_check_is_not_public() -> None:
    assert "check_workbook" not in report_builder.__all__


def test_the_library_errors_share_one_root_with_catalog_codes() -> None:
    from report_builder.findings import CATALOG
    from report_builder.outputs.pdf import PdfError
    from report_builder.report.render import RenderError

    for error in (RenderError("模板有误"), RenderError("太大", "template-too-costly"), PdfError("没有 LibreOffice")):
        assert isinstance(error, ReportBuilderError)
        assert error.code in CATALOG
        assert str(error) == error.message
        assert error.as_finding("模板.docx").code == error.code


def test_importing_the_package_stays_light() -> None:
    """`report-builder` installs its signal handlers before anything heavy is imported (entry.py)."""
    code = "import sys, report_builder.cli; print(sorted(m for m in ('pydantic', 'openpyxl') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_load_office_and_check_file(sample_year: Path) -> None:
    loaded = report_builder.load_office(sample_year)
    assert loaded.office is not None and loaded.file is not None and loaded.file.kind == "office"
    department = next(p for p in sorted(sample_year.glob("*.xlsx")) if p.name != "年度总表.xlsx")
    result = report_builder.check_file(department, loaded.office, year=sample_year.name)
    assert result.kind == "department" and result.errors == 0 and result.tally.read > 0
    assert len(result.sha256) == 64


def test_load_office_never_follows_a_link(sample_year: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "年度总表.xlsx").symlink_to(sample_year / "年度总表.xlsx")
    loaded = report_builder.load_office(other)
    assert loaded.office is None and [f.code for f in loaded.findings] == ["file-link"]
    assert [f.code for f in report_builder.make_templates(other, tmp_path / "out").findings] == ["file-link"]


def test_list_report_versions(sample_year: Path, tmp_path: Path) -> None:
    assert report_builder.list_report_versions(tmp_path / "none") == report_builder.ReportVersions((), ())
    built = report_builder.build_report(sample_year, tmp_path / "out")
    assert built.report is not None and built.sources is not None and built.sources.is_file()
    listed = report_builder.list_report_versions(tmp_path / "out" / sample_year.name)
    assert [(v.path, v.changes) for v in listed.versions] == [(built.report, ("首个版本",))]
