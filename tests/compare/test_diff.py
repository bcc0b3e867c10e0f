"""Tests for report_builder.compare: redlines, accept/reject readers, summaries, workbook diffs, compare_files."""

from __future__ import annotations

import datetime as dt
import importlib.util
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path

import docx
import openpyxl
import pytest
from docx.oxml import parse_xml
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

from report_builder.compare import files, inputs, paragraph_diff, redline, workbook_diff
from report_builder.compare.inputs import DiffError, accept_all, paragraph_texts, reject_all
from report_builder.compare.paragraph_diff import RedlineSummary, format_summary, summarize_paragraphs
from report_builder.compare.redline import redline_docx
from report_builder.compare.workbook_diff import CellChange, diff_workbooks, format_cell_changes
from report_builder.wordml import NS as W

NS = {"w": W}
Block = str | list[str | tuple[str, ...]] | list[list[str]]

LEAD = "学院信息公开工作领导小组由联络员15人组成，负责日常工作。"
TOTAL = "本年度通过校园网、信息公开专栏等渠道共公开信息近1000余条。"
RULES = "学院修订了信息公开工作实施细则，进一步规范了公开程序。"
PLATFORM = "学院网站是信息公开的主要平台，内容丰富多样。"
ZERO = "2017-2018年度学院信息公开工作没有申请公开信息办理情况。"
TABLE = [["项目", "数量"], ["主动公开", "45"], ["依申请公开", "0"]]


# ---------------------------------------------------------------- fixtures built in code


def write_docx(path: Path, blocks: Sequence[object]) -> Path:
    """A .docx of paragraphs (str), multi-run paragraphs (tuple: bold every other run) and tables."""
    document = docx.Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
        elif isinstance(block, tuple):
            paragraph = document.add_paragraph()
            for i, part in enumerate(block):
                paragraph.add_run(part).bold = i % 2 == 1
        else:
            assert isinstance(block, list)
            table = document.add_table(rows=len(block), cols=len(block[0]))
            for r, row in enumerate(block):
                for c, value in enumerate(row):
                    table.cell(r, c).text = value
    document.save(str(path))
    return path


def oracle_texts(path: Path) -> list[str]:
    """Paragraph texts as python-docx's own objects see them (independent of report_builder.wordml)."""
    out: list[str] = []

    def walk(items: object) -> None:
        for item in items:  # type: ignore[attr-defined]
            if isinstance(item, Paragraph):
                out.append(item.text)
            elif isinstance(item, Table):
                for row in item.rows:
                    seen: set[int] = set()
                    for cell in row.cells:
                        if id(cell._tc) not in seen:
                            seen.add(id(cell._tc))
                            walk(cell.iter_inner_content())

    walk(docx.Document(str(path)).iter_inner_content())
    return out


