"""The template is a mailbox too (issue 19): what reaches outside it is found, refused or taken out; every
hostile template ends in a Chinese finding within the bounds, in `check-template`, `check` and `build`."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from hostile import linked_template, macro_template, many_paragraphs, reaching_template

from report_builder import pipeline, template_calls
from report_builder.reach import find_reach, strip_reach
from report_builder.report import template_reading
from report_builder.report.template_reading import MAX_TEMPLATE_PARAGRAPHS

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
NAME = "年度报告模板.docx"


def run_cli(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "report_builder", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)


def reaching(tmp_path: Path) -> Path:
    return reaching_template(TEMPLATE, tmp_path / NAME, "http://127.0.0.1:9", tmp_path / "别处" / "图.png")


# ---- found, at their place ----------------------------------------------------------------------------------

def test_every_kind_of_reach_is_found_at_its_paragraph(tmp_path: Path) -> None:
    findings = template_calls.check_report_template(reaching(tmp_path))
    found = {(f.code, f.sheet) for f in findings}
    assert found == {
        ("template-reaches-out", "段落“网上的图片”"), ("template-reaches-out", "段落“本机的图片”"),
        ("template-link-removed", "段落“本机文件链接”"), ("template-link-removed", "段落“共享文件夹链接”"),
        ("template-reaches-out", "段落“引用的文字”"), ("template-reaches-out", "段落“引用的图片”"),
        ("template-reaches-out", "段落“链接”"), ("template-reaches-out", "段落“动态交换”"),
        ("template-reaches-out", "正文"),  # the linked OLE object (it shows no text of its own)
        ("template-link-removed", "文档设置"),  # the attached template on a share
    }
    details = " ".join(f.detail for f in findings)
    assert "网址 http://127.0.0.1:9/image.png" in details and "INCLUDETEXT" in details and "DDEAUTO" in details
    assert "本机或局域网中的文件 \\\\fileserver\\share\\x.docx" in details
    assert all(f.file == NAME for f in findings)


def test_check_template_says_it_in_chinese_and_exits_1(tmp_path: Path) -> None:
    done = run_cli("check-template", reaching(tmp_path), cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "报告模板引用了模板之外的文件或网址" in done.stdout and "Traceback" not in done.stdout + done.stderr


def test_check_of_the_year_says_the_folder_template_reaches_out(sample_year: Path, tmp_path: Path) -> None:
    reaching_template(TEMPLATE, sample_year / NAME, "http://127.0.0.1:9", tmp_path / "图.png")
    [result] = [r for r in pipeline.check_submissions(sample_year).files if r.file == NAME]
    codes = [f.code for f in result.findings]
    assert codes[0] == "template-in-folder" and codes.count("template-reaches-out") == 7


def test_a_self_contained_template_has_no_reach() -> None:
    data = TEMPLATE.read_bytes()
    assert find_reach(data) == [] and strip_reach(data) is data  # the sample report stays byte-identical


# ---- refused at build, or taken out -----------------------------------------------------------------------------

def test_build_refuses_a_template_that_reaches_out(sample_year: Path, tmp_path: Path) -> None:
    reaching_template(TEMPLATE, sample_year / NAME, "http://127.0.0.1:9", tmp_path / "图.png")
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report is None and not (tmp_path / "out").exists()
    assert {f.code for f in result.render_findings} == {"template-reaches-out", "template-link-removed"}


def test_links_are_taken_out_and_their_text_kept(sample_year: Path, tmp_path: Path) -> None:
    linked_template(TEMPLATE, sample_year / NAME, "https://www.example.edu.cn/主页")
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report is not None, [str(f) for f in result.render_findings]
    assert [f.code for f in result.render_findings if f.code.startswith("template")] == ["template-link-removed"] * 2
    assert find_reach(result.report.read_bytes()) == []  # the sample's 清单 prints no link: nothing external
    texts = [p.text for p in docx.Document(str(result.report)).paragraphs]
    assert "学院主页：https://www.example.edu.cn/主页" in texts
    with zipfile.ZipFile(result.report) as report:
        assert b"attachedTemplate" not in report.read("word/settings.xml")


def test_stripping_keeps_only_what_it_is_told_to(tmp_path: Path) -> None:
    data = reaching(tmp_path).read_bytes()
    kept = strip_reach(data, lambda r: r.kind == "hyperlink")
    assert {r.kind for r in find_reach(kept)} == {"hyperlink"}
    assert [p.text for p in docx.Document(io.BytesIO(strip_reach(data))).paragraphs][-7:-5] == [
        "本机文件链接", "共享文件夹链接"]


# ---- macros, and the inputs that were "内部错误" ------------------------------------------------------------------

def test_a_macro_enabled_document_renamed_docx_is_a_finding(sample_year: Path, tmp_path: Path) -> None:
    macro_template(TEMPLATE, sample_year / NAME)
    assert [f.code for f in template_calls.check_report_template(sample_year / NAME)] == ["document-macro"]
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert [f.code for f in result.render_findings] == ["document-macro"]
    assert "启用宏的 Word 文档（.docm）" in str(result.render_findings[0])
    done = run_cli("diff", TEMPLATE, sample_year / NAME, "--out", tmp_path / "修订.docx", cwd=tmp_path)
    assert done.returncode == 1 and "启用宏" in done.stdout + done.stderr and "内部错误" not in done.stderr


@pytest.mark.parametrize("text", [
    "{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}",  # RecursionError in Jinja's parser
    "{% if 1 %}" * 3000 + "x" + "{% endif %}" * 3000,
])
def test_nesting_deeper_than_python_reads_is_a_finding(sample_year: Path, tmp_path: Path, text: str) -> None:
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph("嵌套的段落" + text)
    document.save(str(sample_year / NAME))
    [finding] = template_calls.check_report_template(sample_year / NAME)
    assert finding.code == "template-too-costly" and finding.sheet.startswith("段落“嵌套的段落")
    done = run_cli("build", sample_year, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1 and "标记嵌套的层数过多" in done.stdout
    assert "内部错误" not in done.stderr and "Traceback" not in done.stderr


def test_a_120000_paragraph_template_is_refused_by_its_size(sample_year: Path, tmp_path: Path) -> None:
    many_paragraphs(TEMPLATE, sample_year / NAME, 120_000)
    result = pipeline.build_report(sample_year, tmp_path / "out")
    [finding] = result.render_findings
    assert finding.code == "template-too-costly" and f"上限 {MAX_TEMPLATE_PARAGRAPHS:,}" in finding.detail
    assert "120,0" in finding.detail


def test_the_template_check_runs_in_a_capped_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A check that outlasts its cap is a finding (the parent never parses the template)."""
    monkeypatch.setattr(template_reading, "READ_TIMEOUT_S", 0.05)
    template = many_paragraphs(TEMPLATE, tmp_path / NAME, MAX_TEMPLATE_PARAGRAPHS - 200)
    [finding] = template_calls.check_report_template(template)
    assert finding.code == "template-too-costly" and "检查模板超时" in finding.detail


