"""The Word template is untrusted: its code never runs, its cost is bounded, what it renders is valid XML."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import docx
import make_sample_inputs
import pytest
from conftest import ROOT, report_text

from report_builder import pipeline
from report_builder.findings import Severity
from report_builder.report import render

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
NAME = "年度报告模板.docx"


@pytest.fixture(scope="module")
def generated_year(tmp_path_factory: pytest.TempPathFactory) -> Path:
    year = tmp_path_factory.mktemp("generated") / "2017-2018"
    make_sample_inputs.write_year(year)
    return year


@pytest.fixture
def sample_year(generated_year: Path, tmp_path: Path) -> Path:
    """The sample year (as conftest's fixture), generated once for this module and copied."""
    return Path(shutil.copytree(generated_year, tmp_path / "2017-2018"))


def template_with(folder: Path, text: str, name: str = NAME) -> Path:
    """The default template with one more paragraph holding `text`, saved as folder/name."""
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph(style="Normal").add_run(text)
    path = folder / name
    document.save(str(path))
    return path


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "report_builder", *args], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})


# ---- template code never runs ------------------------------------------------------------------------

def test_the_issue_payload_runs_nothing(sample_year: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    template_with(sample_year, "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}")
    done = run_cli("build", str(sample_year), "--out", str(tmp_path / "out"), cwd=work)
    assert done.returncode == 1, done.stdout + done.stderr
    assert not (work / "MARKER").exists()
    assert not (tmp_path / "out").exists()
    assert "Traceback" not in done.stdout + done.stderr and "内部错误" not in done.stderr
    assert "报告模板试图使用不允许的功能" in done.stdout and "cycler" in done.stdout


@pytest.mark.parametrize("payload", [
    "{{ cycler.__init__.__globals__.os.popen('touch MARKER').read() }}",
    "{{ lipsum.__globals__.__builtins__.open('/etc/hostname').read() }}",  # reads a file
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
])
def test_a_template_that_tries_is_stopped_at_once(sample_year: Path, tmp_path: Path, payload: str,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    template_with(sample_year, f"开头的几个字{payload}")
    started = time.monotonic()
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert time.monotonic() - started < 10
    assert result.report is None and not (tmp_path / "out").exists()
    [finding] = result.render_findings
    assert (finding.code, finding.file) == ("template-unsafe", NAME)
    assert finding.sheet.startswith("段落“开头的几个字")  # the paragraph it is in
    assert not (tmp_path / "MARKER").exists()


def test_what_templates_need_still_works(sample_year: Path, tmp_path: Path) -> None:
    text = ("{{ 文字.公开内容 | join('') | length > 0 }}|{{ 申请结果 | length }}|{{ 清单事项数 * 2 }}|"
            "{{ '%.1f' % (已公开事项数 / 清单事项数 * 100) }}|{% for k, v in 工作记录.items() %}{{ loop.index }}"
            "{% endfor %}|{{ 'A' ~ 年度 }}|{{ [3, 1, 2] | sort | first }}")
    template_with(sample_year, text)
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.report is not None, result.render_findings
    assert report_text(result.report)[-1] == "True|0|90|88.9|1234567|A2017-2018年度|1"


# ---- rendering is bounded ----------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "{% for i in range(10000) %}{% for j in range(10000) %}{% for k in range(10000) %}"
    "{% endfor %}{% endfor %}{% endfor %}",  # 10¹² steps: the time cap
    "{% set s = 'x' * 10000000 %}" + "{% set s = s ~ s %}" * 12 + "{{ s | length }}",  # 40 G characters: memory
])
def test_a_costly_template_hits_a_cap(sample_year: Path, tmp_path: Path, text: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render, "RENDER_TIMEOUT_S", 2.0)
    template_with(sample_year, text)
    started = time.monotonic()
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert time.monotonic() - started < 20
    [finding] = result.render_findings
    assert finding.code == "template-too-costly"
    assert result.report is None and not (tmp_path / "out").exists()


def _docx_parts(extra: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(TEMPLATE) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, extra.pop(info.filename, source.read(info.filename)))
        for name, data in extra.items():
            target.writestr(name, data)
    return buffer.getvalue()


def _doctype() -> bytes:
    body = zipfile.ZipFile(TEMPLATE).read("word/document.xml")
    return body.replace(b"?>", b'?><!DOCTYPE w:document [<!ENTITY a "aaaa">]>', 1)


