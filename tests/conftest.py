"""Shared fixtures: a sample year written from code, and a way to edit its workbooks."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

import make_sample_inputs  # noqa: E402

from report_builder.outputs.excel import save_workbook  # noqa: E402


@pytest.fixture
def sample_year(tmp_path: Path) -> Path:
    """The bundled sample year (15 departments), freshly generated into tmp_path/2017-2018."""
    year = tmp_path / "2017-2018"
    make_sample_inputs.write_year(year)
    return year


def edit_workbook(path: Path, change: Callable[[Any], None]) -> None:
    """Open a workbook as a person would in Excel, change it, save it."""
    wb = openpyxl.load_workbook(path)
    change(wb)
    path.write_bytes(save_workbook(wb))


def report_text(docx_path: Path) -> list[str]:
    """The report's non-blank paragraphs, table cells included, as report_builder.wordml reads them."""
    from report_builder.wordml import paragraph_texts

    return [text for text in paragraph_texts(docx_path) if text.strip()]


@pytest.fixture(scope="session")
def web_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """Both bundled sample years in the three bundled formats, built with `--html` once a session: the .docx
    of each (its .html and .txt beside it)."""
    from report_builder import pipeline
    from report_builder.formats import BUNDLED

    out = tmp_path_factory.mktemp("web")
    reports = {}
    for year in ("2017-2018", "2022-2023"):
        for name in BUNDLED:
            result = pipeline.build_report(ROOT / "inputs" / year, out, report_format=name, html=True)
            assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
            reports[year, name] = result.report
    return reports
