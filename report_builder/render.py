"""Render the report data into the Word template (docxtpl).

The template is the office's: its text, its conditionals, its styles. Rendering uses
autoescaping (a department's `<` or `&` stays text) and StrictUndefined (a misspelt
field is an error, not an empty string). Data is passed as values, never compiled, so
text from departments can never become template code. The output is byte-reproducible.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, get_args

import jinja2
from docxtpl import DocxTemplate

from report_builder.cells import chinese_date
from report_builder.merge import ReportData, fill_named
from report_builder.ooxml import normalize_zip
from report_builder.schema import Activity, ActivityKind, Application, Case, Outcome, RefusalReason


class RenderError(Exception):
    """The template could not be rendered; `message` is Chinese, for the office."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Marked(int):
    """A figure that renders with a marker around it, to find the sentence it lands in."""

    label: str

    def __new__(cls, value: int, label: str) -> Marked:
        marked = super().__new__(cls, value)
        marked.label = label
        return marked

    def __html__(self) -> str:
        return f"{MARK_OPEN}{self.label}{MARK_SEP}{int(self)}{MARK_CLOSE}"

    __str__ = __html__


# Private-use characters: nobody types them, so a marker can only be ours.
MARK_OPEN, MARK_SEP, MARK_CLOSE = "\ue000", "\ue001", "\ue002"
MARK = re.compile(f"{MARK_OPEN}([^{MARK_SEP}]+){MARK_SEP}([^{MARK_CLOSE}]*){MARK_CLOSE}")


def report_context(data: ReportData, *, marked: bool = False) -> dict[str, Any]:
    """Everything a template can use, under the Chinese names documented in docs/template.md.

    With `marked`, figures render with markers around them (see report_builder.sources).
    """
    figures: dict[str, int] = {name: (Marked(f.value, name) if marked else f.value) for name, f in data.figures.items()}
    narratives = data.narratives
    if marked:
        values = {**data.values, **{name: str(v) for name, v in figures.items()}}
        narratives = {key: tuple(p.strip() for text in texts for p in fill_named(text, values)[0].splitlines()
                                 if p.strip())
                      for key, texts in data.narrative_sources.items()}
    apps = [e.record for e in data.applications if isinstance(e.record, Application)]
    cases = [(e.department, e.record) for e in data.cases if isinstance(e.record, Case)]
    activities = [(e.department, e.record) for e in data.activities if isinstance(e.record, Activity)]
    return {
        **data.texts,
        **figures,
        "文字": {key: list(paragraphs) for key, paragraphs in narratives.items()},
        "申请": [{"部门": e.department, "收到日期": chinese_date(a.received), "摘要": a.summary,
                  "答复日期": chinese_date(a.answered) if a.answered else "", "结果": a.outcome,
                  "理由": a.reason or "", "按期": a.on_time}
                 for e, a in zip(data.applications, apps, strict=True)],
        "申请结果": [{"结果": o, "件数": figures[f"{o}件数"]} for o in get_args(Outcome) if figures[f"{o}件数"]],
        "不予公开理由": [{"理由": r, "件数": figures[f"{r}理由件数"]}
                         for r in get_args(RefusalReason) if figures[f"{r}理由件数"]],
        "案件": [{"部门": d, "类型": c.kind, "日期": chinese_date(c.date), "事由": sentence(c.summary),
                  "结果": c.result} for d, c in cases],
        "工作记录": {kind: [{"部门": d, "日期": chinese_date(a.date), "内容": sentence(a.summary)}
                            for d, a in activities if a.kind == kind]
                     for kind in get_args(ActivityKind)},
    }


def sentence(text: str) -> str:
    """A department's short text as a sentence of the report: ends with 。 unless it has an end mark."""
    text = text.strip()
    return text if text.endswith(("。", "！", "？", "；", ".", "”")) else text + "。"


def render_report(data: ReportData, template: Path, *, marked: bool = False) -> bytes:
    """Fill `template` with `data`; returns the .docx bytes (same data, same bytes)."""
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        document = DocxTemplate(str(template))
        document.render(report_context(data, marked=marked), jinja_env=env, autoescape=True)
    except jinja2.UndefinedError as error:
        raise RenderError(f"模板中使用了不存在的数据名称（{_undefined_name(error)}）") from error
    except jinja2.TemplateSyntaxError as error:
        raise RenderError(f"模板中的标记不完整或有误：{error.message}") from error
    except jinja2.TemplateError as error:
        raise RenderError(f"模板无法生成报告：{error}") from error
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def strip_marks(marked_docx: bytes) -> bytes:
    """The report as `render_report(..., marked=False)` gives it, from a marked rendering."""
    def strip(name: str, content: bytes) -> bytes:
        if not name.endswith(".xml") or MARK_OPEN.encode() not in content:
            return content
        return MARK.sub(lambda m: m.group(2), content.decode("utf-8")).encode("utf-8")

    return normalize_zip(marked_docx, strip)


def _undefined_name(error: jinja2.UndefinedError) -> str:
    message = str(error.message or "")
    return message.split("'")[1] if message.count("'") >= 2 else message
