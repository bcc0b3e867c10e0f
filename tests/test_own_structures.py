"""Schools' own structures, built as their offices do: the template in the year folder (no --template), from the
command line and from the desk's reports page, `check-template` giving the verdict `build` gives.

A seven-part university (本校格式: its own headings are its parts), an eight-part school in its own wording (八部分
chosen in 年度总表, its edited copy in the year folder), and a letter to the province with a two-line title and a
November–October window (本校格式), whose 咨询 figures the office asks every department for. Each is also
broken once (a heading the year's data leaves out, a part
renamed beyond recognition) to show both doors refuse it with the same findings.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import docx
from conftest import report_text
from factory import sample_office, write
from schools import OWN_WORDING, Entered, eight_part_template, fill_forms, letter_template, university_template
from starlette.testclient import TestClient
from web.desk_client import form_token, log_in

from report_builder import pipeline, template_calls
from report_builder.findings import Finding, Severity
from report_builder.schema import OFFICE_FILE, DepartmentEntry, OfficeAsked, OfficeChannel, OfficeNarrative
from report_builder.web import Store, create_app, default_state
from report_builder.web.credential import Office
from report_builder.wordml import tables

E = Severity.ERROR
PASSWORD = "办公室的测试密码"
CHANNELS = {"学院官网": "https://www.example.edu.cn", "微信公众号": "“某某职业学院”（微信号 mmzyxy）",
            "信息公开信箱": "xxgk@example.edu.cn"}  # a channel's identifier: 年度总表 › 公开渠道 › 名称或地址
SEVEN = ["一、概述", "二、主动公开情况", "三、依申请公开情况", "四、收费及减免情况", "五、举报复议诉讼情况",
         "六、主要问题及改进措施", "七、其他需要报告的事项"]


def _year(root: Path, office: object, window: tuple[dt.date, dt.date], *, links: bool = False,
          paragraphs: dict[str, list[dict[str, object]]] | None = None, folder: str = "year") -> tuple[Path, Entered]:
    """A year folder: the office workbook, then every department's generated form filled and sent back."""
    year = root / folder
    year.mkdir()
    write(office.office_template(), year / OFFICE_FILE)  # type: ignore[attr-defined]
    forms = pipeline.make_templates(year, root / "forms")
    assert forms.written and not forms.findings, [str(f) for f in forms.findings]
    return year, fill_forms(forms.written, year, random.Random(7), window, links=links, paragraphs=paragraphs)


def _errors(findings: tuple[Finding, ...]) -> set[tuple[str, str, str, str]]:
    return {(f.code, f.sheet, f.value, f.detail) for f in findings if f.severity is E}


def _same_verdict(year: Path, template: Path, built: pipeline.BuildResult) -> tuple[Finding, ...]:
    """`check-template TEMPLATE YEAR` says what `build YEAR` said about the template: nothing, or the same errors."""
    found = template_calls.check_report_template(template, year)
    assert _errors(found) == _errors(built.render_findings), ([str(f) for f in found],
                                                              [str(f) for f in built.render_findings])
    assert (built.report is None) == bool(_errors(found))
    return found


def _desk_build(year: Path, out: Path, report_format: str) -> str:
    """The office logs in to the desk, opens the reports page and builds `report_format`: the page after it."""
    application = create_app(year, default_state(year), out_dir=out)
    Office(Store(default_state(year))).set_password(PASSWORD)
    with TestClient(application, follow_redirects=True) as client:
        log_in(client, PASSWORD)
        page = client.get("/office/reports").text
        option = re.search(f'<option value="{report_format}" selected>([^<]*)</option>', page)
        assert option is not None and "（本年度所用）" in option.group(1), page  # offered, and the year's own
        return client.post("/office/build", data={"csrf": form_token(page), "format": report_format}).text


def _hide(template: Path, heading: str) -> None:
    """Put `heading` inside an `{%p if %}` the year's data never satisfies (a mistake the checks catch)."""
    d = docx.Document(str(template))
    [paragraph] = [p for p in d.paragraphs if p.text == heading]
    paragraph.insert_paragraph_before("{%p if 举报件数 > 1000 %}")
    after = d.add_paragraph("{%p endif %}")
    paragraph._p.addnext(after._p)
    d.save(str(template))


