"""Checks before publication: the rendered report read back (report/publication.py), and the build's last line."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.table import _Cell
from factory import sample_office

from report_builder import pipeline
from report_builder.formats import FORMATS
from report_builder.report.merge import Figure, ReportData
from report_builder.report.publication import Publication, check_publication, publication_deadline
from report_builder.tables import identities
from report_builder.wordml import tables

THREE_PARTS = FORMATS["三部分"].parts  # "二、{{ 自称 }}信息公开情况"
OFFICE = sample_office()
INFO = OFFICE.info  # 学院, 2017-2018年度, 2017年9月1日至2018年8月31日, 下一学年 2018-2019学年
HEADINGS = ("一、信息公开工作情况概述", "二、学院信息公开情况", "三、主要问题和改进措施")
TODAY = dt.date(2018, 10, 19)
LINK = "https://xxgk.example.edu.cn/"
HEADER = ("序号", "类别", "公开事项", "牵头落实单位", "公开状态", "公开栏目链接")


def year_data(fee: int = 0) -> ReportData:
    """The sample office's year: its 清单 (five items), a fee, every other figure 0."""
    names = {n for rule in identities() for n in (*rule.left, *rule.right)}
    figures = {n: Figure(n, 0) for n in names}
    figures["清单事项数"] = Figure("清单事项数", len(OFFICE.checklist))
    figures["收费总额"] = Figure("收费总额", fee)
    checklist = tuple({"序号": str(i.number), "公开事项": i.title, "公开状态": "已公开"} for i in OFFICE.checklist)
    texts = {"年度": INFO.year_label, "下一学年": INFO.next_year_label, "自称": INFO.self_noun}
    return ReportData(INFO, (), figures, texts, {}, {"清单": checklist})


def add_link(cell: _Cell, url: str) -> None:
    """A real hyperlink (w:hyperlink to an external relationship) in the cell, as Word writes one."""
    paragraph = cell.paragraphs[0]
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True))
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = url
    run.append(text)
    link.append(run)
    paragraph._p.append(link)


def report(*paragraphs: str, rows: Sequence[tuple[int, str, bool]] | None = None) -> bytes:
    """A rendered report: the three headings, then `paragraphs`, then (given rows) a 清单 table whose rows are
    (序号, 公开状态, has a link)."""
    document = docx.Document()
    for text in (*HEADINGS, *paragraphs):
        document.add_paragraph(text)
    if rows is not None:
        table = document.add_table(rows=1, cols=len(HEADER))
        for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
            cell.text = text
        titles = {i.number: i.title for i in OFFICE.checklist}
        for number, status, linked in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, (str(number), "类别", titles[number], "党政办公室", status), strict=False):
                cell.text = text
            if linked:
                add_link(cells[5], LINK)
    return docx_bytes(document)


def docx_bytes(document: DocxDocument) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def check(document: bytes, data: ReportData | None = None, today: dt.date = TODAY,
          parts: Sequence[str] = THREE_PARTS) -> tuple[list[str], Publication]:
    found = check_publication(document, data or year_data(), parts, today, template="模板.docx")
    return [f.code for f in found.findings], found


ALL_LINKED = [(i.number, "已公开", True) for i in OFFICE.checklist]


def test_a_whole_report_passes_and_says_so_in_one_line() -> None:
    codes, found = check(report("报告中统计数据的起止时间为2017年9月1日至2018年8月31日。", rows=ALL_LINKED))
    assert codes == []
    rules = len(identities())
    assert found.summary_line("八部分") == (
        f"格式：八部分；应有部分 3/3；清单表 5/5 项有链接；勾稽 {rules}/{rules} 通过；距10月31日还有 12 天")


def test_a_missing_part_is_an_error_naming_it() -> None:
    document = docx.Document()
    for text in (HEADINGS[0], HEADINGS[2]):
        document.add_paragraph(text)
    found = check_publication(docx_bytes(document), year_data(), THREE_PARTS, TODAY, template="模板.docx")
    [error] = found.errors
    assert (error.code, error.file) == ("publication-part-missing", "模板.docx")
    assert error.detail.startswith("“二、学院信息公开情况”（也可写作“二、信息公开情况”") and not error.value
    assert "填写的是" not in str(error)  # the requirement is said once
    assert found.summary_line("三部分").startswith("格式：三部分；应有部分 2/3；勾稽")


def test_parts_match_despite_spaces_full_width_and_the_self_noun_and_must_be_in_order() -> None:
    spaced = ("一、 信息公开工作情况概述", "二、学院信息公开情况 ", "三、主要问题和改进措施")
    assert check(report(), parts=spaced)[0] == []
    assert check(report(), parts=("二、学校信息公开情况",))[0] == []  # the part's 学校 is the school's 自称
    codes, found = check(report(), parts=(THREE_PARTS[1], THREE_PARTS[0]))
    assert codes == ["publication-part-order"] and found.parts_found == 1