HOSTILE = {
    "not-word": (lambda: b"just some text, not a Word file", "document-not-docx"),
    "workbook": (lambda: (ROOT / "inputs" / "2017-2018" / "教务处.xlsx").read_bytes(), "document-not-docx"),
    "zip-bomb": (lambda: _docx_parts({"word/media/bomb.bin": bytes(20 * 1024 * 1024)}), "document-unsafe"),
    "doctype": (lambda: _docx_parts({"word/document.xml": _doctype()}), "document-unsafe"),
    "truncated": (lambda: TEMPLATE.read_bytes()[:5000], "document-corrupt"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_template_is_stopped_before_any_parser(sample_year: Path, tmp_path: Path, case: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make, code = HOSTILE[case]
    (sample_year / NAME).write_bytes(make())

    def never(template: object) -> frozenset[str]:
        raise AssertionError("template_lists parsed a template that failed its pre-check")

    monkeypatch.setattr(render, "template_lists", never)
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert [(f.code, f.file) for f in result.render_findings] == [(code, NAME)]
    assert result.report is None and not (tmp_path / "out").exists()
    checked = {r.file: r for r in pipeline.check_submissions(sample_year).files}
    assert [f.code for f in checked[NAME].findings] == [code]  # `check` says it too


def test_a_template_that_is_a_link_is_not_followed(sample_year: Path, tmp_path: Path) -> None:
    (sample_year / NAME).symlink_to(TEMPLATE)
    done = run_cli("build", str(sample_year), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Word 文档结构异常" in done.stdout and "内部错误" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_template_given_with_template_is_pre_checked(sample_year: Path, tmp_path: Path) -> None:
    bad = tmp_path / "模板.docx"
    bad.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))  # an OLE file: not a .docx
    result = pipeline.build_report(sample_year, tmp_path / "out", template=bad)
    assert [f.code for f in result.render_findings] == ["document-not-docx"]


# ---- nothing XML cannot hold reaches the document -----------------------------------------------------

def test_control_and_bidi_characters_never_reach_the_document(sample_year: Path) -> None:
    data = pipeline.check_submissions(sample_year, lists=render.template_lists(TEMPLATE)).data
    assert data is not None
    narratives = {**data.narratives, "概述引言": ("R&D <研发> a<b\x01 c&d", "x\u202e 第二段 & <后>")}
    texts = {**data.texts, "学校名称": "湖南\u202e石油化工职业技术学院\x0b"}
    data = dataclasses.replace(data, narratives=narratives, texts=texts,
                               narrative_sources={**data.narrative_sources, "概述引言": narratives["概述引言"]})
    report = render.render_report(data, TEMPLATE)
    body = zipfile.ZipFile(io.BytesIO(report)).read("word/document.xml").decode()
    assert not any(ch in body for ch in "\x01\x0b\u202e")
    lines = [p.text for p in docx.Document(io.BytesIO(report)).paragraphs]
    assert "R&D <研发> a<b c&d" in lines and "x 第二段 & <后>" in lines
    assert any("湖南石油化工职业技术学院" in line for line in lines)
    assert render.strip_marks(render.render_report(data, TEMPLATE, marked=True)) == report


def test_a_template_rendering_ill_formed_xml_is_a_finding(sample_year: Path, tmp_path: Path) -> None:
    template_with(sample_year, '控制字符{{ "\\x01" }}之后 R&D <研发>')
    result = pipeline.build_report(sample_year, tmp_path / "out")
    [finding] = result.render_findings
    assert (finding.code, finding.file) == ("template-error", NAME)
    assert finding.sheet.startswith("段落“控制字符") and "XML" in finding.detail
    assert result.report is None


# ---- which template, from where -----------------------------------------------------------------------

def test_build_says_which_template_and_where_it_came_from(sample_year: Path, tmp_path: Path) -> None:
    path = template_with(sample_year, "本报告由{{ 学校名称 }}党政办公室编制。")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    result = pipeline.build_report(sample_year, tmp_path / "out")
    assert result.template is not None and result.manifest is not None
    assert (result.template.origin, result.template.sha256) == ("year", sha)
    assert json.loads(result.manifest.read_text())["template"] == {"file": NAME, "origin": "year", "sha256": sha}
    done = run_cli("build", str(sample_year), "--out", str(tmp_path / "out2"), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"模板：{NAME}（年度文件夹中的模板，sha256 {sha[:8]}…）" in done.stdout.splitlines()

    other = template_with(tmp_path, "另一份", name="other.docx")
    result = pipeline.build_report(sample_year, tmp_path / "out3", template=other)
    assert result.template is not None and result.template.origin == "option"
    (sample_year / NAME).unlink()
    result = pipeline.build_report(sample_year, tmp_path / "out4")
    assert result.template is not None and result.template.origin == "default"


def test_check_names_the_template_with_its_sha256_and_lists_other_files(sample_year: Path) -> None:
    path = template_with(sample_year, "本年度的模板")
    template_with(sample_year, "一份通知", name="通知.docx")
    (sample_year / "说明.pdf").write_bytes(b"%PDF-1.4")
    report = pipeline.check_submissions(sample_year)
    by_file = {r.file: [(f.code, f.severity) for f in r.findings] for r in report.files}
    assert by_file[NAME] == [("template-in-folder", Severity.WARNING)]
    assert by_file["通知.docx"] == by_file["说明.pdf"] == [("file-unknown", Severity.WARNING)]
    [finding] = next(r.findings for r in report.files if r.file == NAME)
    assert hashlib.sha256(path.read_bytes()).hexdigest() in finding.detail
    assert report.ok


def test_links_in_the_year_folder_are_never_followed(sample_year: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (sample_year / "教务处.xlsx").rename(outside / "教务处.xlsx")
    (sample_year / "教务处.xlsx").symlink_to(outside / "教务处.xlsx")
    (sample_year / "说明.txt").symlink_to("/etc/hostname")
    report = pipeline.check_submissions(sample_year)
    by_file = {r.file: r for r in report.files}
    for name in ("教务处.xlsx", "说明.txt"):
        assert [f.code for f in by_file[name].findings] == ["file-link"]
        assert by_file[name].tally.read == 0 and by_file[name].department == ""
    assert not report.ok
    office = sample_year / "年度总表.xlsx"
    office.rename(outside / office.name)
    office.symlink_to(outside / office.name)
    report = pipeline.check_submissions(sample_year)
    assert report.office is None and "file-link" in [f.code for f in report.year_findings]
