"""Report formats: the office chooses one (年度总表 or --format), each its own template and version series.

The bundled templates of the other formats are written by other work; here they are copies of the default
with one paragraph added, "installed" into a temporary folder in place of templates/.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import ROOT
from factory import sample_office, write
from years import Change, make_year, the

from report_builder import cli, formats, pipeline, template_calls
from report_builder.formats import DEFAULT_FORMAT, FORMAT_NAMES, FORMATS
from report_builder.outputs import versions
from report_builder.outputs.filling import set_form_value
from report_builder.schema import OFFICE_FILE, OFFICE_SHEETS, OfficeInfo, columns

DEFAULT_FILE = ROOT / "templates" / FORMATS[DEFAULT_FORMAT].file
MARK = {"八部分": "本报告按八部分撰写。", "政府格式": "本报告按政府格式撰写。"}


@pytest.fixture
def installed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """templates/ with the default and 八部分 (a copy of the default plus a paragraph and the format's required
    headings, checked before publication); 政府格式 missing."""
    folder = tmp_path / "templates"
    folder.mkdir()
    shutil.copy(DEFAULT_FILE, folder / DEFAULT_FILE.name)
    document = docx.Document(str(DEFAULT_FILE))
    for text in (MARK["八部分"], *FORMATS["八部分"].parts):
        document.add_paragraph(text)
    document.save(str(folder / FORMATS["八部分"].file))
    monkeypatch.setattr(formats, "_BUNDLED_DIRS", (folder,))
    return folder


def _text(report: Path) -> str:
    return "\n".join(p.text for p in docx.Document(str(report)).paragraphs)


def test_the_registry_is_the_drop_down_and_names_the_bundled_default() -> None:
    [column] = [c for c in columns(OfficeInfo) if c.field == "report_format"]
    assert column.header == "报告格式" and not column.required and column.choices == FORMAT_NAMES
    assert all(name in column.help for name in FORMAT_NAMES)
    assert FORMATS[DEFAULT_FORMAT].file == "年度报告模板.docx"  # the sample's bytes and names stay as they were
    assert FORMATS["三部分"].parts[0] == "一、信息公开工作情况概述"
    assert formats.bundled_template(DEFAULT_FORMAT) == DEFAULT_FILE
    assert formats.format_stem("某校报告", DEFAULT_FORMAT) == "某校报告"
    assert formats.format_stem("某校报告", "八部分") == "某校报告（八部分）"


def test_the_office_workbook_chooses_and_each_format_keeps_its_own_versions(tmp_path: Path, installed: Path) -> None:
    year = make_year(tmp_path, office=sample_office(report_format="八部分"))
    out = tmp_path / "out"
    eight = pipeline.build_report(year, out)
    assert eight.report is not None and eight.report_format == "八部分", eight.render_findings
    # the year's own format: no suffix
    assert eight.report.name == "湖南石油化工职业技术学院2017-2018年度信息公开工作年度报告_v1.docx"
    assert MARK["八部分"] in _text(eight.report)
    assert eight.template is not None and eight.template.path == installed / "八部分模板.docx"
    assert (versions.read_manifest(eight.report) or {})["format"] == "八部分"

    three = pipeline.build_report(year, out, report_format="三部分")  # --format overrides the workbook
    assert three.report is not None and three.report_format == "三部分"
    assert three.report.name == eight.report.name.replace("年度报告_v1", "年度报告（三部分）_v1")  # not the year's
    assert MARK["八部分"] not in _text(three.report)
    again = pipeline.build_report(year, out)
    assert again.unchanged and again.report == eight.report

    listed = pipeline.list_report_versions(out / year.name)
    assert sorted((v.path, v.report_format, v.changes) for v in listed.versions) == sorted([
        (three.report, "三部分", ("首个版本",)), (eight.report, "八部分", ("首个版本",))])


def test_an_unknown_format_in_the_workbook_is_an_error_at_its_cell(tmp_path: Path) -> None:
    year = make_year(tmp_path, {OFFICE_FILE: _office_format("九部分")})
    found = the(pipeline.check_submissions(year), "not-in-list", OFFICE_FILE, "基本信息", _format_cell(year))
    assert found.value == "九部分" and all(name in found.detail for name in FORMAT_NAMES)
    built = pipeline.build_report(year, tmp_path / "out")
    assert built.report is None and not built.check.ok
    assert built.report_format == ""  # not known: nothing says "三部分" while the workbook is wrong


def test_an_unknown_or_uninstalled_format_is_a_finding_not_a_crash(tmp_path: Path, installed: Path) -> None:
    year = make_year(tmp_path)
    unknown = pipeline.build_report(year, tmp_path / "out", report_format="九部分")
    assert unknown.report is None and [f.code for f in unknown.render_findings] == ["format-unknown"]
    assert unknown.report_format == ""
    assert all(name in unknown.render_findings[0].detail for name in FORMAT_NAMES)
    missing = pipeline.build_report(year, tmp_path / "out", report_format="政府格式")
    assert missing.report is None and [(f.code, f.file) for f in missing.render_findings] == [
        ("format-not-installed", "政府格式模板.docx")]
    assert not (tmp_path / "out").exists()
    rows = {f.name: f for f in template_calls.list_formats().formats}
    assert not rows["政府格式"].installed and rows["政府格式"].status == "（未安装）" and rows["八部分"].installed
    assert [f.code for f in template_calls.copy_format("政府格式", year).findings] == ["format-not-installed"]


def test_a_missing_report_format_row_reads_as_blank(tmp_path: Path) -> None:
    """Office workbooks made before the row existed (the sample's was) still read: blank is the default."""
    year = make_year(tmp_path)
    wb = openpyxl.load_workbook(year / OFFICE_FILE)
    ws = wb["基本信息"]
    ws.delete_rows(int(_format_cell(year)[1:]))
    write(wb, year / OFFICE_FILE)
    loaded = pipeline.load_office(year)
    assert loaded.office is not None and loaded.office.info.report_format is None, loaded.findings
    assert not loaded.findings
    assert template_calls.list_formats(year).chosen == DEFAULT_FORMAT


def test_formats_lists_and_copy_never_overwrites(tmp_path: Path, installed: Path) -> None:
    year = make_year(tmp_path, office=sample_office(report_format="八部分"))
    listed = template_calls.list_formats(year)
    assert listed.chosen == "八部分" and [f.name for f in listed.formats if f.chosen] == ["八部分"]
    copied = template_calls.copy_format("八部分", year)
    target = year / "八部分模板.docx"
    assert copied.written == (target,) and target.read_bytes() == (installed / target.name).read_bytes()
    assert {f.name: f.in_year for f in template_calls.list_formats(year).formats}["八部分"]
    target.write_bytes(b"edited by the office")
    assert [f.code for f in template_calls.copy_format("八部分", year).findings] == ["format-copy-exists"]
    assert target.read_bytes() == b"edited by the office"
    assert [f.code for f in template_calls.copy_format("九部分", year).findings] == ["format-unknown"]


def test_build_uses_the_years_edited_copy_of_the_chosen_format(tmp_path: Path, installed: Path) -> None:
    year = make_year(tmp_path)
    assert template_calls.copy_format("八部分", year).written
    document = docx.Document(str(year / "八部分模板.docx"))
    document.add_paragraph("本校修改过的八部分模板。")
    document.save(str(year / "八部分模板.docx"))
    built = pipeline.build_report(year, tmp_path / "out", report_format="八部分")
    assert built.report is not None and built.template is not None, built.render_findings
    assert built.template.origin == "year" and "本校修改过的八部分模板。" in _text(built.report)
    codes = {f.code for f in built.check.findings if f.file == "八部分模板.docx"}
    assert codes == {"template-in-folder"}  # named like the default's copy, not an unknown file
    default = pipeline.build_report(year, tmp_path / "out")  # the default ignores another format's copy
    assert default.template is not None and default.template.origin == "default"


def test_the_commands(tmp_path: Path, installed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    year = make_year(tmp_path)
    assert cli.main(["formats", str(year)]) == 0
    shown = capsys.readouterr().out
    assert "（未安装）" in shown and "政府格式模板.docx" in shown and "✓ 选用" in shown
    assert cli.main(["formats", str(year), "--copy", "八部分"]) == 0
    assert str(year / "八部分模板.docx") in capsys.readouterr().out
    assert cli.main(["formats", str(year), "--copy", "八部分"]) == 1
    assert "未覆盖" in capsys.readouterr().out
    out, result = tmp_path / "out", tmp_path / "build.json"
    assert cli.main(["build", str(year), "--out", str(out), "--format", "八部分", "--json", str(result)]) == 0
    assert "报告格式：八部分" in capsys.readouterr().out
    assert json.loads(result.read_text())["format"] == "八部分"
    assert cli.main(["versions", str(out / year.name)]) == 0
    assert "（八部分）_v1.docx  八部分  " in capsys.readouterr().out


def _office_format(value: str) -> Change:
    return lambda wb: set_form_value(wb, "基本信息", "report_format", value, specs=OFFICE_SHEETS)


def _format_cell(year: Path) -> str:
    ws = openpyxl.load_workbook(year / OFFICE_FILE)["基本信息"]
    return next(f"B{r}" for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "报告格式")


def test_a_template_given_for_a_chosen_format_must_have_its_parts(tmp_path: Path) -> None:
    """--template with --format (or the office's 报告格式) is that format's template: a 三部分 template is not
    filed as a 政府格式 report; --template alone is the office's own (本校格式: its own headings are its parts)."""
    year = make_year(tmp_path)
    default = ROOT / "templates" / "年度报告模板.docx"
    wrong = pipeline.build_report(year, tmp_path / "out", template=default, report_format="政府格式")
    assert wrong.report is None and {f.code for f in wrong.render_findings} == {"publication-part-missing"}
    assert not (tmp_path / "out").exists()
    own = pipeline.build_report(year, tmp_path / "out", template=default)
    assert own.report is not None and own.report_format == "本校格式"
    assert own.summary_line.startswith("格式：本校格式；应有部分 3/3；")


def test_the_accepted_wordings_are_the_ones_docs_formats_lists() -> None:
    page = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (\S+) \| (.+?) \| (.+?) \|$", page, re.M))
    expected = {(name, part, "；".join(formats.PART_VARIANTS.get(part, ())) or "—")
                for name in formats.BUNDLED for part in FORMATS[name].parts}
    assert expected <= rows


def test_a_heading_in_a_schools_own_words_is_the_part(tmp_path: Path) -> None:
    """Every accepted wording of a bundled part passes the check before publication as that part."""
    from report_builder.report.parts import part_findings

    for part, wordings in formats.PART_VARIANTS.items():
        for wording in wordings:
            paragraphs = ["标题", wording.replace("学校", "学院"), "正文"]
            findings, found = part_findings(paragraphs, [part], "学院", "模板.docx")
            assert (findings, found) == ([], 1), (part, wording)
    findings, found = part_findings(["六、心得体会"], ["六、新做法新举措、主要经验、问题和改进措施"], "学院", "模")
    assert found == 0 and [f.code for f in findings] == ["publication-part-missing"]
