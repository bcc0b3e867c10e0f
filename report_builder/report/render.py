"""Render the report data into the Word template (docxtpl), safely.

The template is the office's, or arrived in the year folder: untrusted code. It runs in
report_builder.report.sandbox's environment (autoescaping, StrictUndefined, only what templates
need), in a worker process with time and memory caps (`render_isolated`). Every text of
the data is cleaned of characters XML cannot hold and of bidi controls, and each rendered
XML part is checked well-formed with a strict parser before docxtpl's recovering parse
(which would silently drop text). The output is byte-reproducible.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path
from typing import Any

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE
from docxtpl import DocxTemplate
from lxml import etree

from report_builder.isolation import Crash, run_isolated
from report_builder.ooxml import normalize_zip
from report_builder.reach import strip_reach
from report_builder.report.links import Relate, as_paragraph, as_run, with_links
from report_builder.report.merge import ReportData, fill_named
from report_builder.report.render_errors import RenderError as RenderError  # re-exported: callers catch it here
from report_builder.report.render_errors import paragraph_label, template_problem
from report_builder.report.sandbox import TemplateEnvironment
from report_builder.report.template_words import ALIASES, typable_tags
from report_builder.report.year_on_year import last_year_context, last_year_values
from report_builder.tables import OUTCOME_GROUPS, REASONS, reason_figure
from report_builder.vocabulary import (
    ACTIVITIES,
    ACTIVITY_LISTS,
    CHANNEL_LIST,
    CHECKLIST,
    COLLECTED_LISTS,
    LISTS,
    NARRATIVES,
    channel_figure,
)

# Caps of the rendering worker. A 4,000-department year renders in about 6 s and 300 MB
# (benchmarks/README.md); the caps grow with the year so that it fits 5 times over, and stay
# small for a small year, so that a template looping for ever is stopped quickly.
RENDER_TIMEOUT_S, RENDER_TIMEOUT_PER_DEPARTMENT_S = 10.0, 0.01
RENDER_MEMORY_MB, RENDER_MEMORY_PER_DEPARTMENT_MB = 500, 0.4

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


# Characters that XML 1.0 cannot hold (docxtpl's recovering parse would drop text after them),
# bidi embedding/override/isolate controls (they would reverse our text around them), and
# the private-use characters we use as markers.
UNSAFE_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff"
                               "\u202a-\u202e\u2066-\u2069\ue000-\ue002]")


def clean_text(text: str) -> str:
    """`text` without the characters of UNSAFE_CHARACTERS."""
    return UNSAFE_CHARACTERS.sub("", text) if UNSAFE_CHARACTERS.search(text) else text


def _clean_row(row: dict[str, str]) -> dict[str, str]:
    if not any(isinstance(v, str) and UNSAFE_CHARACTERS.search(v) for v in row.values()):
        return row
    return {key: clean_text(v) if isinstance(v, str) else v for key, v in row.items()}


def report_context(data: ReportData, *, marked: bool = False, relate: Relate | None = None) -> dict[str, Any]:
    """Everything a template can use, under the names of report_builder.vocabulary (docs/template.md).

    Every text is cleaned (clean_text). With `marked`, figures render with markers around
    them (see report_builder.report.sources). `relate` gives a printed http(s) 栏目链接 its
    hyperlink relationship (report.links); without it links print as text.
    """
    figures: dict[str, int] = {name: (Marked(f.value, name) if marked else f.value) for name, f in data.figures.items()}
    plain = {name: f.value for name, f in data.figures.items()}
    texts = {name: clean_text(text) for name, text in data.texts.items()}
    narratives = {key: tuple(clean_text(p) for p in paragraphs) for key, paragraphs in data.narratives.items()}
    if marked:
        values = {**texts, **{name: str(v) for name, v in figures.items()}, **last_year_values(plain, data.last_year)}
        narratives = {key: tuple(p.strip() for text in sources
                                 for p in fill_named(clean_text(text), values).text.splitlines() if p.strip())
                      for key, sources in data.narrative_sources.items()}
    lists: dict[str, list[dict[str, Any]]] = {
        name: [_clean_row(row) for row in data.lists.get(name, ())] for name in COLLECTED_LISTS}
    lists[CHECKLIST] = with_links(lists[CHECKLIST], relate)
    lists[CHANNEL_LIST] = [{"渠道": c, "标识": clean_text(data.channel_identifiers.get(c, "")),
                            "条数": figures[channel_figure(c)]}
                           for c in data.channels if figures.get(channel_figure(c))]
    lists["申请结果"] = [{"结果": g, "件数": figures[f"{g}件数"]} for g in OUTCOME_GROUPS if figures[f"{g}件数"]]
    lists["不予公开理由"] = [{"理由": r, "件数": figures[reason_figure(r)]}
                             for r in REASONS if figures[reason_figure(r)]]
    context: dict[str, Any] = {**texts, **figures, **last_year_context(plain, data.last_year),
                               NARRATIVES: {key: list(paragraphs) for key, paragraphs in narratives.items()}}
    for term in LISTS:  # "工作记录.评议" is the 评议 entry of `工作记录`
        group, _, kind = term.name.partition(".")
        if kind:
            context.setdefault(group, {})[kind] = lists[term.name]
        else:
            context[term.name] = lists[term.name]
    context.update({alias: context[name] for alias, name in ALIASES.items() if name in context})
    return context


def template_lists(template: Path | bytes) -> frozenset[str]:
    """The lists (vocabulary.COLLECTED_LISTS) a template prints, so that only those are collected.

    `工作记录.评议` asks for that kind only; any other use of `工作记录` (a loop over all
    kinds, a computed key) asks for every kind. A template that cannot be read asks for
    every list: rendering will then say what is wrong with it. The template is parsed,
    never run: call it only on a pre-checked file (document_safety.precheck_document).
    """
    try:
        tree = parse_template(template)
    except Exception:  # noqa: BLE001 - whatever is wrong, render_report reports it
        return frozenset(COLLECTED_LISTS)
    return lists_of([tree])


def lists_of(trees: list[jinja2.nodes.Template]) -> frozenset[str]:
    """The lists that parsed templates (a template's parts) print: see `template_lists`."""
    names = [n.name for tree in trees for n in tree.find_all(jinja2.nodes.Name)]
    kinds = [constant_key(node) for tree in trees
             for node in tree.find_all((jinja2.nodes.Getattr, jinja2.nodes.Getitem))
             if isinstance(node.node, jinja2.nodes.Name) and node.node.name == ACTIVITIES]  # type: ignore[attr-defined]
    activities = {f"{ACTIVITIES}.{kind}" for kind in kinds if isinstance(kind, str)}
    if names.count(ACTIVITIES) > len(kinds) or not activities <= set(ACTIVITY_LISTS):
        activities = set(ACTIVITY_LISTS)  # used in some other way than 工作记录.<a kind>
    return frozenset({name for name in COLLECTED_LISTS if name in names} | activities)


def parse_template(template: Path | bytes) -> jinja2.nodes.Template:
    """The Jinja code of a template's body, headers and footers, parsed (never run). Raises on a bad file."""
    return TemplateEnvironment().parse("".join(xml for _, xml in template_parts(template)))


def template_parts(template: Path | bytes) -> list[tuple[str, str]]:
    """("正文" | "页眉" | "页脚", the part's Jinja source) as rendering sees it: one line per paragraph."""
    document = DocxTemplate(_source(_self_contained(template)))
    document.init_docx()
    parts = [("正文", document.get_xml())]
    parts += [(label, document.get_part_xml(part)) for label, uri in (("页眉", document.HEADER_URI),
                                                                       ("页脚", document.FOOTER_URI))
              for _, part in document.get_headers_footers(uri)]
    return [(label, _lines(typable_tags(document.patch_xml(xml)))) for label, xml in parts]


def _lines(xml: str) -> str:
    """One paragraph a line, as docxtpl numbers them (`re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)`, faster)."""
    return xml.replace("<w:p>", "\n<w:p>").replace("<w:p ", "\n<w:p ")


def constant_key(node: jinja2.nodes.Node) -> object:
    """The constant key of `x.key` or `x["key"]` (None when it is computed)."""
    if isinstance(node, jinja2.nodes.Getattr):
        return node.attr
    if isinstance(node, jinja2.nodes.Getitem) and isinstance(node.arg, jinja2.nodes.Const):
        return node.arg.value
    return None


def _self_contained(template: Path | bytes) -> bytes:
    """The template's bytes without anything that reaches outside it (report_builder.reach): the template
    check refuses what the office cannot do without, and says what was taken out."""
    data = template if isinstance(template, bytes) else Path(template).read_bytes()
    try:
        return strip_reach(data)
    except Exception:  # noqa: BLE001 - a package the reach reader cannot read: docxtpl says what is wrong
        return data


def _source(template: Path | bytes) -> str | io.BytesIO:
    return io.BytesIO(template) if isinstance(template, bytes) else str(template)


def render_report(data: ReportData, template: Path | bytes, *, marked: bool = False) -> bytes:
    """Fill `template` (a path, or the bytes of a .docx) with `data`, in this process and in the
    sandbox; returns the .docx bytes (same data, same bytes). Raises RenderError."""
    document = _CheckedTemplate(_source(_self_contained(template)))
    try:
        document.init_docx()
    except Exception as error:  # noqa: BLE001 - python-docx on a damaged package: many kinds of errors
        raise RenderError(f"无法打开模板（{type(error).__name__}）") from error
    context = report_context(data, marked=marked, relate=document.relate_link)
    environment = TemplateEnvironment()
    environment.filters.update({_RUN_FILTER: as_run, _PARAGRAPH_FILTER: as_paragraph})
    document.render(context, jinja_env=environment, autoescape=True)
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def render_isolated(data: ReportData, template: bytes, *, marked: bool = False) -> bytes:
    """`render_report` in a worker process under time and memory caps that grow with the year."""
    departments = len(data.departments)
    timeout_s = RENDER_TIMEOUT_S + RENDER_TIMEOUT_PER_DEPARTMENT_S * departments
    memory_mb = int(RENDER_MEMORY_MB + RENDER_MEMORY_PER_DEPARTMENT_MB * departments)
    work = functools.partial(_render_in_worker, data=data, marked=marked)
    [outcome] = run_isolated(work, [template], workers=1, memory_mb=memory_mb, timeout_s=timeout_s)
    if isinstance(outcome, RenderError):
        raise outcome
    if isinstance(outcome, Crash):
        raise RenderError(outcome.words("生成报告", memory_mb, round(timeout_s)), "template-too-costly")
    return outcome


def _render_in_worker(template: bytes, *, data: ReportData, marked: bool) -> bytes | RenderError:
    try:
        return render_report(data, template, marked=marked)
    except RenderError as error:
        return error


class _CheckedTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl, with template errors said in Chinese with their paragraph, names with quotes typable
    (template_words), and every rendered XML part checked well-formed before docxtpl's recovering parse."""

    def relate_link(self, url: str) -> str:
        """The id of `url`'s external hyperlink relationship in the part being rendered (body, header or
        footer: docxtpl's current_rendering_part), one per URL and part."""
        part = getattr(self, "current_rendering_part", None) or self.docx.part
        rid: str = part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
        return rid

    def patch_xml(self, src_xml: str) -> str:
        return typable_tags(super().patch_xml(_run_tags(src_xml)))

    def render_xml_part(self, src_xml: str, part: Any, context: dict[str, Any],
                        jinja_env: jinja2.Environment | None = None) -> str:
        try:
            xml: str = super().render_xml_part(src_xml, part, context, jinja_env)
        except Exception as error:  # noqa: BLE001 - anything the template's code raised
            raise template_problem(error, src_xml, context, jinja_env or TemplateEnvironment()) from error
        check_well_formed(xml)
        return xml

    def render_properties(self, context: dict[str, Any], jinja_env: jinja2.Environment | None = None) -> None:
        try:
            super().render_properties(context, jinja_env)
        except Exception as error:  # noqa: BLE001 - the document's title, author…: template code too
            raise template_problem(error, "") from error


# `{{r x }}` and `{{p x }}` print through links.as_run / as_paragraph, so that what they print is always a run
# or a paragraph (plain text there was text outside any run). The tags are first joined as docxtpl joins them
# (its first two steps: Word splits a tag across runs), so that a split tag is found too.
_RUN_FILTER, _PARAGRAPH_FILTER = "_as_run", "_as_paragraph"
_SPLIT_BRACES = re.compile(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", re.DOTALL)
_TAG_TEXT = re.compile(r"{%(?:(?!%}).)*|{#(?:(?!#}).)*|{{(?:(?!}}).)*", re.DOTALL)
_RUN_TAG = re.compile(r"{{([rp])\s+((?:(?!}}).)*?)\s*(-?)}}", re.DOTALL)


def _run_tags(src_xml: str) -> str:
    joined = _TAG_TEXT.sub(lambda m: re.sub("</w:t>.*?(<w:t>|<w:t [^>]*>)", "", m.group(0), flags=re.DOTALL),
                           _SPLIT_BRACES.sub("", src_xml))
    filters = {"r": _RUN_FILTER, "p": _PARAGRAPH_FILTER}
    return _RUN_TAG.sub(lambda m: f"{{{{{m.group(1)} ({m.group(2)})|{filters[m.group(1)]} {m.group(3)}}}}}", joined)


_STRICT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
_TAGS = re.compile(r"<[^>]*>")


def check_well_formed(xml: str) -> None:
    """Raise RenderError naming the paragraph when `xml` is not well-formed XML."""
    try:
        etree.fromstring(xml.encode("utf-8"), _STRICT_PARSER)
    except etree.XMLSyntaxError as error:
        line, column = error.position  # libxml2 counts characters
        offset = sum(len(x) + 1 for x in xml.split("\n")[:line - 1]) + max(column - 1, 0)
        start = max(xml.rfind("<w:p ", 0, offset), xml.rfind("<w:p>", 0, offset), 0)
        end = xml.find("</w:p>", start)
        raise RenderError("模板生成的内容不是有效的 XML",
                          place=paragraph_label(xml[start:end if end > 0 else None])) from error


def strip_marks(marked_docx: bytes) -> bytes:
    """The report as `render_report(..., marked=False)` gives it, from a marked rendering."""
    def strip(name: str, content: bytes) -> bytes:
        if not name.endswith(".xml") or MARK_OPEN.encode() not in content:
            return content
        return MARK.sub(lambda m: m.group(2), content.decode("utf-8")).encode("utf-8")

    return normalize_zip(marked_docx, strip)