def test_a_long_template_within_the_limit_checks_clean(tmp_path: Path) -> None:
    template = many_paragraphs(TEMPLATE, tmp_path / NAME, MAX_TEMPLATE_PARAGRAPHS - 200)
    assert template_calls.check_report_template(template) == ()


# ---- the sandbox's refusals, found without a year ---------------------------------------------------------------

@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__.__builtins__.open('/etc/hostname').read() }}",
    "{{ joiner.__init__.__globals__.os.system('touch MARKER') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ self.__init__.__globals__ }}",
    "{{ 学校名称.__class__ }}",
    "{% include '/etc/hostname' %}",
    "{{ 文字.概述引言.append('x') }}",
    "{{ '{0.__class__}'.format(学校名称) }}",
    "{{ 'x' * 300000000 }}",
    "{{ [0] * 10**9 }}",
    "{{ 2 ** (10**9) }}",
    "{{ '%0999999999d' % 1 }}",
    "{% for i in range(10**8) %}{% endfor %}",
    "{{ 学校名称 | attr('__class__') }}",
])
def test_check_template_without_a_year_finds_what_the_build_refuses(tmp_path: Path, payload: str) -> None:
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph("开头的几个字" + payload)
    document.save(str(tmp_path / NAME))
    [finding] = template_calls.check_report_template(tmp_path / NAME)
    assert finding.code == "template-unsafe" and "开头的几个字" in finding.sheet  # at its paragraph
    assert not (tmp_path / "MARKER").exists()


def test_what_templates_need_is_not_called_unsafe(tmp_path: Path) -> None:
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph("{{ 文字.公开内容 | join('') | length > 0 }}|{{ 清单事项数 * 2 }}|"
                           "{{ '%.1f' % (1 / 3 * 100) }}"
                           "{% for k, v in 工作记录.items() %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %}"
                           "{{ range(3) | list | length }}{{ 文字.get('概述引言') }}{{ [1] * 3 }}{{ 10 ** 5 }}")
    document.save(str(tmp_path / NAME))
    assert template_calls.check_report_template(tmp_path / NAME) == ()


def test_a_vml_image_with_a_direct_path_reaches_out(tmp_path: Path) -> None:
    """Old Word (VML) writes a linked picture as `<v:imagedata o:href="file:///…"/>`, without a relationship."""
    from hostile import docx_with

    body = ('<w:p><w:r><w:t>旧式图片</w:t></w:r><w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" '
            'style="width:20pt;height:20pt"><v:imagedata xmlns:o="urn:schemas-microsoft-com:office:office" '
            'o:href="file:///C:/照片/校门.png" src="\\\\fileserver\\照片\\校门.png"/></v:shape></w:pict></w:r></w:p>')
    template = docx_with(TEMPLATE, tmp_path / NAME, body)
    findings = template_calls.check_report_template(template)
    assert {(f.code, f.sheet) for f in findings} == {("template-reaches-out", "段落“旧式图片”")}
    assert len(findings) == 2 and "C:/照片/校门.png" in findings[0].detail
    assert find_reach(strip_reach(template.read_bytes())) == []
