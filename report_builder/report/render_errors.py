"""What went wrong while a report template ran, in Chinese: the paragraph, the tag and the values in it.

report.render calls `template_problem` with the error, the part's Jinja source (one line per paragraph, as
docxtpl numbers them) and the data the template ran with. The failing tag is found by evaluating each tag of
the paragraph on its own, in the same sandbox and with the same data; the names in it are shown with their
values (`增减.主动公开条数 = 未知`, `依申请公开件数 = 0`). A `{%p …%}` paragraph (or `{%tr …%}` row), which
docxtpl moves to the end of the paragraph before it, is named as its own paragraph
(template_words.removed_tags). `RenderError` carries the place and the tag to its finding.
"""

from __future__ import annotations

import html
import re
import types
from collections.abc import Iterator, Mapping
from typing import Any, Literal

import jinja2
from jinja2 import nodes

from report_builder.findings import Finding, ReportBuilderError
from report_builder.report.sandbox import Forbidden, ListPrinted
from report_builder.report.template_words import TAG, removed_tags, syntax_message
from report_builder.vocabulary import UNKNOWN

__all__ = ["Problem", "RenderError", "list_printed", "paragraph_label", "template_problem"]

Problem = Literal["template-error", "template-list-printed", "template-unsafe", "template-too-costly"]
SHOWN = 20  # characters of a text value shown
_XML_TAG = re.compile(r"<[^>]*>")


class RenderError(ReportBuilderError):
    """The template could not be rendered: `message` is Chinese, for the office; `code` a finding code;
    `place` the paragraph ("段落“…”"), `tag` the tag that failed, when known."""

    def __init__(self, message: str, code: Problem = "template-error", place: str = "", tag: str = "") -> None:
        super().__init__(message, code)
        self.code: Problem = code
        self.place, self.tag = place, tag

    def __reduce__(self) -> tuple[Any, ...]:  # crosses the worker's process boundary whole
        return (RenderError, (self.message, self.code, self.place, self.tag))

    def as_finding(self, file: str = "") -> Finding:
        return Finding(self.code, file, sheet=self.place, value=self.tag, detail=self.message)


def paragraph_label(xml: str, words: int = 30) -> str:
    """"段落“…”": the first characters of the paragraph whose XML is given ("" when it has no text)."""
    text = " ".join(html.unescape(_XML_TAG.sub("", xml)).split())
    return f"段落“{text[:words]}{'…' if len(text) > words else ''}”" if text else ""


def template_problem(error: Exception, src_xml: str, context: Mapping[str, Any] | None = None,
                     env: jinja2.Environment | None = None) -> RenderError:
    """What the template did wrong, in Chinese, at its paragraph and tag (the module docstring)."""
    if isinstance(error, RenderError):
        return error
    lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", src_xml).splitlines()  # as docxtpl numbers them
    line = _template_line(error)
    xml = lines[line - 1] if 0 < line <= len(lines) else ""
    tag, place = _culprit(error, xml, context, env) if context is not None and env is not None else ("", "")
    place = place or paragraph_label(xml.rpartition("</w:p>")[0] or xml)
    if isinstance(error, Forbidden):
        return RenderError(f"模板试图{error.what}，出于安全原因不允许", "template-unsafe", place, tag)
    if isinstance(error, jinja2.exceptions.SecurityError):
        return RenderError("模板使用了不允许的功能", "template-unsafe", place, tag)
    if isinstance(error, (MemoryError, RecursionError)):
        return RenderError("模板的计算量过大", "template-too-costly", place, tag)
    if isinstance(error, jinja2.TemplateSyntaxError):
        return RenderError(f"模板中的标记不完整或有误：{syntax_message(error)}", place=place, tag=tag)
    if isinstance(error, ValueError) and "XML compatible" in str(error):
        return RenderError("模板生成了 XML 不允许的字符", place=place, tag=tag)
    values = _values(tag, context) if tag and context is not None else []
    code: Problem = "template-list-printed" if isinstance(error, ListPrinted) else "template-error"
    return RenderError(_explain(error, tag, values), code, place, tag)


