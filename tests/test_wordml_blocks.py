"""The structured view of the one Word reader (report_builder.wordml_blocks): the same paragraphs as
wordml.paragraph_texts, with styles, headings, links, bold runs and merged table cells."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from word_docs import body_docx, cell, paragraph, run

from report_builder import pipeline
from report_builder.formats import BUNDLED, FORMATS
from report_builder.wordml import paragraph_texts, tables
from report_builder.wordml_blocks import Paragraph, Span, Table, block_texts, document_blocks

A = 'w:author="审稿人" w:date="2000-01-01T00:00:00Z"'


@pytest.mark.parametrize("year", ["2017-2018", "2022-2023"])
def test_the_bundled_formats_read_as_the_text_reader_reads_them(year: str, tmp_path: Path) -> None:
    for name in BUNDLED:
        report = pipeline.build_report(ROOT / "inputs" / year, tmp_path, report_format=name).report
        assert report is not None
        blocks = document_blocks(report)
        assert block_texts(blocks) == paragraph_texts(report)
        headings = [b for b in blocks if isinstance(b, Paragraph) and b.outline == 0]
        assert [h.text for h in headings] == [part.replace("{{ 自称 }}", "学院") for part in FORMATS[name].parts]
        assert all(b.style == "heading 1" for b in headings)
        assert [b.style for b in blocks[:2]] == ["Title", "Title"]
        assert all(b.align == "center" for b in blocks[:2] if isinstance(b, Paragraph))


def test_headings_styles_alignment_links_and_bold(tmp_path: Path) -> None:
    body = (paragraph(run("报告"), style="Title")
            + paragraph(run("一、概述"), style="Heading1")
            + '<w:p><w:pPr><w:jc w:val="right"/><w:ind w:firstLineChars="200"/></w:pPr>'
            + run("见") + '<w:hyperlink r:id="{link0}">' + run("专栏") + "</w:hyperlink>"
            + '<w:hyperlink w:anchor="top">' + run("（本页）") + "</w:hyperlink>" + run("，重要", bold=True)
            + '<w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>。</w:t></w:r></w:p>')
    path = body_docx(tmp_path / "a.docx", body, ["https://xxgk.example.edu.cn/a?b=1&c=2"])
    title, heading, text = document_blocks(path)
    assert isinstance(title, Paragraph) and (title.style, title.outline) == ("Title", None)
    assert isinstance(heading, Paragraph) and (heading.style, heading.outline) == ("heading 1", 0)
    assert isinstance(text, Paragraph) and (text.align, text.indent, text.outline) == ("right", 2.0, None)
    assert text.spans == (Span("见"), Span("专栏", "https://xxgk.example.edu.cn/a?b=1&c=2"), Span("（本页）"),
                          Span("，重要", bold=True), Span("。"))


def merged_table() -> str:
    """表三's head: 申请人情况 over two rows, 法人或其他组织 over three columns; an orphan continuation below."""
    restart, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    three, huge = '<w:gridSpan w:val="3"/>', '<w:gridSpan w:val="99999"/>'
    head = '<w:trPr><w:tblHeader/></w:trPr>'
    return ("<w:tbl><w:tblGrid>" + '<w:gridCol w:w="2000"/>' * 4 + "</w:tblGrid>"
            f"<w:tr>{head}{cell('申请人情况', restart)}{cell('法人或其他组织', three)}</w:tr>"
            f"<w:tr>{head}{cell('', cont)}{cell('商业企业')}{cell('科研机构')}{cell('其他')}</w:tr>"
            f"<w:tr>{cell('一、本年新收', restart)}{cell('1')}{cell('2')}{cell('3')}</w:tr>"
            f"<w:tr>{cell('', cont)}{cell('4')}{cell('5')}{cell('6')}</w:tr>"
            f"<w:tr>{cell('二、上年结转')}{cell('7')}{cell('8')}{cell('9')}</w:tr>"
            f"<w:tr>{cell('孤立', cont)}{cell('', huge)}</w:tr>"
            "</w:tbl>")


def test_merged_cells_span_columns_and_rows(tmp_path: Path) -> None:
    path = body_docx(tmp_path / "t.docx", merged_table())
    [table] = document_blocks(path)
    assert isinstance(table, Table) and table.widths == (2000,) * 4
    shape = [[(c.columns, c.rows, c.merged) for c in row.cells] for row in table.rows]
    assert shape == [
        [(1, 2, False), (3, 1, False)],
        [(1, 1, True), (1, 1, False), (1, 1, False), (1, 1, False)],
        [(1, 2, False), (1, 1, False), (1, 1, False), (1, 1, False)],
        [(1, 1, True), (1, 1, False), (1, 1, False), (1, 1, False)],
        [(1, 1, False)] * 4,
        [(1, 1, False), (63, 1, False)],  # a continuation under a plain cell stands alone; a span capped at 63 columns
    ]
    assert [row.header for row in table.rows] == [True, True, False, False, False, False]
    assert block_texts((table,)) == paragraph_texts(path)


def test_tracked_changes_join_and_drop_as_the_text_reader_does(tmp_path: Path) -> None:
    body = (f'<w:p><w:pPr><w:rPr><w:del w:id="2" {A}/></w:rPr></w:pPr>{run("第一段")}</w:p>'
            f'<w:p><w:ins w:id="4" {A}>{run("，")}</w:ins>{run("第二段。")}</w:p>'
            f'<w:p><w:pPr><w:rPr><w:del w:id="5" {A}/></w:rPr></w:pPr></w:p>'
            "<w:tbl><w:tblGrid><w:gridCol/></w:tblGrid>"
            f'<w:tr><w:trPr><w:ins w:id="6" {A}/></w:trPr>{cell("新行")}</w:tr>'
            f'<w:tr><w:tc><w:tcPr/><w:tbl><w:tblGrid><w:gridCol/></w:tblGrid><w:tr>{cell("内表")}</w:tr></w:tbl>'
            "<w:p/></w:tc></w:tr></w:tbl>"
            f'<w:p><w:hyperlink r:id="{{link0}}"><w:del w:id="7" {A}>'
            f'<w:r><w:delText>旧</w:delText></w:r></w:del>{run("链接")}</w:hyperlink></w:p>')
    path = body_docx(tmp_path / "c.docx", body, ["http://a.example/"])
    for mode in ("accept", "reject"):
        assert block_texts(document_blocks(path, mode)) == paragraph_texts(path, mode)
    *_, table, last = document_blocks(path)
    assert isinstance(last, Paragraph) and last.spans == (Span("链接", "http://a.example/"),)
    assert isinstance(table, Table) and [len(row.cells) for row in table.rows] == [1, 1]
    nested = table.rows[1].cells[0].blocks[0]
    assert isinstance(nested, Table) and block_texts((nested,)) == ["内表"]
    assert tables(path)[0][1][0].text == "内表\n"  # the text reader's cell: the nested table, then the empty paragraph
