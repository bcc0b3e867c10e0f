"""Check a Word report template without running it: each problem in Chinese, at its paragraph.

What is checked, in every part (body, headers, footers), paragraph by paragraph:
- full-width braces (`｛｛ 年度 ｝｝`) and near-tags (`{ 年度 }`, `{{ 年度 }`, `{%if` never closed);
- Jinja syntax (said in Chinese, at the paragraph of the failing tag, or of the block left open);
- every name against the vocabulary, not the data: `{{ 主动公开条目 }}`, `文字.<段落>`, `工作记录.<类型>`
  and the fields of a loop's items (`{{ c.事由 }}` in `{% for c in 案件 %}`), so a misspelt field is
  found even in a year whose list is empty. The valid names are an argument (`TemplateNames`), so
  names declared by the office can be added to the vocabulary's.
- what reaches outside the template (report.template_reach) and what the sandbox would refuse
  (report.template_unsafe), so that `check-template` without a year says what `build` would.
Call it only on a pre-checked file (intake.document_safety), in a capped worker (report.template_reading);
it parses, never renders, and is linear in the template's size (a 120,000-paragraph file is read in seconds).
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
from jinja2 import nodes
from jinja2.filters import FILTERS as JINJA_FILTERS

from report_builder.findings import Finding
from report_builder.naming import close_name
from report_builder.report.render import constant_key, template_parts
from report_builder.report.render_errors import list_printed
from report_builder.report.sandbox import ALLOWED_FILTERS, FORBIDDEN_GLOBALS, TemplateEnvironment
from report_builder.report.template_reach import reach_findings
from report_builder.report.template_typing import Paragraph as _Paragraph
from report_builder.report.template_typing import first_words as _first_words
from report_builder.report.template_typing import left_open as _left_open
from report_builder.report.template_typing import problem as _problem
from report_builder.report.template_typing import typing_problems as _typing_problems
from report_builder.report.template_unsafe import TOO_DEEP, deepest_line, unsafe_uses
from report_builder.report.template_words import ALIASES, failing_tag, removed_tags, syntax_message
from report_builder.schema import CHANNELS, OfficeWorkbook
from report_builder.vocabulary import (
    ACTIVITIES,
    LAST_YEAR,
    LISTS,
    NARRATIVE_KEYS,
    NARRATIVES,
    YEAR_CHANGE,
    context_names,
    declared_asked,
    declared_categories,
    declared_channels,
    declared_narratives,
    figure_terms,
)

__all__ = ["Inspection", "TemplateNames", "check_template", "inspect_template", "office_names", "vocabulary_names"]

_SAFE_KEYS = frozenset({"items", "keys", "values", "get"})
# `range`, a loop's `loop`, and the globals the sandbox refuses by name (it says so as template-unsafe)
_BUILTINS = frozenset({"range", "loop", "self", "caller", "varargs", "kwargs", *FORBIDDEN_GLOBALS})


@dataclass(frozen=True)
class TemplateNames:
    """The names a template may use: top-level names, `文字.<名称>` keys, and each list's item fields."""

    top: frozenset[str]
    narratives: frozenset[str]
    fields: Mapping[str, frozenset[str]] = field(default_factory=dict)  # "案件", "工作记录.评议" → fields
    figures: frozenset[str] = frozenset()  # what `上年.<名称>` and `增减.<名称>` may name (unchecked when empty)


def vocabulary_names(narratives: Iterable[str] = (), channels: Iterable[str] = CHANNELS,
                     categories: Iterable[str] = (), asked: Iterable[str] = ()) -> TemplateNames:
    """The vocabulary's names, plus narrative names declared elsewhere (e.g. by the office workbook);
    one `<渠道>条数` figure per channel and category the office lists (vocabulary.declared_channels…)."""
    channels, categories, asked = tuple(channels), tuple(categories), tuple(asked)
    figures = frozenset(t.name for t in figure_terms(channels, categories, asked))
    return TemplateNames(
        top=frozenset(context_names(channels, categories, asked)) | frozenset(ALIASES),
        narratives=frozenset(NARRATIVE_KEYS) | frozenset(narratives),
        fields={t.name: frozenset(f.name for f in t.fields) for t in LISTS},
        figures=figures | frozenset(ALIASES))


