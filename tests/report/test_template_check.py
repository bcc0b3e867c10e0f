"""Template authors are office staff: each template mistake is said in Chinese, at its paragraph and tag."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from conftest import ROOT, report_text

from report_builder import pipeline, template_calls
from report_builder.report.template_check import check_template, vocabulary_names

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"


def edited(*paragraphs: str, cell: str = "") -> bytes:
    """The default template with paragraphs (and a table cell) added, as an office would type them."""
    document = docx.Document(str(TEMPLATE))
    for text in paragraphs:
        document.add_paragraph(text)
    if cell:
        document.add_table(rows=2, cols=2).cell(1, 0).text = cell
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_the_default_template_has_no_problem() -> None:
    assert check_template(TEMPLATE) == []


@pytest.mark.parametrize(("paragraphs", "place", "tag", "said"), [
    (["本年度公开{{ 主动公开条目 }}条"], "段落“本年度公开{{ 主动公开条目 }}条”", "{{ 主动公开条目 }}",
     "是不是要写：主动公开条数？"),
    (["{%p for c in 案件 %}", "{{ c.事游 }}", "{%p endfor %}"], "段落“{{ c.事游 }}”", "{{ c.事游 }}",
     "不是可用的“案件”每一项的字段（可用：事由、日期、类型、结果、部门）。是不是要写：事由？"),
    (["｛｛ 年度 ｝｝信息公开"], "段落“｛｛ 年度 ｝｝信息公开”", "｛｛ 年度 ｝｝", "应在英文输入法下写成 {{ 年度 }}"),
    (["{ 年度 }信息公开"], "段落“{ 年度 }信息公开”", "{ 年度 }", "只有一层花括号"),
    (["{{ 年度 }信息公开"], "段落“{{ 年度 }信息公开”", "{{ 年度 }信息公开", "“{{”在本段中没有对应的“}}”"),
    (["{%if 评议次数 开展评议"], "段落“{%if 评议次数 开展评议”", "{%if 评议次数 开展评议",
     "“{%”在本段中没有对应的“%}”"),
    (['{{ 年度 "学年" }}'], "段落“{{ 年度 \"学年\" }}”", '{{ 年度 "学年" }}', "一对 {{ }} 中只能写一个名称"),
    (["{% if 评议次数 %}开展了评议", "没有写结束标记"], "段落“{% if 评议次数 %}开展了评议”", "{% if 评议次数 %}",
     "{% if %} 没有对应的 {% endif %}"),
    (["共{{ 年度 }}}件"], "段落“共{{ 年度 }}}件”", "共{{ 年度 }}}", "多出一个“}”"),
    (["比上年增加{{ 增减.主动公开条目 }}条"], "段落“比上年增加{{ 增减.主动公开条目 }}…”", "{{ 增减.主动公开条目 }}",
     "是不是要写：主动公开条数？"),
    (["{{ 文字.公开情况 }}"], "段落“{{ 文字.公开情况 }}”", "{{ 文字.公开情况 }}", "是不是要写：其他公开情况？"),
])
def test_each_mistake_names_its_paragraph_and_tag(paragraphs: list[str], place: str, tag: str, said: str) -> None:
    [finding] = check_template(edited(*paragraphs), file="年度报告模板.docx")
    assert (finding.sheet, finding.value) == (place, tag)
    assert said in finding.detail
    assert str(finding).startswith(f"年度报告模板.docx › {place}：")


def test_comparisons_and_filters_in_tags_are_fine() -> None:
    sentence = ("{% if 增减.主动公开条数 is number %}{% if 增减.主动公开条数 < 0 %}减少{{ 增减.主动公开条数 | abs }}"
                "{% else %}增加{% endif %}{% endif %}本年{{ 主动公开条数 }}条。")
    assert check_template(edited(sentence)) == []


def test_a_mistake_in_a_table_cell_names_the_table_and_cell() -> None:
    [finding] = check_template(edited(cell="{{ 主动条数 }}"))
    assert finding.sheet == "表格 1 第 2 行第 1 格“{{ 主动条数 }}”" and "主动公开条数" in finding.detail


def test_a_loop_field_is_checked_when_the_list_is_empty(sample_year: Path, tmp_path: Path) -> None:
    template = tmp_path / "模板.docx"
    template.write_bytes(edited("{%p for c in 案件 %}", "{{ c.事游 }}", "{%p endfor %}"))  # the sample has no 案件
    result = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert result.report is None
    [finding] = result.render_findings
    assert finding.code == "template-unknown-name" and "c.事游" in finding.detail


def test_declared_narrative_names_can_be_added() -> None:
    template = edited("{%p for 段 in 文字.新做法新举措 %}", "{{ 段 }}", "{%p endfor %}")
    assert check_template(template) != []
    assert check_template(template, vocabulary_names(narratives=["新做法新举措"])) == []


@pytest.mark.parametrize("written", ["危及“三安全一稳定”理由件数", '危及"三安全一稳定"理由件数',
                                     "危及三安全一稳定理由件数"])
def test_a_documented_name_with_quotes_works_as_written(sample_year: Path, tmp_path: Path, written: str) -> None:
    template = tmp_path / "模板.docx"
    template.write_bytes(edited(f"危及三安全一稳定：{{{{ {written} }}}}件。"))
    assert check_template(template) == []
    result = pipeline.build_report(sample_year, tmp_path / "out", template=template)
    assert result.report is not None, result.render_findings
    assert report_text(result.report)[-1] == "危及三安全一稳定：0件。"


def test_a_missing_narrative_at_render_names_it() -> None:
    import jinja2

    from report_builder.report.render import template_problem

    error = jinja2.UndefinedError("'dict object' has no attribute '公开情况'")
    assert "没有“公开情况”" in template_problem(error, "").message


def test_check_template_command(sample_year: Path, tmp_path: Path) -> None:
    bad = tmp_path / "坏模板.docx"
    bad.write_bytes(edited("本年度公开{{ 主动公开条目 }}条"))
    run = [sys.executable, "-m", "report_builder"]
    done = subprocess.run([*run, "check-template", str(bad)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "坏模板.docx › 段落“本年度公开{{ 主动公开条目 }}条”" in done.stdout and "主动公开条数" in done.stdout
    done = subprocess.run([*run, "check-template", str(TEMPLATE), str(sample_year)], capture_output=True, text=True)
    assert done.returncode == 0 and "模板检查通过" in done.stdout


def test_fields_lists_every_name_with_this_years_value(sample_year: Path) -> None:
    rows = {r.name: r for r in template_calls.template_fields(sample_year)}
    assert rows["主动公开条数"].value == "1000" and "主动公开的信息条数" in rows["主动公开条数"].description
    assert rows["学校名称"].value == "湖南石油化工职业技术学院"
    assert {r.name for r in template_calls.template_fields()} == set(rows)


def test_guide_is_a_word_document_written_once(tmp_path: Path) -> None:
    out = template_calls.write_template_guide(tmp_path / "模板说明.docx")
    text = "\n".join(report_text(out))
    assert "报告模板说明" in text and "主动公开条数" in text and "危及三安全一稳定理由件数" in text
    assert "docs/template.md" not in text
    with pytest.raises(FileExistsError):
        template_calls.write_template_guide(out)


def test_the_guide_and_fields_cover_this_years_own_names(tmp_path: Path) -> None:
    from factory import sample_office
    from years import OFFICE, make_year

    from report_builder.schema import OfficeCategory, OfficeChannel, OfficeNarrative

    office = sample_office(channels=(OfficeChannel(name="微博", identifier="@某某学院"),),
                           categories=(OfficeCategory(name="通知"),),
                           narratives=(*OFFICE.narratives, OfficeNarrative(key="联系方式", text="联系人：王老师")))
    year = make_year(tmp_path, office=office)
    text = "\n".join(report_text(template_calls.write_template_guide(tmp_path / "模板说明.docx", year)))
    for expected in ("2017-2018年度", "微博条数", "通知条数", "文字.联系方式", "本校格式", "上年数字",
                     "上年.<数字名称>",
                     "| join('')", "c.标识", "{%tr for c in 清单 %}", "六、信息公开工作的经验做法、存在问题和改进措施",
                     "is number", "省教育厅："):
        assert expected in text, expected
    assert "docs/" not in text
    rows = {r.name: r for r in template_calls.template_fields(year)}
    assert rows["文字.联系方式"].value == "联系人：王老师" and "微博条数" in rows and "上年.<数字名称>" in rows


def test_every_example_of_the_guide_passes_the_check() -> None:
    from report_builder.report.template_guide import EXAMPLES

    names = vocabulary_names(narratives=["联系方式"])
    for what, written in EXAMPLES:
        paragraphs = written.split(" ⏎ ")
        document = docx.Document(str(TEMPLATE))
        if paragraphs[0].startswith("{%tr"):
            table = document.add_table(rows=3, cols=4)
            for row, line in enumerate(paragraphs):
                for column, text in enumerate(line.split(" | ")):
                    table.cell(row, column).text = text
        else:
            for text in paragraphs:
                document.add_paragraph(text.replace("……", "本年度共收到申请。"))
        buffer = io.BytesIO()
        document.save(buffer)
        assert check_template(buffer.getvalue(), names) == [], what
