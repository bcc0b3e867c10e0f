"""The office edits the Word template: mistakes in it are clear findings, never a traceback or a silent gap."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from years import template_with

from report_builder import pipeline

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"


@pytest.mark.parametrize(("text", "seen", "code"), [
    ("{{ 联络员总人数 }}", "联络员总人数", "template-unknown-name"),  # a misspelt name
    ("{% if 评议次数 %}未闭合", "标记不完整", "template-syntax"),  # a conditional without its end
])
def test_a_template_mistake_is_a_finding(sample_year: Path, tmp_path: Path, text: str, seen: str, code: str) -> None:
    template = template_with(tmp_path, text)
    result = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert result.report is None
    [finding] = result.render_findings
    assert finding.code == code and seen in str(finding)
    assert not (tmp_path / "out").exists()


def test_a_year_folder_may_carry_its_own_template(sample_year: Path, tmp_path: Path) -> None:
    template_with(sample_year, "本报告由{{ 学校名称 }}党政办公室编制。")  # written into the year folder
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report is not None
    texts = [p.text for p in docx.Document(str(result.report)).paragraphs]
    assert texts[-1] == "本报告由湖南石油化工职业技术学院党政办公室编制。"


def test_the_cli_says_it_in_chinese(sample_year: Path, tmp_path: Path) -> None:
    template = template_with(tmp_path, "{{ 联络员总人数 }}")
    done = subprocess.run([sys.executable, "-m", "report_builder.cli", "build", str(sample_year), "--template",
                           str(template), "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "报告模板使用了不存在的名称" in done.stdout and "联络员总人数" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