def office_names(office: OfficeWorkbook | None) -> TemplateNames:
    """The names a template may use: the vocabulary's, and the office's paragraphs, channels, categories."""
    if office is None:
        return vocabulary_names()
    return vocabulary_names(declared_narratives(office.narratives), declared_channels(office.channels),
                            declared_categories(office.categories), declared_asked(office.asked))


@dataclass(frozen=True)
class Inspection:
    """A template read once: its problems, and the parsed Jinja of each part that parses (what it prints)."""

    findings: list[Finding]
    trees: list[nodes.Template]


def check_template(template: Path | bytes, names: TemplateNames | None = None, *,
                   file: str = "") -> list[Finding]:
    """Every problem of the template (findings named after `file`); an empty list when there is none."""
    return inspect_template(template, names, file=file).findings


def inspect_template(template: Path | bytes, names: TemplateNames | None = None, *, file: str = "") -> Inspection:
    """The template's problems and its parsed parts, each part read and parsed once."""
    names = names or vocabulary_names()
    data = template if isinstance(template, bytes) else Path(template).read_bytes()
    found = reach_findings(data, file)
    trees: list[nodes.Template] = []
    left_open = _left_open(data, file)
    if left_open:  # docxtpl takes the paragraphs after it into the tag: nothing else can be read right
        return Inspection([*found, *left_open], trees)
    try:
        parts = template_parts(data)
    except Exception as error:  # noqa: BLE001 - python-docx on a damaged package: many kinds of errors
        unreadable = Finding("document-corrupt", file, detail=f"Word 文档的内容无法解析（{type(error).__name__}）")
        return Inspection([*found, unreadable], trees)
    for label, source in parts:
        paragraphs = list(_paragraphs(label, source))
        typed = [f for p in paragraphs for f in _typing_problems(p, file)]
        found += typed + _link_problems(source, paragraphs, file)
        try:
            tree = TemplateEnvironment().parse(source)
            found += _NameCheck(names, paragraphs, file).run(tree)
            found += [_unsafe(paragraphs, line, what, file) for line, what in unsafe_uses(tree)]
        except jinja2.TemplateSyntaxError as error:
            if not typed:  # a near-tag explains the syntax error better than Jinja does
                found.append(_syntax_problem(error, source, paragraphs, file))
            continue
        except RecursionError:  # 5,000 parentheses, 3,000 nested {% if %}: deeper than Python reads
            found.append(_problem(_at(paragraphs, deepest_line(source)), file, "", TOO_DEEP, "template-too-costly"))
            continue
        trees.append(tree)
    return Inspection(list(dict.fromkeys(found)), trees)


def _at(paragraphs: list[_Paragraph], line: int) -> _Paragraph:
    return paragraphs[line - 1] if 0 < line <= len(paragraphs) else _Paragraph("", "")


def _unsafe(paragraphs: list[_Paragraph], line: int, what: str, file: str) -> Finding:
    """What the sandbox would refuse, said as the build says it (report.render.template_problem)."""
    paragraph = _at(paragraphs, line)
    tag = next(iter(re.findall(r"{{.*?}}|{%.*?%}", paragraph.text)), "")
    return Finding("template-unsafe", file, sheet=paragraph.place, value=tag.strip(),
                   detail=f"模板试图{what}，出于安全原因不允许")


# ---- paragraphs and places ---------------------------------------------------------------------

_STRUCTURE = re.compile(r"<w:tbl[ >]|</w:tbl>|<w:tr[ >]|<w:tc[ >]|\n<w:p[ >]")
_XML_TAG = re.compile(r"<[^>]*>")
_JINJA = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)


