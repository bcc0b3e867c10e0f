"""What a template author typed, made usable, and what Jinja says about it, said in Chinese.

Shared by render (which runs templates) and template_check (which reads them without running):
- names that Jinja cannot read as written (`危及“三安全一稳定”理由件数`: Word's curly quotes) get a
  typable alias; `typable_tags` rewrites such a name inside `{{ }}` and `{% %}` to its alias;
- `syntax_message` turns Jinja's English syntax errors into Chinese for office staff.
"""

from __future__ import annotations

import re

import jinja2

from report_builder.report.sandbox import ALLOWED_FILTERS, TemplateEnvironment
from report_builder.vocabulary import FIGURES, TEXTS

__all__ = ["ALIASES", "TAG", "failing_tag", "removed_tags", "syntax_message", "typable_tags"]

_QUOTES = "“”\"‘’'「」『』"


def _alias(name: str) -> str:
    return "".join(ch for ch in name if ch not in _QUOTES)


# alias (what Jinja reads) → the documented name, for every documented name with quotes in it
ALIASES: dict[str, str] = {_alias(name): name for name in (*(t.name for t in TEXTS), *(t.name for t in FIGURES))
                           if not name.isidentifier()}
_WRITTEN = re.compile("|".join(
    "".join(f"[{re.escape(_QUOTES)}]" if ch in _QUOTES else re.escape(ch) for ch in name)
    for name in sorted(ALIASES.values(), key=len, reverse=True)) or r"(?!)")
_TAG = TAG = re.compile(r"{{.*?}}|{%.*?%}", re.DOTALL)


def typable_tags(source: str) -> str:
    """`source` (a template's XML) with every quoted name inside a tag written as its alias."""
    if not ALIASES:
        return source
    return _TAG.sub(lambda tag: _WRITTEN.sub(lambda m: _alias(m.group(0)), tag.group(0)), source)


def removed_tags(line: str) -> list[tuple[str, str]]:
    """The tags standing after the paragraph of a source line (one paragraph of the part, as docxtpl numbers
    them): each is the whole of a `{%p …%}` paragraph or `{%tr …%}` row of the Word document that docxtpl
    replaced by its tag, with that paragraph's place: ("{% if x %}", "段落“{%p if x %}”"), ("{% for c in 清单 %}",
    "表格行“{%tr for c in 清单 %}”"). The part's first line (before any paragraph) is all such tags."""
    head, end, tail = line.rpartition("</w:p>")
    if not end:
        if line.lstrip().startswith("<w:p"):
            return []
        tail = line
    found = []
    for match in TAG.finditer(tail):
        before, after = tail[:match.start()].rstrip(), tail[match.end():].lstrip()
        row = after.startswith(("<w:tr>", "<w:tr ", "</w:tbl>")) or before.endswith(("</w:tr>", "</w:tblGrid>"))
        tag = match.group(0)
        typed = tag.replace("{%", "{%tr" if row else "{%p", 1) if tag.startswith("{%") else tag
        found.append((tag, f"{'表格行' if row else '段落'}“{typed}”"))
    return found


_BLOCK_TAG = re.compile(r"{%-?\s*(if|elif|for|set)\s(.*?)-?%}$", re.DOTALL)


def failing_tag(tags: list[str], error: jinja2.TemplateSyntaxError) -> str:
    """The one tag of a paragraph that Jinja cannot read on its own (a `{{ }}`, or the expression of an
    if/elif/for/set); for a stray `{% endif %}` and the like, the tag the error names. "" when none is found."""
    if (error.message or "").startswith("Unexpected end of template"):
        return next((t for t in reversed(tags) if re.match(r"{%-?\s*(if|for)\b", t)), "")
    environment = TemplateEnvironment()
    for tag in tags:
        block = _BLOCK_TAG.match(tag)
        expression = (block.group(2).split(" in ", 1)[-1] if block.group(1) == "for" else
                      block.group(2).split("=", 1)[-1] if block.group(1) == "set" else block.group(2)) if block else ""
        try:
            if tag.startswith("{{"):
                environment.parse(tag)
            elif expression:
                environment.parse("{{ " + expression + " }}")
        except jinja2.TemplateSyntaxError:
            return tag
    named = re.match(r"Encountered unknown tag '(\w+)'", error.message or "")
    return next((t for t in tags if named and re.match(r"{%-?\s*" + named.group(1) + r"\b", t)), "")


_TOKENS = {"end of print statement": "“}}”", "end of statement block": "“%}”", "string": "一段文字（引号）",
           "name": "一个名称", "integer": "一个数字", "end of template": "模板结尾"}
_BLOCK_ENDS = {"if": "{% endif %}", "for": "{% endfor %}"}


def _token(word: str) -> str:
    return _TOKENS.get(word, f"“{word}”")


def syntax_message(error: jinja2.TemplateSyntaxError) -> str:
    """Jinja's message for a syntax error, in Chinese; unknown messages keep their gist."""
    message = error.message or ""
    if m := re.match(r"expected token '([^']*)', got '([^']*)'", message):
        return (f"标记中在应出现{_token(m.group(1))}的地方出现了{_token(m.group(2))}："
                "一对 {{ }} 中只能写一个名称，名称中不能有空格或引号")
    if m := re.match(r"unexpected '(end of (?:print statement|statement block))'", message):
        return (f"标记在{_token(m.group(1))}之前缺少内容：比较或运算的符号（>、<、==、+、- 等）之后要写名称或数字，"
                "如 {% if 依申请公开件数 > 0 %}")
    if m := re.match(r"unexpected '([^']*)', expected '([^']*)'", message):
        return f"标记中缺少“{m.group(2)}”（在“{m.group(1)}”之前）：括号要成对"
    if m := re.match(r"unexpected '([}%])'", message):
        return f"多出一个“{m.group(1)}”：标记应写成成对的 {{{{ 名称 }}}} 或 {{% … %}}"
    if m := re.match(r"unexpected char '(.)'", message):
        return f"标记中有不能用的字符“{m.group(1)}”：名称中不能有引号、标点或空格（请用英文输入法输入标记符号）"
    if message.startswith("Unexpected end of template"):
        block = re.search(r"innermost block that needs to be closed is '(\w+)'", message)
        end = _BLOCK_ENDS.get(block.group(1), "结束标记") if block else "结束标记"
        return f"{{% {block.group(1) if block else ''} %}} 没有对应的 {end}"
    if m := re.match(r"Encountered unknown tag '(\w+)'", message):
        tag = m.group(1)
        if tag in ("endif", "endfor", "else", "elif"):
            return f"{{% {tag} %}} 前面缺少对应的开始标记（或开始、结束标记交错了）"
        return f"不认识的标记“{tag}”：{{% %}} 中只能写 if、elif、else、endif、for、endfor、set"
    if m := re.match(r"No filter named '([^']*)'", message):
        return f"不认识的过滤器“{m.group(1)}”（“|”之后的写法）：可用的有 {'、'.join(ALLOWED_FILTERS)}"
    if message.startswith("Expected an expression"):
        return "标记中缺少名称：{{ }} 或 {% %} 中是空的，或 if、for 之后没有写名称"
    return "标记的写法有误（请核对 {{ }} 与 {% %} 是否成对、名称是否写对）"
