"""The output vocabulary is the single source of the names a template can use: the bundled template
uses only its names, every name is described, and summary, merge and render make exactly its names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import get_args

import docx
import jinja2
import pytest
from conftest import ROOT
from jinja2 import meta
from years import act, app, case, check, department, rows, steps, template_with

from report_builder import pipeline, vocabulary
from report_builder.report.render import parse_template, report_context, template_lists
from report_builder.report.summary import summarize_department
from report_builder.report.template_words import ALIASES
from report_builder.schema import (
    CHANNELS,
    NEEDS_REASON,
    ActivityKind,
    ApplicantType,
    CaseKind,
    CaseResult,
    Outcome,
    RefusalReason,
)
from report_builder.vocabulary import ACTIVITIES, CHECKLIST, LISTS, NARRATIVES

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
FIELDS = {term.name: {f.name for f in term.fields} for term in LISTS}


def used_names(tree: jinja2.nodes.Template) -> set[str]:
    """Every name a template uses: top-level names, `文字.key`, `工作记录.kind`, and `list.field` as
    "list.field" for the variable of a loop over a list."""
    names = set(meta.find_undeclared_variables(tree))
    for node in tree.find_all(jinja2.nodes.Getattr):
        if isinstance(node.node, jinja2.nodes.Name) and node.node.name in (NARRATIVES, ACTIVITIES):
            names.add(f"{node.node.name}.{node.attr}")
    for loop in tree.find_all(jinja2.nodes.For):
        listed = loop.iter
        name = (listed.name if isinstance(listed, jinja2.nodes.Name) else
                f"{listed.node.name}.{listed.attr}" if isinstance(listed, jinja2.nodes.Getattr)
                and isinstance(listed.node, jinja2.nodes.Name) else None)
        if name is None or name.startswith(f"{NARRATIVES}.") or not isinstance(loop.target, jinja2.nodes.Name):
            continue
        variable = loop.target.name
        for body in loop.body:
            names |= {f"{name}.{n.attr}" for n in body.find_all(jinja2.nodes.Getattr)
                      if isinstance(n.node, jinja2.nodes.Name) and n.node.name == variable}
    return names


def vocabulary_names() -> set[str]:
    return (set(vocabulary.context_names()) | {t.name for t in vocabulary.NARRATIVE_TERMS}
            | {t.name for t in LISTS} | {f"{t.name}.{f.name}" for t in LISTS for f in t.fields})


def test_the_bundled_template_uses_only_vocabulary_names() -> None:
    used = used_names(parse_template(TEMPLATE))
    assert {"学校名称", "文字.编制依据", "工作记录.评议", "案件.事由", "申请结果.件数"} <= used  # the walk sees them
    assert used - vocabulary_names() == set()


def test_a_name_outside_the_vocabulary_is_seen(tmp_path: Path) -> None:
    text = "{% for c in 案件 %}{{ c.地点 }}{% endfor %}{{ 联络员总人数 }}{{ 文字.结语 | join('') }}"
    used = used_names(parse_template(template_with(tmp_path, text)))
    assert used - vocabulary_names() == {"案件.地点", "联络员总人数", "文字.结语"}


def test_every_name_has_a_description_and_a_source() -> None:
    terms = [*vocabulary.TEXTS, *vocabulary.FIGURES, *LISTS, *(f for t in LISTS for f in t.fields),
             *vocabulary.NARRATIVE_TERMS]
    assert [t.name for t in terms if not t.description.strip() or not t.source.strip()] == []
    names = [t.name for t in [*vocabulary.TEXTS, *vocabulary.FIGURES, *LISTS, *vocabulary.NARRATIVE_TERMS]]
    assert len(names) == len(set(names))


def every_kind_of_row() -> dict[str, object]:
    """A department's sheets with a row of every outcome, reason, case kind and activity kind."""
    apps = []
    for a in get_args(ApplicantType):  # every cell of 表三: each outcome and reason, carried in and out
        apps += [app(applicant=a, outcome=o, reason="国家秘密" if o in NEEDS_REASON else None)
                 for o in get_args(Outcome)]
        apps += [app(applicant=a, outcome=o, reason=r, fee=3) for r in get_args(RefusalReason) for o in NEEDS_REASON]
        apps += [app(applicant=a, received=dt.date(2017, 8, 20), answered=dt.date(2017, 9, 10)),
                 app(applicant=a, answered=None, outcome=None, on_time=None)]
    return {"教务处.xlsx": steps(
        rows("主动公开", *[{"count": 2}] * len(CHANNELS)),
        rows("依申请公开", *apps),
        rows("举报复议诉讼", *[case(kind=k, result=r) for k in get_args(CaseKind) for r in get_args(CaseResult)]),
        rows("工作记录", *[act(kind=k, date=dt.date(2018, 5, 1)) for k in get_args(ActivityKind)]))}


