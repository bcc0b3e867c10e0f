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
    done = subprocess.run([sys.executable, "-m", "report_builder", "build", str(sample_year), "--template",
                           str(template), "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert done.returncode == 1
    assert "报告模板使用了不存在的名称" in done.stdout and "联络员总人数" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def _text_outside_runs(docx_path: Path) -> list[str]:
    """Text standing directly in a paragraph (not in a run): invalid WordprocessingML."""
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    body = etree.fromstring(zipfile.ZipFile(docx_path).read("word/document.xml"))
    return [text for p in body.iter(w + "p") for text in [p.text, *(child.tail for child in p)]
            if text and text.strip()]


def test_an_r_or_p_tag_on_plain_text_still_writes_runs(sample_year: Path, tmp_path: Path) -> None:
    """Issue 19: `{{r 名称 }}` on a text put the text outside any run (docxtpl expects run XML)."""
    document = docx.Document(str(TEMPLATE))
    paragraph = document.add_paragraph("学校：")
    paragraph.add_run("{{r 学")
    paragraph.add_run("校名称 }}。")  # split across runs, as Word often does
    document.add_paragraph("{{p 年度 }}")
    document.add_paragraph("{{r '<研发>' ~ 联络员人数 }}")
    template = tmp_path / "模板.docx"
    document.save(str(template))
    result = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert result.report is not None, [str(f) for f in result.render_findings]
    assert _text_outside_runs(result.report) == []
    texts = [p.text for p in docx.Document(str(result.report)).paragraphs]
    assert texts[-3:] == ["学校：湖南石油化工职业技术学院。", "2017-2018年度", "<研发>15"]
