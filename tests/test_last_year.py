"""Last year's figures end to end: the sample year is built, then a next year (2018-2019) is built
`--from` it; templates and narratives read `上年.…` and `增减.…`, jumps are warned about, and `diff`
of the two reports lists the changed figures by name."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, replace
from pathlib import Path

import docx
import make_sample_inputs
import openpyxl
import pytest
from conftest import ROOT, report_text
from factory import sample_office
from years import make_year, rows

from report_builder import pipeline
from report_builder.cli import main
from report_builder.compare.files import compare_files
from report_builder.outputs.last_report import find_last_year
from report_builder.report.year_on_year import LastYear, last_year_context
from report_builder.schema import OFFICE_FILE, LastYearFigure, OfficeNarrative
from report_builder.vocabulary import FIGURES

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
SENTENCE = ("上年主动公开{{ 上年.主动公开条数 }}条，{% if 增减.主动公开条数 is number %}"
            "{% if 增减.主动公开条数 < 0 %}减少{{ 增减.主动公开条数 | abs }}"
            "{% else %}增加{{ 增减.主动公开条数 }}{% endif %}"
            "条{% else %}上年不详{% endif %}；本年{{ 主动公开条数 }}条。")
NEXT_OFFICE = sample_office(
    year_label="2018-2019年度", window_start=dt.date(2018, 9, 1), window_end=dt.date(2019, 8, 31),
    next_year_label="2019-2020学年", deadline=dt.date(2019, 9, 15),
    narratives=(OfficeNarrative(key="编制依据", text="上年{上年.主动公开条数}条，增减{增减.主动公开条数}条。"),))


@dataclass(frozen=True)
class Years:
    out: Path
    sample: Path  # the sample's year folder (2017-2018)
    report: Path  # the sample's built report
    total: int  # its 主动公开条数
    next: Path  # 2018-2019: four departments, 教务处 published 30 items
    template: Path  # the default template with SENTENCE added


@pytest.fixture(scope="module")
def years(tmp_path_factory: pytest.TempPathFactory) -> Years:
    root = tmp_path_factory.mktemp("years")
    sample = root / "2017-2018"
    make_sample_inputs.write_year(sample)
    built = pipeline.build_report(sample, root / "out")
    assert built.report is not None and built.manifest is not None
    total = json.loads(built.manifest.read_text(encoding="utf-8"))["figures"]["主动公开条数"]["value"]
    following = make_year(root, {"教务处.xlsx": rows("主动公开", {"count": 30})}, office=NEXT_OFFICE,
                          folder="2018-2019")
    document = docx.Document(str(TEMPLATE))
    document.add_paragraph(SENTENCE)
    template = root / "上年模板.docx"
    document.save(str(template))
    return Years(root / "out", sample, built.report, total, following, template)


def test_a_build_from_last_years_output_prints_last_years_figures_and_the_change(years: Years,
                                                                                 tmp_path: Path) -> None:
    result = pipeline.build_report(years.next, tmp_path, template=years.template, last_year=years.out / "2017-2018")
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    assert years.total > 30
    text = report_text(result.report)
    assert f"上年主动公开{years.total}条，减少{years.total - 30}条；本年30条。" in text
    assert f"上年{years.total}条，增减{30 - years.total}条。" in text  # a narrative's {上年.…}, {增减.…}
    assert result.manifest is not None
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["last_year"]["report"] == years.report.name
    assert manifest["last_year"]["year"] == "2017-2018"


def test_last_year_is_found_from_its_report_its_manifest_its_output_or_its_year_folder(years: Years) -> None:
    found = [find_last_year(source, years.out) for source in (
        years.report, years.report.with_suffix(".manifest.json"), years.out / "2017-2018", years.sample)]
    assert all(isinstance(f, LastYear) for f in found), found
    assert len({f.manifest_sha256 for f in found if isinstance(f, LastYear)}) == 1
    assert found[0].figures["主动公开条数"] == years.total  # type: ignore[union-attr]


def test_without_last_year_every_figure_is_unknown_not_zero(years: Years, tmp_path: Path) -> None:
    plain = pipeline.build_report(years.next, tmp_path, template=years.template)
    assert plain.report is not None
    assert "上年主动公开未知条，上年不详；本年30条。" in report_text(plain.report)
    assert "上年未知条，增减未知条。" in report_text(plain.report)
    assert not [f for f in plain.check.findings if f.code == "figure-jump"]
    [asked] = [f for f in plain.render_findings if f.code == "last-year-missing"]
    assert (asked.file, asked.detail) == ("上年模板.docx", "模板、文字材料“编制依据”")
    # the same inputs with last year's figures are a new version, not "unchanged"
    again = pipeline.build_report(years.next, tmp_path, template=years.template, last_year=years.report)
    assert not again.unchanged and again.report is not None and again.report.name.endswith("_v2.docx")


def test_a_figure_last_year_did_not_have_is_unknown_and_zero_stays_zero() -> None:
    last = LastYear("上年_v1.docx", "2017-2018", "0" * 64, {"主动公开条数": 0, "评议次数": None})
    context = last_year_context({"主动公开条数": 5, "评议次数": 2, "新数字": 1}, last)
    assert context["上年"] == {"主动公开条数": 0, "评议次数": "未知", "新数字": "未知"}
    assert context["增减"] == {"主动公开条数": 5, "评议次数": "未知", "新数字": "未知"}


def test_an_implausible_jump_is_a_warning_naming_the_departments_that_drove_it(years: Years) -> None:
    last = LastYear("上年_v1.docx", "2017-2018", "0" * 64,
                    {"主动公开条数": 8, "部门网站条数": 40, "联络员人数": 4, "评议次数": 1,
                     "校园网信息公开专栏条数": None},
                    {"主动公开条数": {"教务处": 5, "财务处": 3}, "部门网站条数": {"财务处": 40}})
    check = pipeline.check_submissions(years.next, last_year=last)
    assert check.ok, [str(f) for f in check.findings]
    jumps = {f.detail.split("”")[0].lstrip("“"): f for f in check.findings if f.code == "figure-jump"}
    assert set(jumps) == {"主动公开条数", "部门网站条数"}  # ×3.75 and 40 → 0; not 1 → 0, nor an unknown
    up = jumps["主动公开条数"]
    assert (up.file, up.sheet) == ("教务处.xlsx", "主动公开") and up.cell
    assert up.detail.endswith("上年（2017-2018）8，本年 30，变化主要来自：教务处 +25")  # not 财务处: it fell
    down = jumps["部门网站条数"]
    assert down.file == "年度总表.xlsx" and "变化主要来自：财务处 -40" in down.detail
    assert "请核对所列部门的填报" in str(down)


def test_build_from_a_folder_without_a_report_is_an_error_in_chinese(years: Years, tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "2016-2017"
    empty.mkdir()
    code = main(["build", str(years.next), "--out", str(tmp_path / "out"), "--from", str(empty)])
    printed = capsys.readouterr().out
    assert code == 1
    assert "找不到上年报告的数字" in printed and "没有完整的报告版本" in printed and "2016-2017" in printed
    assert not (tmp_path / "out" / "2018-2019").exists()


def test_diff_of_last_years_and_this_years_reports_lists_the_changed_figures(years: Years, tmp_path: Path) -> None:
    built = pipeline.build_report(years.next, tmp_path / "out", last_year=years.report)
    assert built.report is not None
    lines = compare_files(years.report, built.report, tmp_path / "修订.docx").lines()
    assert "数字的变化：" in lines
    [total] = [line for line in lines if line.startswith("  主动公开条数：")]
    assert total.startswith(f"  主动公开条数：{years.total} → 30（") and total.endswith("等 15 个部门）")
    assert "  部门数：15 → 4（—）" in lines


def test_this_years_own_report_is_not_last_year(years: Years, tmp_path: Path) -> None:
    first = pipeline.build_report(years.next, tmp_path)
    assert first.report is not None
    again = pipeline.build_report(years.next, tmp_path, last_year=tmp_path / "2018-2019")
    assert again.report is None
    [refused] = again.render_findings
    assert refused.code == "last-year-not-found" and "这是本年（2018-2019）的报告" in refused.detail


def typed_figures(path: Path, *rows: tuple[object, object]) -> Path:
    """A workbook the office types last year's figures in: 名称 | 数值, one figure a row."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "上年数字"
    for row in [("名称", "数值"), *rows]:
        sheet.append(list(row))
    wb.save(path)
    return path