def test_a_seven_part_school_with_its_own_headings(tmp_path: Path) -> None:
    window = (dt.date(2019, 9, 1), dt.date(2020, 8, 31))
    office = sample_office(
        school_name="某某大学", self_noun="学校", year_label="2019-2020学年", window_start=window[0],
        window_end=window[1], next_year_label="2020-2021学年",
        departments=tuple(DepartmentEntry(name=n) for n in ("党政办公室", "教务处", "招生就业处", "财务处", "研究生院")
                          ),
        narratives=(OfficeNarrative(key="概述引言", text="{学年度}，{自称}持续推进信息公开。"),
                    OfficeNarrative(key="其他需要报告的事项", text="无其他需要报告的事项。")))
    year, _ = _year(tmp_path, office, window)
    template = university_template(year)  # 年度报告模板.docx: the year's own format, 本校格式
    assert template_calls.list_formats(year).chosen == "本校格式"

    built = pipeline.build_report(year, tmp_path / "out")
    assert built.report is not None, [str(f) for f in built.render_findings]
    assert (built.report_format, built.template.origin if built.template else "") == ("本校格式", "year")
    assert built.summary_line.startswith("格式：本校格式；应有部分 7/7；")
    assert built.report.name == "某某大学2019-2020学年信息公开工作年度报告_v1.docx"  # no format suffix: the year's own
    assert [t for t in report_text(built.report) if t in SEVEN] == SEVEN
    assert _same_verdict(year, template, built) == ()

    page = _desk_build(year, tmp_path / "out", "本校格式")  # the desk builds the web page too: v2, the same report
    again = built.report.with_name(built.report.name.replace("_v1", "_v2"))
    assert "格式：本校格式；应有部分 7/7；" in page and f"已生成：{again.name}" in page
    assert again.read_bytes() == built.report.read_bytes() and again.with_suffix(".html").is_file()
    assert "未生成新版本" in _desk_build(year, tmp_path / "out", "本校格式")

    _hide(template, "五、举报复议诉讼情况")
    refused = pipeline.build_report(year, tmp_path / "out")
    assert refused.report is None
    [missing] = [f for f in refused.render_findings if f.severity is E]
    assert (missing.code, missing.detail) == ("publication-own-part-missing", "“五、举报复议诉讼情况”")
    assert "{%p if %}" in str(missing) and "填写的是" not in str(missing)
    _same_verdict(year, template, refused)


def test_an_eight_part_school_in_its_own_wording(tmp_path: Path) -> None:
    window = (dt.date(2021, 9, 1), dt.date(2022, 8, 31))
    office = sample_office(school_name="某某师范学院", year_label="2021-2022学年", window_start=window[0],
                           window_end=window[1], next_year_label="2022-2023学年", report_format="八部分")
    year, _ = _year(tmp_path, office, window, links=True)  # 八部分 prints each item's link: departments give them
    template = eight_part_template(year)  # formats --copy 八部分, each heading then retyped in Word

    built = pipeline.build_report(year, tmp_path / "out")
    assert built.report is not None, [str(f) for f in built.render_findings]
    assert (built.report_format, built.template.origin if built.template else "") == ("八部分", "year")
    assert built.summary_line.startswith("格式：八部分；应有部分 8/8；清单表 5/5 项有链接；")
    text = report_text(built.report)
    own = [wording.replace("{{ 自称 }}", "学院") for wording in OWN_WORDING.values()]
    assert [t for t in text if t in own] == own
    assert built.report.name == "某某师范学院2021-2022学年信息公开工作年度报告_v1.docx"  # 八部分 is the year's own
    assert _same_verdict(year, template, built) == ()
    page = _desk_build(year, tmp_path / "out", "八部分")
    assert "格式：八部分；应有部分 8/8；" in page and "_v2.docx" in page  # with its web page
    assert "未生成新版本" in _desk_build(year, tmp_path / "out", "八部分")

    d = docx.Document(str(template))
    [part] = [p for p in d.paragraphs if p.text == "六、信息公开工作的经验做法、存在问题和改进措施"]
    part.text = "六、心得体会"  # no accepted wording of the part
    d.save(str(template))
    refused = pipeline.build_report(year, tmp_path / "out")
    [missing] = [f for f in refused.render_findings if f.severity is E]
    assert missing.code == "publication-part-missing"
    assert missing.detail.startswith("“六、新做法新举措、主要经验、问题和改进措施”（也可写作“六、信息公开工作的")
    _same_verdict(year, template, refused)