def document_xml(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def body_docx(path: Path, body_xml: str) -> Path:
    """A .docx whose body is exactly `body_xml` (w: prefix), for hand-written revision markup."""
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if child.tag != f"{{{W}}}sectPr":
            body.remove(child)
    wrapper = parse_xml(f'<w:body xmlns:w="{W}">{body_xml}</w:body>')
    for index, child in enumerate(list(wrapper)):
        body.insert(index, child)
    document.save(str(path))
    return path


needs_engine = pytest.mark.skipif(
    importlib.util.find_spec("python_redlines") is None,
    reason="needs the redline extra (python-redlines[docxodus])",
)


# ---------------------------------------------------------------- redline round trips

EDITS: dict[str, tuple[list[object], list[object]]] = {
    "number-in-sentence": ([LEAD, TOTAL, RULES], [LEAD.replace("15", "16"), TOTAL, RULES]),
    "number-in-bold-run": (
        [("由联络员", "15", "人组成，负责日常工作。"), TOTAL],
        [("由联络员", "16", "人组成，负责日常工作。"), TOTAL],
    ),
    "paragraph-added": ([LEAD, TOTAL, RULES], [LEAD, TOTAL, ZERO, RULES]),
    "paragraph-deleted": ([LEAD, TOTAL, RULES, PLATFORM], [LEAD, TOTAL, PLATFORM]),
    "last-paragraph-deleted": ([LEAD, TOTAL, RULES], [LEAD, TOTAL]),
    "paragraph-moved": ([PLATFORM, LEAD, TOTAL, RULES], [LEAD, TOTAL, PLATFORM, RULES]),
    "punctuation": ([LEAD, "问题一，改进措施", RULES], [LEAD, "问题一。改进措施", RULES]),
    "table-cell": (
        [LEAD, TABLE, RULES],
        [LEAD, [["项目", "数量"], ["主动公开", "46"], ["依申请公开", "0"]], RULES],
    ),
    "table-row-added": ([LEAD, TABLE], [LEAD, [*TABLE, ["不予公开", "0"]]]),
    "table-row-deleted": ([LEAD, TABLE, RULES], [LEAD, [TABLE[0], TABLE[2]], RULES]),
    "everything": (
        [LEAD, TOTAL, PLATFORM, "问题一，改进措施", TABLE, RULES],
        [
            LEAD.replace("15", "16"),
            ZERO,
            TOTAL,
            "问题一。改进措施",
            [*TABLE[:1], ["主动公开", "50"], TABLE[2]],
            PLATFORM,
        ],
    ),
}


@pytest.mark.parametrize("case", sorted(EDITS))
@needs_engine
def test_accept_gives_new_and_reject_gives_old(tmp_path: Path, case: str) -> None:
    old_blocks, new_blocks = EDITS[case]
    old = write_docx(tmp_path / "old.docx", old_blocks)
    new = write_docx(tmp_path / "new.docx", new_blocks)
    out = tmp_path / "redline.docx"

    redline_docx(old, new, out)

    assert accept_all(out) == oracle_texts(new)
    assert reject_all(out) == oracle_texts(old)
    assert document_xml(out).xpath("//w:ins|//w:del|//w:moveFrom|//w:moveTo", namespaces=NS)


@needs_engine
def test_number_change_is_character_level_with_author_and_date(tmp_path: Path) -> None:
    old = write_docx(tmp_path / "old.docx", [LEAD, TABLE])
    new = write_docx(tmp_path / "new.docx", [LEAD.replace("15", "16"), TABLE])
    out = tmp_path / "redline.docx"

    redline_docx(old, new, out, author="党政办公室", date="2018-10-08T09:30:00Z")

    root = document_xml(out)
    inserted = root.xpath("//w:ins[w:r]", namespaces=NS)
    deleted = root.xpath("//w:del[w:r]", namespaces=NS)
    assert ["".join(e.xpath(".//w:t/text()", namespaces=NS)) for e in inserted] == ["16"]
    assert ["".join(e.xpath(".//w:delText/text()", namespaces=NS)) for e in deleted] == ["15"]
    for element in inserted + deleted:
        assert element.get(f"{{{W}}}author") == "党政办公室"
        assert element.get(f"{{{W}}}date") == "2018-10-08T09:30:00Z"
    first = root.xpath("//w:body/w:p[1]", namespaces=NS)[0]
    assert "".join(first.xpath("w:r/w:t/text()", namespaces=NS)) == LEAD.replace("15", "")
    assert [etree.QName(e).localname for e in first if etree.QName(e).localname in ("ins", "del")] == [
        "del",
        "ins",
    ]


@needs_engine
def test_output_is_byte_reproducible_with_fixed_zip_metadata(tmp_path: Path) -> None:
    old_blocks, new_blocks = EDITS["everything"]
    old = write_docx(tmp_path / "old.docx", old_blocks)
    new = write_docx(tmp_path / "new.docx", new_blocks)

    redline_docx(old, new, tmp_path / "a.docx")
    redline_docx(old, new, tmp_path / "b.docx")

    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.docx") as z:
        names = z.namelist()
        assert names[0] == "[Content_Types].xml"
        assert names[1:] == sorted(names[1:])
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert not list(tmp_path.glob(".tmp-*"))


@needs_engine
def test_summary_counts_and_pairs(tmp_path: Path) -> None:
    old_blocks, new_blocks = EDITS["everything"]
    old = write_docx(tmp_path / "old.docx", old_blocks)
    new = write_docx(tmp_path / "new.docx", new_blocks)

    summary = redline_docx(old, new, tmp_path / "r.docx")

    assert (summary.added, summary.deleted, summary.changed, summary.moved) == (1, 1, 3, 1)
    assert summary.unchanged == len([t for t in oracle_texts(new) if t.strip()]) - 1 - 3 - 1
    assert (LEAD, LEAD.replace("15", "16")) in summary.changes
    assert ("45", "50") in summary.changes
    assert ("问题一，改进措施", "问题一。改进措施") in summary.changes
    assert summary.added_texts == (ZERO,)
    assert summary.deleted_texts == (RULES,)
    assert summary.moved_texts == (PLATFORM,)
    assert format_summary(summary)[0] == "新增段落 1，删除段落 1，修改段落 3，移动段落 1"


@needs_engine
def test_identical_documents_have_no_revisions(tmp_path: Path) -> None:
    old = write_docx(tmp_path / "old.docx", [LEAD, TABLE])
    new = write_docx(tmp_path / "new.docx", [LEAD, TABLE])

    summary = redline_docx(old, new, tmp_path / "r.docx")

    assert summary == RedlineSummary(added=0, deleted=0, changed=0, unchanged=7)
    assert not document_xml(tmp_path / "r.docx").xpath("//w:ins|//w:del", namespaces=NS)
    assert format_summary(summary) == ["两个版本的文字内容相同。"]


# ---------------------------------------------------------------- redline errors


@needs_engine
def test_missing_and_broken_inputs_are_chinese_errors(tmp_path: Path) -> None:
    good = write_docx(tmp_path / "good.docx", [LEAD])
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")

    with pytest.raises(DiffError, match="找不到文件"):
        redline_docx(tmp_path / "nope.docx", good, tmp_path / "r.docx")
    with pytest.raises(DiffError, match="broken.docx") as info:
        redline_docx(good, broken, tmp_path / "r.docx")
    assert info.value.finding is not None and info.value.finding.code == "document-corrupt"
    with pytest.raises(DiffError, match="修订时间"):
        redline_docx(good, good, tmp_path / "r.docx", date="昨天")
    (tmp_path / "a-folder.docx").mkdir()
    with pytest.raises(DiffError, match="无法写入"):
        redline_docx(good, good, tmp_path / "a-folder.docx")
    assert not (tmp_path / "r.docx").exists()


def test_missing_engine_is_a_chinese_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = write_docx(tmp_path / "good.docx", [LEAD])
    monkeypatch.setitem(sys.modules, "python_redlines", None)

    with pytest.raises(DiffError, match="未安装修订比对组件") as info:
        redline_docx(good, good, tmp_path / "r.docx")
    assert "pip install" in info.value.message


# ---------------------------------------------------------------- accept / reject on hand-written markup

A = 'w:author="审稿人" w:date="2000-01-01T00:00:00Z"'


def run(text: str, deleted: bool = False) -> str:
    return f"<w:r><w:delText>{text}</w:delText></w:r>" if deleted else f"<w:r><w:t>{text}</w:t></w:r>"


def test_word_style_moves_and_paragraph_marks(tmp_path: Path) -> None:
    body = (
        f'<w:p><w:pPr><w:rPr><w:moveFrom w:id="1" {A}/></w:rPr></w:pPr>'
        f'<w:moveFromRangeStart w:id="2" w:name="move1" {A}/>'
        f'<w:moveFrom w:id="3" {A}>{run("甲")}</w:moveFrom>'
        f'<w:moveFromRangeEnd w:id="2"/></w:p>'
        f"<w:p>{run('乙')}</w:p>"
        f'<w:p><w:pPr><w:rPr><w:moveTo w:id="4" {A}/></w:rPr></w:pPr>'
        f'<w:moveToRangeStart w:id="5" w:name="move1" {A}/><w:moveTo w:id="6" {A}>{run("甲")}</w:moveTo>'
        f'<w:moveToRangeEnd w:id="5"/></w:p>'
        f"<w:p>{run('丙')}</w:p>"
    )
    path = body_docx(tmp_path / "moves.docx", body)
    assert accept_all(path) == ["乙", "甲", "丙"]
    assert reject_all(path) == ["甲", "乙", "丙"]


def test_split_and_joined_paragraphs(tmp_path: Path) -> None:
    # A paragraph split in two (inserted mark), then two paragraphs joined (deleted mark).
    body = (
        f'<w:p><w:pPr><w:rPr><w:ins w:id="1" {A}/></w:rPr></w:pPr>{run("前半句，")}</w:p>'
        f"<w:p>{run('后半句。')}</w:p>"
        f'<w:p><w:pPr><w:rPr><w:del w:id="2" {A}/></w:rPr></w:pPr>{run("第一段")}'
        f'<w:del w:id="3" {A}>{run("。", deleted=True)}</w:del></w:p>'
        f'<w:p><w:ins w:id="4" {A}>{run("，")}</w:ins>{run("第二段。")}</w:p>'
    )
    path = body_docx(tmp_path / "marks.docx", body)
    assert accept_all(path) == ["前半句，", "后半句。", "第一段，第二段。"]
    assert reject_all(path) == ["前半句，后半句。", "第一段。", "第二段。"]


def test_rows_cells_and_nested_revisions(tmp_path: Path) -> None:
    def cells(*texts: str, deleted: bool = False) -> str:
        return "".join(f"<w:tc><w:p>{run(t, deleted)}</w:p></w:tc>" for t in texts)

    body = (
        "<w:tbl><w:tblGrid><w:gridCol/><w:gridCol/></w:tblGrid>"
        f"<w:tr>{cells('项目', '数量')}</w:tr>"
        f'<w:tr><w:trPr><w:ins w:id="1" {A}/></w:trPr>{cells("新行", "1")}</w:tr>'
        f'<w:tr><w:trPr><w:del w:id="2" {A}/></w:trPr>{cells("旧行", "2", deleted=True)}</w:tr>'
        f'<w:tr><w:tc><w:tcPr><w:cellIns w:id="3" {A}/></w:tcPr><w:p>{run("新格")}</w:p></w:tc>'
        f'<w:tc><w:tcPr><w:cellDel w:id="4" {A}/></w:tcPr><w:p>{run("旧格")}</w:p></w:tc></w:tr>'
        "</w:tbl>"
        f'<w:p><w:ins w:id="5" {A}>{run("保留")}<w:del w:id="6" {A}>{run("又删", True)}</w:del></w:ins>'
        f'<w:hyperlink><w:del w:id="7" {A}>{run("旧链接", True)}</w:del>{run("链接")}</w:hyperlink></w:p>'
    )
    path = body_docx(tmp_path / "table.docx", body)
    assert accept_all(path) == ["项目", "数量", "新行", "1", "新格", "保留链接"]
    assert reject_all(path) == ["项目", "数量", "旧行", "2", "旧格", "旧链接链接"]


def test_paragraph_texts_match_python_docx_on_plain_documents(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "plain.docx", [LEAD, ("甲", "乙", "丙"), TABLE, "", RULES])
    assert paragraph_texts(path) == oracle_texts(path)


# ---------------------------------------------------------------- summaries and terminal lines


def test_summary_pairs_similar_paragraphs_inside_a_replaced_block() -> None:
    old = [LEAD, TOTAL, RULES]
    new = [LEAD, ZERO, TOTAL.replace("1000", "1200"), PLATFORM, "", "  "]

    summary = summarize_paragraphs(old, new)

    assert summary.changes == ((TOTAL, TOTAL.replace("1000", "1200")),)
    assert (summary.added, summary.deleted, summary.changed, summary.unchanged) == (2, 1, 1, 1)
    assert summary.added_texts == (ZERO, PLATFORM)
    assert summary.deleted_texts == (RULES,)


def test_format_summary_clips_around_the_change() -> None:
    long_old = "前文" * 60 + "联络员15人" + "后文" * 60
    summary = summarize_paragraphs([long_old, "无。", RULES], [long_old.replace("15", "16"), "无", RULES])

    lines = format_summary(summary)

    assert lines[0] == "新增段落 0，删除段落 0，修改段落 2"
    old_part, new_part = lines[1].removeprefix("  修改：").split(" → ")
    assert old_part.startswith("…") and old_part.endswith("…") and "15" in old_part
    assert new_part.startswith("…") and new_part.endswith("…") and "16" in new_part
    assert len(lines[1]) < 60
    assert lines[2] == "  修改：无。 → 无"


def test_summary_does_not_pair_unrelated_paragraphs() -> None:
    summary = summarize_paragraphs([LEAD, RULES], [LEAD, ZERO])
    assert (summary.added, summary.deleted, summary.changed) == (1, 1, 0)


def test_format_summary_lists_added_and_deleted_and_limits() -> None:
    summary = summarize_paragraphs([], [f"新增第{i}段。" for i in range(30)])
    lines = format_summary(summary, limit=5)
    assert lines[0] == "新增段落 30，删除段落 0，修改段落 0"
    assert lines[1] == "  新增：新增第0段。"
    assert lines[-1] == "  ……另有 25 处未列出"


# ---------------------------------------------------------------- workbooks


def write_xlsx(path: Path, sheets: dict[str, dict[str, object]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, cells in sheets.items():
        sheet = book.create_sheet(name)
        for ref, value in cells.items():
            sheet[ref] = value
    book.save(path)
    return path


def test_diff_workbooks_lists_changed_cells_in_order(tmp_path: Path) -> None:
    old = write_xlsx(
        tmp_path / "old.xlsx",
        {
            "填表说明": {"A1": "说明"},
            "联络员": {"A2": "姓名", "B2": "人数", "B3": 15, "C3": dt.datetime(2017, 9, 1), "D3": 12},
            "旧表": {"B2": "作废"},
        },
    )
    new = write_xlsx(
        tmp_path / "new.xlsx",
        {
            "填表说明": {"A1": "说明"},
            "联络员": {
                "A2": "姓名",
                "B2": "人数",
                "B3": 16,
                "C3": dt.date(2017, 9, 2),
                "D3": 12.0,
                "A5": "新行",
            },
            "新表": {"A1": "新增"},
        },
    )

    assert diff_workbooks(old, new) == [
        CellChange("联络员", "B3", "15", "16"),
        CellChange("联络员", "C3", "2017-09-01", "2017-09-02"),
        CellChange("联络员", "A5", "", "新行"),
        CellChange("新表", "A1", "", "新增"),
        CellChange("旧表", "B2", "作废", ""),
    ]
    assert diff_workbooks(old, old) == []


def test_diff_workbooks_far_columns_and_bad_files(tmp_path: Path) -> None:
    old = write_xlsx(tmp_path / "old.xlsx", {"表": {"AB10": "x"}})
    new = write_xlsx(tmp_path / "new.xlsx", {"表": {"AB10": "y"}})
    assert diff_workbooks(old, new) == [CellChange("表", "AB10", "x", "y")]

    bad = tmp_path / "坏.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(DiffError, match="坏.xlsx") as info:
        diff_workbooks(old, bad)
    assert info.value.finding is not None and info.value.finding.code == "file-not-workbook"
    with pytest.raises(DiffError, match="找不到文件"):
        diff_workbooks(old, tmp_path / "nope.xlsx")


def test_format_cell_changes() -> None:
    changes = [CellChange("联络员", "B3", "15", "16")]
    assert format_cell_changes(changes) == ["共有 1 个单元格不同：", "  联络员!B3：“15” → “16”"]
    assert format_cell_changes([]) == ["两个版本的单元格内容相同。"]


def test_compare_files_is_what_the_command_prints(tmp_path: Path) -> None:
    old = write_xlsx(tmp_path / "old.xlsx", {"联络员": {"B3": 15}})
    new = write_xlsx(tmp_path / "new.xlsx", {"联络员": {"B3": 16}})
    result = files.compare_files(old, new)
    assert result.kind == "workbooks" and result.cell_changes == (CellChange("联络员", "B3", "15", "16"),)
    assert result.lines() == format_cell_changes(result.cell_changes)
    assert files.compare_files(old, old).lines() == ["两个文件的内容相同。"]
    report = write_docx(tmp_path / "r.docx", [LEAD])
    for args in ((old, report), (report, report, old), (tmp_path / "nope.xlsx", old)):
        with pytest.raises(DiffError) as info:
            files.compare_files(*args)
        assert info.value.usage and info.value.message


def test_public_api_is_listed() -> None:
    assert set(redline.__all__) >= {"redline_docx"}
    assert set(inputs.__all__) >= {"DiffError", "accept_all", "reject_all", "paragraph_texts"}
    assert set(paragraph_diff.__all__) >= {"summarize_paragraphs", "format_summary"}
    assert set(workbook_diff.__all__) >= {"diff_workbooks", "format_cell_changes"}
    assert set(files.__all__) >= {"compare_files", "CompareResult", "DiffError"}