@pytest.fixture(scope="module")
def full_year(tmp_path_factory: pytest.TempPathFactory) -> pipeline.CheckReport:
    plain = check(tmp_path_factory.mktemp("year"), every_kind_of_row())  # type: ignore[arg-type]
    assert plain.ok, [str(f) for f in plain.findings]
    return pipeline.check_submissions(plain.year_dir, lists=vocabulary.COLLECTED_LISTS)


def test_summary_and_merge_make_exactly_the_vocabulary_names(full_year: pipeline.CheckReport) -> None:
    summary = summarize_department(department(full_year, "教务处.xlsx"))
    assert set(summary.shares) == set(vocabulary.DEPARTMENT_FIGURES)
    data = full_year.data
    assert data is not None
    assert list(data.figures) == [t.name for t in vocabulary.FIGURES]
    assert list(data.texts) == [t.name for t in vocabulary.TEXTS]
    assert [f"{NARRATIVES}.{key}" for key in data.narratives] == [t.name for t in vocabulary.NARRATIVE_TERMS]
    assert set(data.lists) == set(vocabulary.COLLECTED_LISTS)
    for name, listed in data.lists.items():
        assert listed and all(set(row) == FIELDS[name] for row in listed), name


def test_render_gives_the_template_exactly_the_vocabulary_names(full_year: pipeline.CheckReport) -> None:
    assert full_year.data is not None
    context = report_context(full_year.data)
    assert set(context) == vocabulary.context_names() | set(ALIASES)  # 危及三安全一稳定理由件数: typable
    assert set(context[NARRATIVES]) == set(vocabulary.NARRATIVE_KEYS)
    for term in LISTS:
        group, _, kind = term.name.partition(".")
        listed = context[group][kind] if kind else context[group]
        assert listed and all(set(row) == FIELDS[term.name] for row in listed), term.name


def test_the_checklist_list_carries_status_link_and_responsible_department(tmp_path: Path) -> None:
    link = "https://xxgk.example.edu.cn/zsjh"
    answers = rows("清单事项", {"status": "暂未开展", "link": link})
    year = check(tmp_path, {"教务处.xlsx": answers}).year_dir
    assert template_lists(template_with(tmp_path, "{% for i in 清单 %}{{ i.公开状态 }}{% endfor %}")) >= {CHECKLIST}
    data = pipeline.check_submissions(year, lists={CHECKLIST}).data
    assert data is not None
    [item] = [row for row in data.lists[CHECKLIST] if row["公开栏目链接"]]
    assert (item["牵头落实单位"], item["公开状态"], item["公开栏目链接"]) == ("教务处", "暂未开展", link)
    assert [row["序号"] for row in data.lists[CHECKLIST]] == [str(n) for n in range(1, 6)]  # the office's order

    template = template_with(tmp_path, "{%p for i in 清单 %}")
    document = docx.Document(str(template))
    document.add_paragraph("{{ i.序号 }} {{ i.公开事项 }}：{{ i.牵头落实单位 }}，{{ i.公开状态 }} {{ i.公开栏目链接 }}")
    document.add_paragraph("{%p endfor %}")
    document.save(str(template))
    result = pipeline.build_report(year, tmp_path / "out", template=template)
    assert result.report is not None, [str(f) for f in result.check.findings + result.render_findings]
    texts = [p.text for p in docx.Document(str(result.report)).paragraphs]
    assert any(t.endswith(f"：教务处，暂未开展 {link}") for t in texts[-5:]), texts[-5:]
