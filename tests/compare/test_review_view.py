"""What a reviewer reads (`review_view`): a version block by block, with the changes since another version marked
inline (insertions, deletions, changed cells) and the changed figures with the departments behind them."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import edit_workbook
from word_docs import body_docx, cell, paragraph, run
from years import make_year

import report_builder
from report_builder.outputs.filling import fill_department
from report_builder.wordml_blocks import document_blocks


def version(folder: Path, name: str, body: str, figures: dict[str, object] | None = None) -> Path:
    """A whole version made by hand: the report `name`.docx of `body` and a manifest listing its sha256."""
    report = body_docx(folder / f"{name}.docx", body)
    manifest = {"schema_version": 2, "tool": "test", "fingerprint": name, "version": report.name, "inputs": [],
                "figures": figures or {}, "files": {report.name: hashlib.sha256(report.read_bytes()).hexdigest()}}
    report.with_suffix(".manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return report


def table(*rows: tuple[str, ...]) -> str:
    return "<w:tbl>" + "".join("<w:tr>" + "".join(cell(c) for c in row) + "</w:tr>" for row in rows) + "</w:tbl>"


def viewed(report: Path, since: Path | None = None) -> report_builder.ReviewView:
    view = report_builder.review_view(report, since)
    assert isinstance(view, report_builder.ReviewView), view
    return view


def test_the_first_reading_is_the_whole_text_unmarked(tmp_path: Path) -> None:
    report = version(tmp_path, "报告_v1", paragraph(run("一、概述"), style="Heading1") + paragraph(run("正文。"))
                     + table(("项目", "数量"), ("申请", "3")))
    view = viewed(report)
    assert view.since is None and view.changes == 0 and view.figures == ()
    assert [b.number for b in view.blocks] == [1, 2, 3] == list(range(1, len(document_blocks(report.read_bytes())) + 1))
    assert [b.text for b in view.blocks] == ["一、概述", "正文。", "项目 数量 申请 3"]
    assert view.blocks[2].html.count("<td") == 4 and "<table" in view.blocks[2].html
    assert all(" style=" not in b.html for b in view.blocks)  # the desk's style sheet styles it (its CSP)
    assert view.sha256 == hashlib.sha256(report.read_bytes()).hexdigest()


def test_insertions_deletions_and_changed_words_are_marked_in_place(tmp_path: Path) -> None:
    same, last = paragraph(run("第一段不变。")), paragraph(run("最后一段。"))
    old = version(tmp_path, "报告_v1", same + paragraph(run("共受理申请 12 件，全部按期答复。"))
                  + paragraph(run("这一段将被删除，内容完全不同。")) + last
                  + table(("项目", "数量"), ("申请", "12"), ("收费", "0")),
                  {"依申请公开件数": {"value": 12, "by_department": {"教务处": 10, "学生处": 2}}})
    new = version(tmp_path, "报告_v2", same + paragraph(run("共受理申请 15 件，全部按期答复。"))
                  + paragraph(run("新加的一段：说明收费情况。")) + last
                  + table(("项目", "数量"), ("申请", "15"), ("收费", "0")),
                  {"依申请公开件数": {"value": 15, "by_department": {"教务处": 13, "学生处": 2}}})
    view = viewed(new, old)
    changes = [(b.number, b.change) for b in view.blocks]
    assert changes == [(1, ""), (2, "changed"), (0, "deleted"), (3, "inserted"), (4, ""), (5, "changed")]
    changed = view.blocks[1]
    assert changed.html == "<p>共受理申请 <del>12</del><ins>15</ins> 件，全部按期答复。</p>"  # the number is one token
    assert view.blocks[2].html == "<p><del>这一段将被删除，内容完全不同。</del></p>"
    assert view.blocks[5].cells == ("第 2 行第 2 列：12 → 15",)
    [figure] = view.figures
    assert (figure.name, figure.old, figure.new, figure.departments) == ("依申请公开件数", 12, 15, ("教务处",))
    assert figure.text == "依申请公开件数：12 → 15（教务处）"
    assert changed.figures == (figure,) and view.blocks[5].figures == (figure,)  # where it is printed
    assert view.count("changed") == 2 and view.count("inserted") == 1 and view.count("deleted") == 1


def test_hostile_text_stays_text(tmp_path: Path) -> None:
    old = version(tmp_path, "报告_v1", paragraph(run("说明 &lt;b&gt;甲&lt;/b&gt;")))
    new = version(tmp_path, "报告_v2", paragraph(run('说明 &lt;script&gt;alert("x")&lt;/script&gt; &amp;')))
    html = "".join(b.html for b in viewed(new, old).blocks)
    assert "<script" not in html and "&lt;script&gt;" in html and "&quot;x&quot;" in html and "&amp;" in html
    assert re.sub(r"</?(p|ins|del)>", "", html).count("<") == 0  # no tag but ours


def test_a_version_changed_since_it_was_built_is_not_shown(tmp_path: Path) -> None:
    report = version(tmp_path, "报告_v1", paragraph(run("正文。")))
    report.write_bytes(report.read_bytes() + b"\0")
    found = report_builder.review_view(report)
    assert isinstance(found, report_builder.Finding) and found.code == "review-version-changed"
    other = version(tmp_path, "报告_v2", paragraph(run("正文。")))
    assert viewed(other, tmp_path / "不存在_v9.docx").since is None  # an earlier version gone: the whole text


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three versions of a generated year: 教务处's 主动公开 count typed as 321, then as 400."""
    root = tmp_path_factory.mktemp("review-view")
    year = make_year(root)
    out = root / "out"
    built = []
    for count in (None, 321, 400):
        if count is not None:
            edit_workbook(year / "教务处.xlsx", lambda wb, n=count: fill_department(wb, "主动公开", [{"count": n}]))
        report = report_builder.build_report(year, out).report
        assert report is not None
        built.append(report)
    return built


def test_a_reviewer_sees_only_what_changed_since_the_version_they_read(versions: list[Path]) -> None:
    first, second, third = versions
    since_first = viewed(third, first)
    since_second = viewed(third, second)
    [line] = [b for b in since_second.blocks if b.change]
    assert "<del>321</del><ins>400</ins>" in line.html and "0" not in re.findall(r"<del>(.*?)</del>", line.html)
    assert {f.text for f in line.figures} == {"主动公开条数：321 → 400（教务处）",
                                              "校园网信息公开专栏条数：321 → 400（教务处）"}
    assert [b for b in since_first.blocks if b.change][0].html.count("<del>0</del><ins>400</ins>") == 1
    assert viewed(second, first).figures[0].text == "主动公开条数：0 → 321（教务处）"
