"""The office's own channels (年度总表 › 公开渠道): templates, checks, `<渠道>条数` figures, report, 数据来源."""

from __future__ import annotations

from pathlib import Path

import years
from conftest import report_text
from factory import sample_office, write
from openpyxl import load_workbook
from years import Change, E, check, plain_template, rows, steps, the

from report_builder import pipeline
from report_builder.outputs.filling import fill_department, set_form_value
from report_builder.schema import CHANNELS, OFFICE_FILE, OfficeCategory, OfficeChannel, OfficeNarrative
from report_builder.vocabulary import declared_channels

OWN = (*CHANNELS, "微博", "办公系统(OA)")  # the nine, then two of the office's own
OFFICE = sample_office(channels=tuple(OfficeChannel(name=name) for name in OWN))
WEIBO_ROW = 3 + OWN.index("微博")  # the row the template gives 微博 on 主动公开


def make_year(root: Path, counts: dict[str, dict[str, int]]) -> Path:
    """OFFICE's year, every department passing; `counts`: department → channel → its count (typed on the
    channel's pre-filled row)."""
    def typed(per: dict[str, int]) -> Change:
        return steps(*(rows("主动公开", {"count": n}, first_row=3 + OWN.index(c)) for c, n in per.items()))

    return years.make_year(root, {f"{name}.xlsx": typed(per) for name, per in counts.items()}, office=OFFICE)


def test_the_office_lists_its_channels_and_each_department_template_has_a_row_for_each(tmp_path: Path) -> None:
    year = make_year(tmp_path, {})
    office = pipeline.load_office(year).office
    assert office is not None and declared_channels(office.channels) == OWN
    written = pipeline.make_templates(year, tmp_path / "填报表")
    assert not written.findings and len(written.written) == len(OFFICE.departments)
    ws = load_workbook(written.written[0])["主动公开"]
    assert [ws.cell(r, 1).value for r in range(3, 3 + len(OWN) + 1)] == [*OWN, None]
    assert [ws.cell(r, 2).value for r in range(3, 3 + len(OWN))] == [None] * len(OWN)  # asked, not assumed
    assert pipeline.check_submissions(year).ok


def test_an_office_channel_is_counted_rendered_and_named_in_the_sources(tmp_path: Path) -> None:
    year = make_year(tmp_path, {"教务处": {"微博": 7, "部门网站": 3}, "财务处": {"微博": 5, "办公系统(OA)": 2}})
    used = plain_template(tmp_path, "通过微博公开信息{{ 微博条数 }}条，通过办公系统（OA）公开{{ 办公系统OA条数 }}条。",
                    "共公开{{ 主动公开条数 }}条。")
    result = pipeline.build_report(year, tmp_path / "out", template=used)
    assert result.report is not None, [str(f) for f in (*result.check.findings, *result.render_findings)]
    assert report_text(result.report) == ["通过微博公开信息12条，通过办公系统（OA）公开2条。", "共公开17条。"]
    assert result.sources is not None
    sheet = load_workbook(result.sources).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    at = next(i for i, row in enumerate(cells) if row[0] == "微博条数")
    assert cells[at][1] == 12 and cells[at][2] == "通过微博公开信息12条，通过办公系统（OA）公开2条。"
    assert [row[2:6] for row in cells[at + 1:at + 3]] == [
        ("教务处", "教务处.xlsx", "主动公开", f"B{WEIBO_ROW}"), ("财务处", "财务处.xlsx", "主动公开", f"B{WEIBO_ROW}")]


def test_a_template_naming_a_channel_the_office_did_not_list_is_an_error_at_its_tag(tmp_path: Path) -> None:
    year = make_year(tmp_path, {})
    result = pipeline.build_report(year, tmp_path / "out", template=plain_template(tmp_path, "抖音{{ 抖音条数 }}条。"))
    assert result.report is None
    [finding] = result.render_findings
    assert finding.code == "template-unknown-name" and "抖音条数" in str(finding)


def test_a_channel_the_office_did_not_list_is_an_error_at_its_cell(tmp_path: Path) -> None:
    report = check(tmp_path, {"教务处.xlsx": rows("主动公开", {"channel": "抖音", "count": 4}, first_row=12)})
    finding = the(report, "channel-not-declared", "教务处.xlsx", "主动公开", "A12")
    assert finding.severity is E
    assert "不是本年度的公开渠道" in str(finding) and "抖音" in str(finding) and "省市媒体" in finding.detail