def _paragraphs(label: str, source: str) -> Iterator[_Paragraph]:
    """One entry per source line (docxtpl puts each paragraph on a line): its place and text."""
    lines = source.split("\n")
    yield _Paragraph(label, _text(lines[0]), dict(removed_tags(lines[0])))  # what precedes the first paragraph
    tables, depth, row, cell = 0, 0, 0, 0
    newlines, counted = 0, 0  # "\n" before `counted`: counted as we go (from 0 each time was quadratic)
    for match in _STRUCTURE.finditer(source):
        token = match.group(0)
        if token.startswith("<w:tbl"):
            depth += 1
            tables += depth == 1
            row = 0
        elif token == "</w:tbl>":
            depth -= 1
        elif token.startswith("<w:tr"):
            row, cell = row + 1, 0
        elif token.startswith("<w:tc"):
            cell += 1
        else:
            newlines, counted = newlines + source.count("\n", counted, match.start()), match.start()
            line = lines[newlines + 1]
            text, own = _text(line), _text(line.rpartition("</w:p>")[0]) if "</w:p>" in line else ""
            where = f"表格 {tables} 第 {row} 行第 {cell} 格" if depth else ("段落" if label == "正文" else label)
            yield _Paragraph(f"{where}“{_first_words(own)}”" if own else f"{where}（空段落）", text,
                             dict(removed_tags(line)))  # named by its own text, not the `{%p %}` tags after it


def _text(xml: str) -> str:
    """The text of a paragraph's XML; Jinja tags kept whole (`{% if a < 0 %}` holds a raw "<")."""
    if "{" not in xml:
        return html.unescape(_XML_TAG.sub("", xml))
    tags = _JINJA.findall(xml)
    parts = [html.unescape(_XML_TAG.sub("", piece)) for piece in _JINJA.split(xml)]
    return "".join(part + (tags[i] if i < len(tags) else "") for i, part in enumerate(parts))


# ---- 栏目链接 prints Word runs: `{{r c.栏目链接 }}` (report.links) --------------------------------------

_LINK_TAG = re.compile(r"{{(?:(?!}}).)*?(?<!公开)栏目链接(?:(?!}}).)*?}}")
_TEXT_OPEN = re.compile(r"<w:t[ >]")


def _link_problems(source: str, paragraphs: list[_Paragraph], file: str) -> list[Finding]:
    """A `{{ c.栏目链接 }}` written inside a run's text (without docxtpl's `r`): it would break the XML."""
    found = []
    for line, paragraph in zip(source.split("\n"), paragraphs, strict=False):
        if "栏目链接" not in line:
            continue
        opened = [m.start() for m in _TEXT_OPEN.finditer(line)]
        closed = [m.start() for m in re.finditer("</w:t>", line)]
        for match in _LINK_TAG.finditer(line):
            in_text = _last_before(opened, match.start()) > _last_before(closed, match.start())
            if in_text and "string" not in match.group(0):
                found.append(_problem(paragraph, file, html.unescape(match.group(0)),
                                      "栏目链接是超链接，须写成 {{r c.栏目链接 }}（r 与其后的空格不可少）；"
                                      "只要网址文字时写 {{ c.公开栏目链接 }}", "template-syntax"))
    return found


def _last_before(positions: list[int], at: int) -> int:
    """The last of the sorted `positions` before `at`, -1 when there is none."""
    index = bisect.bisect_left(positions, at)
    return positions[index - 1] if index else -1


# ---- Jinja syntax -------------------------------------------------------------------------------

_BLOCK = re.compile(r"{%-?\s*(?:[ptr]\s+)?(if|for|endif|endfor)\b")