def _explain(error: Exception, tag: str, values: list[tuple[str, str]]) -> str:
    shown = "、".join(f"{name} = {value}" for name, value in values)
    unknown = next((name for name, value in values if value == UNKNOWN), "")
    if isinstance(error, ListPrinted):
        return list_printed(_expression(tag) or "这个值")
    if unknown and isinstance(error, TypeError):
        return (f"{unknown} = {UNKNOWN}（上年没有这个数字，或生成时未用 --from 指定上年报告、"
                f"年度总表“上年数字”中也没有填），“{UNKNOWN}”不能与数字比较、计算或取绝对值；"
                f"请先判断：{{% if {unknown} is number %}}…{{% else %}}…{{% endif %}}")
    if isinstance(error, ZeroDivisionError):
        return (f"除数为 0，无法计算（{shown or '本年度的数据'}）；"
                "请先判断除数不为 0：{% if 名称 != 0 %}…{% endif %}")
    if isinstance(error, jinja2.UndefinedError):
        return f"模板中使用了不存在的数据：{_undefined(error)}" + (f"（{shown}）" if shown else "")
    if isinstance(error, TypeError):
        return (f"这些值不能这样比较或计算（{shown or '文字不能与数字比较或相加'}）；"
                "文字与数字不能相加，数字要与数字比较")
    if isinstance(error, jinja2.TemplateError):
        return f"模板无法生成报告：{error}"
    return f"模板中的运算无法完成（{shown or type(error).__name__}）"


def list_printed(what: str, item_of: str = "", example: str = "字段") -> str:
    """The message for `{{ 文字.编制依据 }}` (or any list printed whole), with the two ways to write it;
    `item_of`: `what` is a loop's item of that list (`{{ c }}` in `{% for c in 案件 %}`), `example` one field."""
    if item_of:
        return (f"“{what}”是“{item_of}”的一项，含多个字段，直接写在 {{{{ }}}} 中会印出 {{…}}：请写出字段，"
                f"如 {{{{ {what}.{example} }}}}（字段见 report-builder fields）")
    if what.startswith("文字."):
        return (f"“{what}”是段落的列表，直接写在 {{{{ }}}} 中会印出 ['…']：请每段印成一个段落 "
                f"{{%p for 段 in {what} %}}{{{{ 段 }}}}{{%p endfor %}}，或连成一段 {{{{ {what} | join('') }}}}")
    return (f"“{what}”是列表，直接写在 {{{{ }}}} 中会印出 ['…'] 或 {{…}}：请逐项印出 "
            f"{{%p for c in {what} %}}{{{{ c.字段 }}}}{{%p endfor %}}（字段见 report-builder fields），"
            f"或印出项数 {{{{ {what} | length }}}}")


def _undefined(error: jinja2.UndefinedError) -> str:
    message = str(error.message or "")
    if m := re.search(r"(list|tuple) object has no element (-?\d+)", message):
        return f"列表中没有第 {int(m.group(2)) + 1} 项（[{m.group(2)}] 从 0 数起）"
    if m := re.search(r"(str) object has no element (-?\d+)", message):
        return f"文字没有第 {int(m.group(2)) + 1} 个字"
    if attribute := re.search(r"has no attribute '([^']*)'", message):  # 文字.<名称>, c.<字段>
        return f"没有“{attribute.group(1)}”"
    return f"“{message.split(chr(39))[1]}”" if message.count("'") >= 2 else message


# ---- the tag that failed ----------------------------------------------------------------------------

_EXPRESSION = re.compile(r"^{{-?(?:r\s)?(.*?)-?}}$|^{%-?\s*(?:if|elif)\s(.*?)-?%}$|^{%-?\s*for\s.+?\sin\s(.*?)-?%}$"
                         r"|^{%-?\s*set\s[^=]+=(.*?)-?%}$", re.DOTALL)