def test_a_letter_with_a_two_line_title_and_a_november_to_october_window(tmp_path: Path) -> None:
    window = (dt.date(2022, 11, 1), dt.date(2023, 10, 31))
    contact = "联系人：王老师\n电话：0571-88888888\n电子信箱：xxgk@example.edu.cn"
    office = sample_office(
        school_name="某某职业学院", year_label="2023年度", window_start=window[0], window_end=window[1],
        next_year_label="2024年度", deadline=dt.date(2023, 11, 10),
        channels=tuple(OfficeChannel(name=name, identifier=identifier) for name, identifier in CHANNELS.items()),
        asked=(OfficeAsked(name="咨询件数", description="统计时间段内答复的信息公开咨询件数（含网上咨询）"),
               OfficeAsked(name="网上咨询件数", description="其中通过网上信箱、留言板答复的件数")),
        narratives=(OfficeNarrative(key="概述引言", text="{自称}高度重视信息公开工作。"),
                    OfficeNarrative(key="改进措施", text="{下一学年}，{自称}将进一步规范公开流程。"),
                    OfficeNarrative(key="重点领域信息公开情况", by_departments="是"),
                    OfficeNarrative(key="联系方式", text=contact)))
    written = {"财务处": "财务处在校园网公开了收费项目和收费标准。", "招生就业处": "招生就业处公开了招生章程。"}
    year, entered = _year(tmp_path, office, window, links=True, paragraphs={
        name: [{"key": "重点领域信息公开情况", "text": text}] for name, text in written.items()})
    template = letter_template(year)

    built = pipeline.build_report(year, tmp_path / "out", today=dt.date(2023, 11, 20))
    assert built.report is not None, [str(f) for f in built.render_findings]
    assert built.report.name == "某某职业学院2023年度信息公开工作年报_v1.docx"  # the two title lines
    assert built.summary_line == ("格式：本校格式；应有部分 5/5；清单表 5/5 项有链接；勾稽 74/74 通过；"
                                  "距12月31日还有 41 天")
    text = report_text(built.report)
    assert text[:4] == ["某某职业学院", "2023年度信息公开工作年报", "省教育厅：",
                        "根据《高等学校信息公开办法》，现将某某职业学院2023年度（2022年11月1日至2023年10月31日）"
                        "信息公开工作情况报告如下："]
    key_areas = text[text.index("四、重点领域信息公开情况") + 1:text.index("五、存在的问题和改进措施")]
    assert sorted(key_areas) == sorted(written.values())
    assert text[text.index("联系方式：") + 1:][:3] == contact.split("\n")  # the contact block, a line each
    assert "2024年度，学院将进一步规范公开流程。" in text
    asked = entered.asked  # the 咨询 figures each department typed on its 其他数字 sheet, summed
    assert set(asked) == {"咨询件数", "网上咨询件数"}
    assert any(t.endswith(f"答复咨询{asked['咨询件数']}件（其中网上咨询{asked['网上咨询件数']}件）。") for t in text)
    [proactive] = [t for t in text if t.startswith("学院主动公开信息")]
    printed = re.findall(r"(?:其中|、)([^、（]+?)（(.+?)）\d+条", proactive)
    assert printed and all(CHANNELS[name] == identifier for name, identifier in printed), proactive
    [attachment] = tables(built.report)
    assert [row[0].text for row in attachment[1:]] == ["1", "2", "3", "4", "5"]
    assert not [f for f in built.render_findings if f.code == "publication-other-year"]  # 2023年度 over 2022–2023
    assert _same_verdict(year, template, built) == ()
    assert "格式：本校格式；应有部分 5/5；" in _desk_build(year, tmp_path / "out", "本校格式")

    _hide(template, "四、重点领域信息公开情况")
    refused = pipeline.build_report(year, tmp_path / "out")
    assert {f.code for f in refused.render_findings if f.severity is E} == {"publication-own-part-missing"}
    _same_verdict(year, template, refused)


def test_a_title_year_other_than_the_windows_years(tmp_path: Path) -> None:
    """"2024年度" for 2023-09-01–2024-08-31 (the label the office writes is the title's year): built in the bundled
    format, named after its title, no paragraph said to quote another year."""
    from years import make_year

    office = sample_office(year_label="2024年度", window_start=dt.date(2023, 9, 1), window_end=dt.date(2024, 8, 31),
                           next_year_label="2025年度", deadline=dt.date(2024, 9, 15))
    year = make_year(tmp_path, office=office, folder="2024")
    built = pipeline.build_report(year, tmp_path / "out", today=dt.date(2024, 10, 1))
    assert built.report is not None, [str(f) for f in built.render_findings]
    assert built.report.name == "湖南石油化工职业技术学院2024年度信息公开工作年度报告_v1.docx"
    assert report_text(built.report)[1] == "2024年度信息公开工作年度报告"
    assert "报告中统计数据的起止时间为2023年9月1日至2024年8月31日。" in " ".join(report_text(built.report))
    assert not [f for f in built.render_findings if f.code == "publication-other-year"]