def test_a_changed_office_channel_row_is_an_error_where_the_template_put_it(tmp_path: Path) -> None:
    year = make_year(tmp_path, {})
    wb = OFFICE.department_template("教务处")
    fill_department(wb, "主动公开", [{"channel": "校园网信息公开专栏"}], first_row=WEIBO_ROW)
    write(wb, year / "教务处.xlsx")
    report = pipeline.check_submissions(year)
    found = sorted(f.detail for f in report.findings if (f.code, f.file, f.cell) ==
                   ("prefilled-changed", "教务处.xlsx", f"A{WEIBO_ROW}"))
    assert found == ["“校园网信息公开专栏”已在 A3 填写，每个渠道只填一行", "缺少“微博”一行，应为：微博"]
    assert not pipeline.check_submissions(year).ok


def test_an_unusable_or_repeated_office_channel_is_an_error_at_its_cell(tmp_path: Path) -> None:
    office = sample_office(channels=tuple(OfficeChannel(name=n) for n in ("微博", "2号屏", "微博", "办公系统OA",
                                                                            "办公系统(OA)")))
    year = tmp_path / "2017-2018"
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)
    found = {f.cell: f for f in pipeline.load_office(year).findings if f.code == "channel-name-unusable"}
    assert sorted(found) == ["A4", "A5", "A7"]
    assert "须以汉字或字母开头" in found["A4"].detail
    assert found["A5"].detail == "与 A3 重复"
    assert "办公系统OA条数" in found["A7"].detail and str(found["A7"]).startswith("年度总表.xlsx › 公开渠道!A7")


def test_an_office_name_that_is_a_vocabulary_name_is_an_error_at_its_cell_naming_both(tmp_path: Path) -> None:
    """One namespace (issue 19): a channel "主动公开" would be 主动公开条数, the total, counted twice."""
    office = sample_office(channels=tuple(OfficeChannel(name=n) for n in ("校园网", "主动公开", "微博")),
                           categories=tuple(OfficeCategory(name=n) for n in ("通知", "校园网", "主动公开")),
                           narratives=(*OFFICE.narratives, OfficeNarrative(key="items", text="一段文字")))
    year = tmp_path / "2017-2018"
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)
    loaded = pipeline.load_office(year)
    found = {(f.sheet, f.cell): f for f in loaded.findings if f.severity is E}
    assert found[("公开渠道", "A4")].detail == "与数字“主动公开条数”在模板中同名（主动公开条数）"
    assert found[("公开渠道", "A4")].value == "主动公开"
    assert ("公开渠道", "A5") not in found
    assert found[("公开分类", "A4")].detail == "与公开渠道“校园网”在模板中同名（校园网条数）"
    assert found[("公开分类", "A5")].detail == "与数字“主动公开条数”在模板中同名（主动公开条数）"
    [paragraph] = [f for f in loaded.findings if f.code == "narrative-name-unusable"]
    assert paragraph.value == "items" and "文字.items()" in paragraph.detail
    assert ("公开渠道", "A3") not in found and ("公开分类", "A3") not in found


def test_without_a_channel_sheet_the_nine_default_channels_are_used(tmp_path: Path) -> None:
    year = tmp_path / "2017-2018"
    year.mkdir()
    write(sample_office().office_template(), year / OFFICE_FILE)
    loaded = pipeline.load_office(year)
    assert loaded.office is not None and not loaded.findings
    assert "公开渠道" not in load_workbook(year / OFFICE_FILE).sheetnames
    assert declared_channels(loaded.office.channels) == CHANNELS


def channels_sheet(path: Path) -> list[object]:
    ws = load_workbook(path)["公开渠道"]
    return [ws.cell(r, 1).value for r in range(3, ws.max_row + 1) if ws.cell(r, 1).value]


def test_a_new_year_lists_the_channels_to_edit(sample_year: Path, tmp_path: Path) -> None:
    [carried] = pipeline.start_year(tmp_path / "2018-2019", sample_year).written
    assert channels_sheet(carried) == list(CHANNELS)  # the sample had no sheet: what it used, now editable
    [blank] = pipeline.start_year(tmp_path / "2019-2020").written
    assert channels_sheet(blank) == [*CHANNELS, "微博", "抖音", "门户网站", "办公系统(OA)", "政务公开专栏"]
    loaded = pipeline.load_office(tmp_path / "2018-2019")
    assert loaded.office is not None and declared_channels(loaded.office.channels) == CHANNELS


# ---- a breakdown of the total (年度总表 › 公开分类: e.g. by document type) ----------------------------

KINDS = ("通知", "文件", "公告公示", "通报")
BY_KIND = sample_office(categories=tuple(OfficeCategory(name=name) for name in KINDS))