def _expression(tag: str) -> str:
    """The expression a tag evaluates (`{% if a > 0 %}` → `a > 0`); "" for `{% endif %}` and the like."""
    match = _EXPRESSION.match(re.sub(r"^{%(?:p|tr)\b", "{%", tag))
    return next((g for g in match.groups() if g), "").strip() if match else ""


def _tags(xml: str) -> Iterator[tuple[str, str, str]]:
    """(the tag as Jinja reads it, its expression or "", the place when it is a removed paragraph's)."""
    removed = dict(removed_tags(xml))
    head = xml.rpartition("</w:p>")[0] if "</w:p>" in xml else ""
    for match in TAG.finditer(html.unescape(_XML_TAG.sub("", head)) + " " + "".join(removed)):
        tag = match.group(0)
        yield tag, _expression(tag), removed.get(tag, "")


def _culprit(error: Exception, xml: str, context: Mapping[str, Any],
             env: jinja2.Environment) -> tuple[str, str]:
    """(the failing tag, its place when it is a removed paragraph's); ("", "") when none is found."""
    tags = list(_tags(xml))
    for tag, expression, place in tags:
        if not expression:
            continue
        try:
            value = env.compile_expression(expression, undefined_to_none=False)(**context)
        except Exception as again:  # noqa: BLE001 - the same mistake as the rendering's, on its own
            if type(again) is type(error) and not isinstance(error, ListPrinted):
                return _as_written(tag, place), place
            continue
        if isinstance(error, ListPrinted) and tag.startswith("{{") and isinstance(value, (list, tuple, dict)):
            return _as_written(tag, place), place
    only = [t for t in tags if t[1]]
    return (_as_written(only[0][0], only[0][2]), only[0][2]) if len(only) == 1 else ("", "")


def _as_written(tag: str, place: str) -> str:
    """A removed paragraph's tag as its author typed it (`{%p if … %}`); any other as it stands."""
    if place.startswith("表格行"):
        return tag.replace("{%", "{%tr", 1)
    return tag.replace("{%", "{%p", 1) if place else tag


def _values(tag: str, context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Each name the tag reads (`依申请公开件数`, `增减.主动公开条数`) with its value in the data."""
    try:
        tree = jinja2.Environment().parse("{{ " + _expression(tag) + " }}")
    except jinja2.TemplateSyntaxError:
        return []
    found: dict[str, str] = {}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        path = _path(node)
        if path and not any(other.startswith(".".join(path) + ".") for other in found):
            value = _lookup(context, path)
            if value is not _MISSING:
                found[".".join(path)] = _shown(value)
    return [(name, value) for name, value in found.items()
            if not any(other.startswith(name + ".") for other in found)]


_MISSING = object()


def _path(node: nodes.Node) -> list[str]:
    if isinstance(node, nodes.Name):
        return [node.name]
    if isinstance(node, nodes.Getattr):
        base = _path(node.node)
        return base + [node.attr] if base else []
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        base = _path(node.node)
        return base + [node.arg.value] if base else []
    return []


def _lookup(context: Mapping[str, Any], path: list[str]) -> object:
    value: object = context
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return _MISSING
        value = value[key]
    return value


def _shown(value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str, list, tuple, dict)):
        return type(value).__name__
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return value if value == UNKNOWN else f"“{value[:SHOWN]}{'…' if len(value) > SHOWN else ''}”"
    return f"{len(value)} 项的列表" if isinstance(value, (list, tuple)) else f"{len(value)} 项"


def _template_line(error: Exception) -> int:
    """The template line the error happened on (0 when unknown)."""
    if isinstance(error, jinja2.TemplateSyntaxError):
        return error.lineno
    line, tb = 0, error.__traceback__
    while isinstance(tb, types.TracebackType):
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
