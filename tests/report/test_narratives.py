"""The office's own paragraphs (文字.<名称>) and the year's spellings (学年度, 学年, 学年_长横, 年份) in the report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import years
from conftest import report_text
from factory import SampleOffice, sample_office, write
from years import plain_template, rows

from report_builder import pipeline
from report_builder.report.merge import merge_year
from report_builder.schema import OFFICE_FILE, OfficeNarrative

OFFICE = sample_office()
NEW = OfficeNarrative(key="新做法新举措", text="推行“互联网+信息公开”，联络员{联络员人数}人。", by_departments="是")


def make_year(root: Path, office: SampleOffice, written: dict[str, str]) -> Path:
    """The office's year, every department passing; `written`: department → its text for 新做法新举措."""
    return years.make_year(root, {f"{name}.xlsx": rows("文字材料", {"key": "新做法新举措", "text": text})
                                  for name, text in written.items()}, office=office)


def test_a_paragraph_the_office_names_is_written_by_the_office_and_a_department(tmp_path: Path) -> None:
    office = sample_office(narratives=(*OFFICE.narratives, NEW))
    year = make_year(tmp_path, office, {"招生就业处": "招生信息网上“一站式”公开。"})
    used = plain_template(tmp_path, "三、新做法新举措",
                    "{% for p in 文字.新做法新举措 %}{{ p }}|{% endfor %}", "{{ 文字.编制依据[0] }}",
                    "{% for k, v in 文字.items() if v and k[0] == '新' %}{{ k }}{% endfor %}")
    result = pipeline.build_report(year, tmp_path / "out", template=used)
    assert result.report is not None, [str(f) for f in result.render_findings]
    assert report_text(result.report)[1:] == ["推行“互联网+信息公开”，联络员4人。|招生信息网上“一站式”公开。|",
                                              "根据《高等学校信息公开办法》的要求，编制本报告。", "新做法新举措"]


def test_a_paragraph_nobody_declared_is_an_error_at_its_tag(tmp_path: Path) -> None:
    year = make_year(tmp_path, sample_office(narratives=(*OFFICE.narratives, NEW)), {})
    used = plain_template(tmp_path, "一、概述", "今年的新做法：{{ 文字.新做法 | join('') }}")
    result = pipeline.build_report(year, tmp_path / "out", template=used)
    assert result.report is None
    [finding] = result.render_findings
    assert finding.code == "template-unknown-name"  # found by the template check, before any rendering
    assert str(finding).startswith("模板.docx › 段落“今年的新做法：{{ 文字.新做法")
    assert "“文字.新做法”不是可用的段落名称" in finding.detail
    assert "新做法新举措" in finding.detail and "年度总表的“文字材料”中设立" in finding.detail
    assert not (tmp_path / "out").exists()


# ---- year spellings --------------------------------------------------------------------------------

def texts(root: Path, folder: str, **info: object) -> dict[str, str]:
    """The report's texts for an office workbook with these 基本信息 fields (nothing else in the year)."""
    year = root / folder
    year.mkdir()
    write(sample_office(deadline=None, **info).office_template(), year / OFFICE_FILE)
    loaded = pipeline.load_office(year)
    assert loaded.office is not None, [str(f) for f in loaded.findings]
    data, _ = merge_year(loaded.office, [])
    return {name: data.texts[name] for name in ("学年度", "学年", "学年_长横", "年份")}


def test_year_spellings_follow_a_school_year_window(tmp_path: Path) -> None:
    spelt = texts(tmp_path, "2019-2020", year_label="2019-2020年度", next_year_label="2020-2021学年",
                  window_start=dt.date(2019, 9, 1), window_end=dt.date(2020, 8, 31))
    assert spelt == {"学年度": "2019-2020学年度", "学年": "2019-2020学年", "学年_长横": "2019—2020学年",
                     "年份": "2020年"}


def test_year_spellings_follow_a_calendar_year_window(tmp_path: Path) -> None:
    spelt = texts(tmp_path, "2020", year_label="2020年度", next_year_label="2021年",
                  window_start=dt.date(2020, 1, 1), window_end=dt.date(2020, 12, 31))
    assert spelt == {"学年度": "2020年度", "学年": "2020年", "学年_长横": "2020年", "年份": "2020年"}


def test_the_office_writes_its_own_year_spelling(tmp_path: Path) -> None:
    spelt = texts(tmp_path, "2019-2020", year_label="2019-2020年度", next_year_label="2020-2021学年",
                  window_start=dt.date(2019, 10, 26), window_end=dt.date(2020, 10, 25),
                  school_year_label="2019至2020学年度", calendar_year="2020年度")
    assert spelt == {"学年度": "2019至2020学年度", "学年": "2019-2020学年", "学年_长横": "2019—2020学年",
                     "年份": "2020年度"}