def kinds_year(root: Path, counts: dict[str, int], kinds: dict[str, int], extra: dict[str, object] | None = None
               ) -> Path:
    """BY_KIND's year: 教务处 types `counts` (channel → count) and `kinds` (category → count); others pass."""
    typed = [rows("主动公开", {"count": n}, first_row=3 + CHANNELS.index(c)) for c, n in counts.items()]
    typed += [rows("主动公开分类", {"count": n}, first_row=3 + KINDS.index(k)) for k, n in kinds.items()]
    typed += [rows("主动公开分类", extra, first_row=3 + len(KINDS))] if extra else []
    return years.make_year(root, {"教务处.xlsx": steps(*typed)}, office=BY_KIND)


def test_a_breakdown_the_office_declares_is_filled_counted_and_rendered(tmp_path: Path) -> None:
    year = kinds_year(tmp_path, {"部门网站": 5, "微信公众号": 4}, {"通知": 6, "通报": 3})
    ws = load_workbook(year / "教务处.xlsx")["主动公开分类"]
    assert [ws.cell(r, 1).value for r in range(3, 8)] == [*KINDS, None]
    used = plain_template(tmp_path, "共{{ 主动公开条数 }}条，其中通知{{ 通知条数 }}条、通报{{ 通报条数 }}条、"
                              "文件{{ 文件条数 }}条。")
    result = pipeline.build_report(year, tmp_path / "out", template=used)
    assert result.report is not None, [str(f) for f in (*result.check.findings, *result.render_findings)]
    assert report_text(result.report) == ["共9条，其中通知6条、通报3条、文件0条。"]


def test_a_breakdown_that_does_not_add_up_is_an_error_naming_both_totals(tmp_path: Path) -> None:
    report = pipeline.check_submissions(kinds_year(tmp_path, {"部门网站": 5}, {"通知": 2, "文件": 1}))
    finding = the(report, "breakdown-mismatch", "教务处.xlsx", "主动公开分类", "B6")
    assert finding.severity is E and finding.detail == "各分类合计 3 条，“主动公开”表各渠道合计 5 条"
    assert str(finding).startswith("教务处.xlsx › 主动公开分类!B6：各分类条数之和与各渠道条数之和不等")


def test_a_category_the_office_did_not_list_is_an_error_at_its_cell(tmp_path: Path) -> None:
    year = kinds_year(tmp_path, {}, {}, extra={"category": "简报", "count": 0})
    finding = the(pipeline.check_submissions(year), "category-not-declared", "教务处.xlsx", "主动公开分类", "A7")
    assert "通知、文件、公告公示、通报" in finding.detail


def test_a_category_named_like_a_channel_or_a_figure_is_an_error_in_the_office_workbook(tmp_path: Path) -> None:
    office = sample_office(categories=(OfficeCategory(name="通知"), OfficeCategory(name="部门网站"),
                                       OfficeCategory(name="主动公开")))
    year = tmp_path / "2017-2018"
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)
    found = {f.cell: f.detail for f in pipeline.load_office(year).findings if f.code == "channel-name-unusable"}
    assert found == {"A4": "与公开渠道“部门网站”在模板中同名（部门网站条数）",
                     "A5": "与数字“主动公开条数”在模板中同名（主动公开条数）"}


def test_a_department_file_without_the_breakdown_sheet_is_an_error(tmp_path: Path) -> None:
    year = kinds_year(tmp_path, {}, {})
    wb = sample_office().department_template("教务处")  # a template made before the office listed categories
    set_form_value(wb, "基本信息", "liaison", "张老师")
    fill_department(wb, "清单事项", [{"status": "已公开"}])
    write(wb, year / "教务处.xlsx")
    finding = the(pipeline.check_submissions(year), "missing-sheet", "教务处.xlsx", "主动公开分类", "")
    assert finding.severity is E and "年度总表列出了公开分类" in finding.detail


def test_bundled_formats_tell_the_office_s_own_channels_without_naming_them(tmp_path: Path) -> None:
    only_own = sample_office(channels=(OfficeChannel(name="微博"), OfficeChannel(name="抖音")))
    year = years.make_year(tmp_path, {"教务处.xlsx": rows("主动公开", {"count": 7}, {"count": 2})}, office=only_own)
    for name in ("八部分", "政府格式"):
        result = pipeline.build_report(year, tmp_path / "out", report_format=name)
        assert result.report is not None, [str(f) for f in (*result.check.findings, *result.render_findings)]
        assert "主动公开信息9条，其中通过微博公开7条、通过抖音公开2条。" in "\n".join(report_text(result.report))