def test_the_first_year_takes_last_years_figures_typed_by_the_office(years: Years, tmp_path: Path) -> None:
    wrong = typed_figures(tmp_path / "上年数字.xlsx", ("主动公开条数", 1000), ("主动公开条目", 5),
                          ("联络员人数", "四个"))
    refused = pipeline.build_report(years.next, tmp_path / "out", template=years.template, last_year=wrong)
    assert refused.report is None
    assert [(f.code, f.sheet, f.cell, f.detail) for f in refused.render_findings] == [
        ("last-year-unknown-name", "上年数字", "A3", "是不是要写：主动公开条数？"),
        ("not-a-number", "上年数字", "B4", "")]
    typed = typed_figures(tmp_path / "上年数字2.xlsx", ("主动公开条数", "1000条"), ("评议次数", None))
    result = pipeline.build_report(years.next, tmp_path / "out", template=years.template, last_year=typed)
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    assert "上年主动公开1000条，减少970条；本年30条。" in report_text(result.report)
    [jump] = [f for f in result.check.findings if f.code == "figure-jump"]
    assert jump.detail == "“主动公开条数”上年（上年数字2.xlsx）1000，本年 30"  # no departments: none were typed


def test_the_first_year_can_type_last_years_figures_in_the_office_workbook(years: Years, tmp_path: Path) -> None:
    typed = (LastYearFigure(name="主动公开条数", value=1000), LastYearFigure(name="评议次数", value=None))
    year = make_year(tmp_path, {"教务处.xlsx": rows("主动公开", {"count": 30})},
                     office=replace(NEXT_OFFICE, last_year=typed), folder="2018-2019")
    result = pipeline.build_report(year, tmp_path / "out", template=years.template)  # no --from
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    assert "上年主动公开1000条，减少970条；本年30条。" in report_text(result.report)
    assert "last-year-missing" not in {f.code for f in result.check.findings + result.render_findings}

    misspelt = (LastYearFigure(name="主动公开条目", value=5),)
    (tmp_path / "b").mkdir()
    year = make_year(tmp_path / "b", office=replace(NEXT_OFFICE, last_year=misspelt), folder="2018-2019")
    report = pipeline.check_submissions(year)
    [wrong] = [f for f in report.findings if f.code == "last-year-unknown-name"]
    assert (wrong.file, wrong.sheet, wrong.cell, wrong.detail) == (OFFICE_FILE, "上年数字", "A3",
                                                                   "是不是要写：主动公开条数？")