def test_a_paragraph_quoting_another_year_is_a_warning_naming_its_first_words() -> None:
    codes, found = check(report("2016-2017学年度学院共受理申请3件。", "2018-2019学年将继续推进。",
                                "统计时间为2016年9月1日至2017年8月31日。"))
    assert codes == ["publication-other-year", "publication-other-year"]  # 下一学年 is the office's own label
    first, second = found.findings
    assert "2016-2017学年度学院共受理申请3件。".startswith(first.value) and "2016-2017学年度" in first.detail
    assert "2016年9月1日至2017年8月31日" in second.detail


def test_the_checklist_table_has_a_row_per_item_and_each_published_item_a_link() -> None:
    rows = [(1, "已公开", True), (2, "已公开", False), (3, "暂未涉及", False), (4, "已公开", True)]
    found = check_publication(report(rows=rows), year_data(), THREE_PARTS, TODAY, template="模板.docx")
    [missing] = found.errors
    assert missing.code == "publication-checklist-rows"
    assert "表中有 4 行" in missing.detail and f"5“{OFFICE.checklist[4].title}”" in missing.detail
    [unlinked] = found.warnings
    assert (unlinked.code, unlinked.value) == ("publication-link-missing", "1 项")  # item 2, its department named
    assert OFFICE.checklist[1].title in unlinked.detail
    assert "清单表 2/3 项有链接" in found.summary_line("八部分")


def test_the_word_reader_finds_the_links_of_a_table() -> None:
    [table] = tables(report(rows=ALL_LINKED[:1]))
    header, row = table
    assert [c.text for c in header] == list(HEADER)
    assert row[5].links == (LINK,) and row[4].links == ()


def test_fees_charged_must_be_explained() -> None:
    assert check(report(), year_data(fee=120))[0] == ["publication-fee-unexplained"]
    assert check(report("共收取费用120元。"), year_data(fee=120))[0] == []
    assert check(report(), year_data(fee=0))[0] == []


def test_days_left_count_to_the_deadline_and_past_it_is_a_warning() -> None:
    assert publication_deadline(dt.date(2018, 8, 31)) == dt.date(2018, 10, 31)
    assert publication_deadline(dt.date(2020, 12, 31)) == dt.date(2021, 1, 31)  # 政府信息公开条例 第五十条
    assert publication_deadline(dt.date(2019, 6, 30)) == dt.date(2019, 8, 30)  # any other window: 61 days
    codes, found = check(report(), today=dt.date(2018, 11, 3))
    assert codes == ["publication-deadline-passed"]
    assert found.summary_line("").endswith("已过公开期限（2018年10月31日）3 天")
    given = check_publication(report(), year_data(), THREE_PARTS, TODAY, dt.date(2018, 10, 20))
    assert given.days_left == 1 and given.summary_line("").endswith("距10月20日还有 1 天")


def test_the_build_ends_with_the_summary_line_and_today_stays_out_of_the_report(sample_year: Path,
                                                                                tmp_path: Path) -> None:
    first = pipeline.build_report(sample_year, tmp_path / "a", today=TODAY)
    second = pipeline.build_report(sample_year, tmp_path / "b", today=dt.date(2019, 1, 1))
    assert first.report is not None and second.report is not None
    assert hashlib.sha256(first.report.read_bytes()).digest() == hashlib.sha256(second.report.read_bytes()).digest()
    assert first.summary_line.startswith("格式：三部分；应有部分 3/3；勾稽 ")
    assert first.summary_line.endswith("通过；距10月31日还有 12 天")
    assert [f.code for f in second.render_findings] == ["publication-deadline-passed"]


def test_an_error_before_publication_stops_the_build(sample_year: Path, tmp_path: Path) -> None:
    template = docx.Document()
    template.add_paragraph("{{ 学校名称 }}")
    table = template.add_table(rows=2, cols=2)
    for cell, text in zip(table.rows[0].cells + table.rows[1].cells, ("序号", "公开事项", "1", "一项"), strict=True):
        cell.text = text
    path = tmp_path / "八部分.docx"
    template.save(str(path))
    result = pipeline.build_report(sample_year, tmp_path / "out", template=path, today=TODAY)
    assert result.report is None and not (tmp_path / "out").exists()
    assert [f.code for f in result.render_findings] == ["publication-checklist-rows"]
    assert "清单表 0/0 项有链接" in result.summary_line  # no status column: nothing is 已公开


def test_the_cli_prints_the_summary_last_and_writes_it_in_json(sample_year: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "report_builder", "build", str(sample_year), "--out",
                           str(tmp_path / "out"), "--json", str(tmp_path / "r.json")], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("格式：三部分；应有部分 3/3；勾稽 ")
    written = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert written["publication"]["summary"] == last
    assert written["report"].endswith("_v1.docx") and Path(written["report"]).is_file() and not written["unchanged"]