def _syntax_problem(error: jinja2.TemplateSyntaxError, source: str, paragraphs: list[_Paragraph],
                    file: str) -> Finding:
    line = error.lineno
    if (error.message or "").startswith("Unexpected end of template"):
        line = _unclosed_block_line(source) or line
    paragraph = paragraphs[line - 1] if 0 < line <= len(paragraphs) else _Paragraph("", "")
    tags = re.findall(r"{{.*?}}|{%.*?%}|{{.*|{%.*", paragraph.text)
    tag = failing_tag(tags, error) or " ".join(tags)[:60] or paragraph.text[:60]
    return _problem(paragraph, file, tag, syntax_message(error), "template-syntax")


def _unclosed_block_line(source: str) -> int:
    """The line of the innermost `{% if %}` / `{% for %}` left open (0 when none is)."""
    stack: list[int] = []
    newlines, counted = 0, 0
    for match in _BLOCK.finditer(source):
        newlines, counted = newlines + source.count("\n", counted, match.start()), match.start()
        if match.group(1) in ("if", "for"):
            stack.append(newlines + 1)
        elif stack:
            stack.pop()
    return stack[-1] if stack else 0


# ---- names --------------------------------------------------------------------------------------


MAX_UNKNOWN_NAMES = 200  # findings of unknown names per part (each costs a look for a near name)


