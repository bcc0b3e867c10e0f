"""The stated public API: `report_builder.__all__` is pinned, each name importable and documented."""

from __future__ import annotations

import inspect
import subprocess
import sys

import report_builder
from report_builder.findings import ReportBuilderError

PUBLIC = {
    # calls
    "check_submissions", "check_file", "load_office", "build_report", "make_templates", "write_feedback",
    "list_report_versions",
    # results
    "CheckReport", "FileResult", "OfficeResult", "BuildResult", "Written", "ReportVersions", "ReportVersion",
    "Tally",
    # findings and errors
    "Finding", "Severity", "CATALOG", "ReportBuilderError",
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
        assert error.finding("模板.docx").code == error.code


def test_importing_the_package_stays_light() -> None:
    """`report-builder` installs its signal handlers before anything heavy is imported (entry.py)."""
    code = "import sys, report_builder.entry; print(sorted(m for m in ('pydantic', 'openpyxl') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