def test_a_blank_office_workbook_lists_the_figures_to_type_last_years_value(tmp_path: Path) -> None:
    assert pipeline.start_year(tmp_path / "新年度").written
    sheet = openpyxl.load_workbook(tmp_path / "新年度" / "年度总表.xlsx")["上年数字"]
    names = [row[0] for row in sheet.iter_rows(min_row=3, values_only=True) if row[0]]
    cells = {t.name for t in FIGURES if "_" in t.name and not t.name.startswith("结转下年度件数_")}
    assert {t.name for t in FIGURES} - cells <= set(names)  # every figure but the government tables' cells
    assert cells and not cells & set(names)
    assert all(row[1] is None for row in sheet.iter_rows(min_row=3, values_only=True) if row[0])


@pytest.mark.parametrize("value", [int("9" * 4029), -5, 1_000_000_001])
def test_a_tampered_manifest_figure_stops_the_build_in_chinese(years: Years, tmp_path: Path, value: int) -> None:
    """`build --from` holds last year's report to the 上年数字 sheet's bounds (0…1,000,000,000)."""
    copy = tmp_path / "上年"
    copy.mkdir()
    report = copy / years.report.name
    report.write_bytes(years.report.read_bytes())
    manifest = json.loads(years.report.with_suffix(".manifest.json").read_text(encoding="utf-8"))
    manifest["figures"]["主动公开条数"]["value"] = value
    report.with_suffix(".manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    result = pipeline.build_report(years.next, tmp_path / "out", template=years.template, last_year=copy)
    assert result.report is None and not (tmp_path / "out").exists()
    [finding] = result.render_findings
    assert finding.code == "last-year-figure-invalid" and finding.file == report.with_suffix(".manifest.json").name
    shown = "4029 位的数" if value > 10**12 else f"{value:,}"
    assert finding.detail == f"“主动公开条数”为 {shown}，应在 0 至 1,000,000,000 之间"
    assert len(str(finding)) < 400  # never the 4,029 digits


def test_a_typed_last_year_figure_beyond_the_sheets_bound_is_an_error_at_its_cell(years: Years,
                                                                                  tmp_path: Path) -> None:
    typed = typed_figures(tmp_path / "上年数字.xlsx", ("主动公开条数", 2_000_000_000))
    refused = pipeline.build_report(years.next, tmp_path / "out", template=years.template, last_year=typed)
    assert [(f.code, f.cell) for f in refused.render_findings] == [("last-year-figure-invalid", "B2")]