class _NameCheck:
    """Walks the parsed template with the loop and `set` variables in scope; every unknown name is a finding."""

    def __init__(self, names: TemplateNames, paragraphs: list[_Paragraph], file: str) -> None:
        self.names, self.paragraphs, self.file = names, paragraphs, file
        self.found: list[Finding] = []

    def run(self, tree: nodes.Template) -> list[Finding]:
        self._visit(tree, {})
        return self.found

    def _visit(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.For):
            self._visit(node.iter, scope)
            inner: dict[str, str | None] = {**scope, "loop": None}
            if isinstance(node.target, nodes.Name):
                inner[node.target.name] = self._list_of(node.iter)
            else:  # `for a, b in …`
                inner.update({target.name: None for target in node.target.find_all(nodes.Name)})
            for child in [*(node.test and [node.test] or []), *node.body]:
                self._visit(child, inner)
            for child in node.else_:
                self._visit(child, scope)
        elif isinstance(node, nodes.Assign):
            self._visit(node.node, scope)
            scope.update({n.name: None for n in node.target.find_all(nodes.Name)} if not isinstance(
                node.target, nodes.Name) else {node.target.name: None})
        elif isinstance(node, (nodes.Getattr, nodes.Getitem)) and isinstance(node.node, nodes.Name):
            self._attribute(node, node.node, scope)
        elif isinstance(node, nodes.Output):
            for child in node.nodes:
                self._printed(child, scope)
                self._visit(child, scope)
        elif isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS and node.name not in JINJA_FILTERS:
            self._unknown(node, node.name, sorted(ALLOWED_FILTERS), "过滤器（写在“|”之后）", f"| {node.name}")
            for child in node.iter_child_nodes():
                self._visit(child, scope)
        elif isinstance(node, nodes.Name) and node.ctx == "load":
            if node.name not in scope and node.name not in self.names.top and node.name not in _BUILTINS:
                self._unknown(node, node.name, sorted(self.names.top), "数据名称")
        else:
            for child in node.iter_child_nodes():
                self._visit(child, scope)

    def _attribute(self, node: nodes.Getattr | nodes.Getitem, owner: nodes.Name, scope: dict[str, str | None]) -> None:
        if isinstance(node, nodes.Getitem):
            self._visit(node.arg, scope)
        self._visit(owner, scope)
        key = constant_key(node)
        if not isinstance(key, str):
            return
        allowed: Iterable[str] | None = None
        if owner.name in scope:
            listed = scope[owner.name]
            allowed = self.names.fields.get(listed) if listed else None
            what = f"“{listed}”每一项的字段"
        elif owner.name == NARRATIVES:
            allowed, what = self.names.narratives, f"段落名称（写在“{NARRATIVES}.”之后）"
        elif owner.name == ACTIVITIES:
            allowed = [n.split(".", 1)[1] for n in self.names.fields if n.startswith(f"{ACTIVITIES}.")]
            what = f"工作记录类型（写在“{ACTIVITIES}.”之后）"
        elif owner.name in (LAST_YEAR, YEAR_CHANGE) and self.names.figures:
            allowed, what = self.names.figures, f"数字名称（写在“{owner.name}.”之后）"
        if allowed is not None and key not in allowed and key not in _SAFE_KEYS and not key.startswith("_"):
            self._unknown(node, key, sorted(allowed), what, f"{owner.name}.{key}")

    def _printed(self, node: nodes.Node, scope: dict[str, str | None]) -> None:
        """`{{ 文字.编制依据 }}`, `{{ 清单 }}`, `{{ c }}` (an item of 清单): a list or mapping printed whole."""
        written = _written(node)
        if not written:
            return
        head, _, key = written.partition(".")
        whole = (head in self.names.fields or head in (NARRATIVES, ACTIVITIES, LAST_YEAR, YEAR_CHANGE)
                 and not key) and head not in scope
        known = self.names.narratives if head == NARRATIVES else {n.split(".", 1)[1] for n in self.names.fields
                                                                   if n.startswith(f"{ACTIVITIES}.")}
        part = head in (NARRATIVES, ACTIVITIES) and key in known and head not in scope  # an unknown key: said
        item = head in scope and scope[head] is not None and not key
        if whole or part or item:
            line = node.lineno
            paragraph = self.paragraphs[line - 1] if 0 < line <= len(self.paragraphs) else _Paragraph("", "")
            tag = next((t for t in re.findall(r"{{.*?}}", paragraph.text) if written in t), "{{ " + written + " }}")
            listed = scope.get(head) if item else None
            example = sorted(self.names.fields.get(listed or "", ()) or ["字段"])[0]
            self.found.append(_problem(paragraph, self.file, tag, list_printed(written, listed or "", example),
                                       "template-list-printed"))

    def _list_of(self, iterable: nodes.Node) -> str | None:
        """The list (a key of TemplateNames.fields) a loop goes over, when it is one."""
        if isinstance(iterable, nodes.Name):
            return iterable.name if iterable.name in self.names.fields else None
        if isinstance(iterable, (nodes.Getattr, nodes.Getitem)) and isinstance(iterable.node, nodes.Name):
            name = f"{iterable.node.name}.{constant_key(iterable)}"
            return name if name in self.names.fields else None
        return None

    def _unknown(self, node: nodes.Node, name: str, allowed: list[str], what: str, written: str = "") -> None:
        if len(self.found) >= MAX_UNKNOWN_NAMES:  # a template of 100,000 wrong names: the first ones say it
            return
        paragraph = _at(self.paragraphs, node.lineno)
        tag = next((t for t in re.findall(r"{{.*?}}|{%.*?%}", paragraph.text) if name in t), written or name)
        near = close_name(name, allowed)
        listed = "、".join(allowed) if len(allowed) <= 15 or what.startswith("过滤器") else \
            "运行 report-builder fields 可列出全部名称"
        guess = f"是不是要写：{near}？" if near else ""
        if what.startswith("段落名称"):
            guess += "新的段落请先在年度总表的“文字材料”中设立。"
        detail = f"“{written or name}”不是可用的{what}（可用：{listed}）。{guess}"
        self.found.append(_problem(paragraph, self.file, tag, detail, "template-unknown-name"))


def _written(node: nodes.Node) -> str:
    """`文字.编制依据` for the node of `文字.编制依据` or `文字["编制依据"]`, `清单` for a name; "" otherwise."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        base, key = _written(node.node), constant_key(node)
        return f"{base}.{key}" if base and isinstance(key, str) else ""
    return ""
