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

from report_builder.merge import ReportData, fill_named
from report_builder.ooxml import normalize_zip
from report_builder.schema import ActivityKind, Outcome, RefusalReason
from report_builder.summary import ACTIVITY_LISTS, LIST_NAMES


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
    return {
        **data.texts,
        **figures,
        "文字": {key: list(paragraphs) for key, paragraphs in narratives.items()},
        "申请": list(data.lists.get("申请", ())),
        "申请结果": [{"结果": o, "件数": figures[f"{o}件数"]} for o in get_args(Outcome) if figures[f"{o}件数"]],
        "不予公开理由": [{"理由": r, "件数": figures[f"{r}理由件数"]}
                         for r in get_args(RefusalReason) if figures[f"{r}理由件数"]],
        "案件": list(data.lists.get("案件", ())),
        "工作记录": {kind: list(data.lists.get(f"工作记录.{kind}", ())) for kind in get_args(ActivityKind)},
    }


def template_lists(template: Path) -> frozenset[str]:
    """The lists (summary.LIST_NAMES) a template prints, so that only those are collected.

    `工作记录.评议` asks for that kind only; any other use of `工作记录` (a loop over all
    kinds, a computed key) asks for every kind. A template that cannot be read asks for
    every list: rendering will then say what is wrong with it.
    """
    try:
        document = DocxTemplate(str(template))
        document.init_docx()
        parts = [document.get_xml()]
        parts += [document.get_part_xml(part) for uri in (document.HEADER_URI, document.FOOTER_URI)
                  for _, part in document.get_headers_footers(uri)]
        tree = jinja2.Environment().parse("".join(document.patch_xml(x) for x in parts))
    except Exception:  # noqa: BLE001 - whatever is wrong, render_report reports it
        return frozenset(LIST_NAMES)
    names = [n.name for n in tree.find_all(jinja2.nodes.Name)]
    kinds = [_key(node) for node in tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem))
             if isinstance(node.node, jinja2.nodes.Name) and node.node.name == "工作记录"]  # type: ignore[attr-defined]
    activities = {f"工作记录.{kind}" for kind in kinds if isinstance(kind, str)}
    if names.count("工作记录") > len(kinds) or not activities <= set(ACTIVITY_LISTS):
        activities = set(ACTIVITY_LISTS)  # used in some other way than 工作记录.<a kind>
    return frozenset({name for name in ("申请", "案件") if name in names} | activities)


def _key(node: jinja2.nodes.Node) -> object:
    """The constant key of `x.key` or `x["key"]` (None when it is computed)."""
    if isinstance(node, jinja2.nodes.Getattr):
        return node.attr
    if isinstance(node, jinja2.nodes.Getitem) and isinstance(node.arg, jinja2.nodes.Const):
        return node.arg.value
    return None


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
