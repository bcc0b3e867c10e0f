"""What the sandbox would refuse at rendering, found by reading the template (`check-template` without a year).

The sandbox (report.sandbox) stops a template at the moment it tries something: a forbidden global
(`cycler`), an attribute starting with "_", a method of a data object, `{% include %}`, or a constant
computation beyond its bounds (`'x' * 300000000`, `range(10**8)`), a filter of Jinja's it does not offer
(`attr`); a filter Jinja does not have at all is the name check's (template_check: an unknown name, with the
filters there are). Rendering needs a year's data;
this walk needs none, so `check-template 模板.docx` says what `build` would refuse.
Each finding reads as the build's (`template-unsafe` at its paragraph, with its tag).
Linear in the template's nodes; constant expressions are evaluated only within the sandbox's bounds.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from typing import Any

from jinja2 import nodes
from jinja2.filters import FILTERS as JINJA_FILTERS

from report_builder.report.sandbox import (
    ALLOWED_FILTERS,
    FORBIDDEN_GLOBALS,
    SAFE_METHODS,
    Forbidden,
    bounded_range,
    check_binop,
)

__all__ = ["TOO_DEEP", "deepest_line", "unsafe_uses"]

_METHODS = frozenset().union(*SAFE_METHODS.values())
_NOT_CONSTANT = object()
_OPERATORS = {nodes.Add: "+", nodes.Mul: "*", nodes.Pow: "**", nodes.Mod: "%", nodes.Sub: "-",
              nodes.FloorDiv: "//", nodes.Div: "/"}


def unsafe_uses(tree: nodes.Template) -> list[tuple[int, str]]:
    """(line, what the template tries, in Chinese, as `Forbidden.what`): the first thing the sandbox would
    refuse on each line that has one (`cycler.__init__.__globals__…` is "使用 cycler", not four things)."""
    values = _Constants()
    first: dict[int, tuple[int, str]] = {}
    for node in tree.find_all(nodes.Node):
        what = _unsafe(node, values)
        rank = next((i for i, words in enumerate(_RANKS) if what.startswith(words)), len(_RANKS))
        if what and (node.lineno not in first or rank <= first[node.lineno][0]):  # ties: the innermost
            first[node.lineno] = (rank, what)
    return [(line, what) for line, (_, what) in sorted(first.items())]


_RANKS = ("使用 ", "引用其他文件", "访问 ", "调用 ")  # what explains an attempt best, first


class _Constants:
    """Constant expressions evaluated once each (a chain of n operators costs n steps, not n²)."""

    def __init__(self) -> None:
        self.known: dict[int, Any] = {}

    def value(self, node: nodes.Node) -> Any:
        """The value of a constant expression (numbers, texts, lists of them and operators on them), each step
        checked against the sandbox's bounds first; _NOT_CONSTANT when it depends on data or was refused."""
        if id(node) not in self.known:
            try:
                self.known[id(node)] = self._evaluate(node)
            except (Forbidden, ArithmeticError, TypeError, ValueError):
                self.known[id(node)] = _NOT_CONSTANT
                raise
        return self.known[id(node)]

    def _evaluate(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, (nodes.List, nodes.Tuple)):
            items = [self.value(item) for item in node.items]
            return _NOT_CONSTANT if any(i is _NOT_CONSTANT for i in items) else items
        if isinstance(node, nodes.BinExpr) and type(node) in _OPERATORS:
            left, right = self.value(node.left), self.value(node.right)
            if left is _NOT_CONSTANT or right is _NOT_CONSTANT:
                return _NOT_CONSTANT
            operator = _OPERATORS[type(node)]
            check_binop(operator, left, right)
            return _FUNCTIONS[operator](left, right)
        if isinstance(node, nodes.Neg):
            value = self.value(node.node)
            return -value if isinstance(value, (int, float)) and not isinstance(value, bool) else _NOT_CONSTANT
        return _NOT_CONSTANT


def _unsafe(node: nodes.Node, values: _Constants) -> str:
    if isinstance(node, nodes.Name) and node.ctx == "load" and node.name in FORBIDDEN_GLOBALS:
        return f"使用 {node.name}"
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        key = node.attr if isinstance(node, nodes.Getattr) else node.arg.value if isinstance(
            node.arg, nodes.Const) else None
        if isinstance(key, str) and key.startswith("_"):
            return f"访问 {key}"
    if isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        name = node.template.value if isinstance(node.template, nodes.Const) else "…"
        return f"引用其他文件（{name}）"
    if isinstance(node, nodes.Filter) and node.name not in ALLOWED_FILTERS and node.name in JINJA_FILTERS:
        return f"使用过滤器 {node.name}"  # one Jinja has, kept from templates (a name Jinja lacks: template_check)
    if isinstance(node, nodes.Call):
        return _unsafe_call(node, values)
    if isinstance(node, nodes.BinExpr) and (id(node) not in values.known):
        return _bounded(lambda: values.value(node))
    return ""


def _unsafe_call(node: nodes.Call, values: _Constants) -> str:
    called = node.node
    if isinstance(called, nodes.Getattr) and called.attr not in _METHODS and not called.attr.startswith("_"):
        return f"调用 {called.attr}()"
    if isinstance(called, nodes.Name) and called.name == "range" and not node.kwargs and not node.dyn_args:
        args = [_bounded_value(values, a) for a in node.args]
        if args and all(isinstance(a, int) and not isinstance(a, bool) for a in args):
            return _bounded(lambda: bounded_range(*args))
    return ""


def _bounded_value(values: _Constants, node: nodes.Node) -> Any:
    try:
        return values.value(node)
    except (Forbidden, ArithmeticError, TypeError, ValueError):
        return _NOT_CONSTANT


def _bounded(compute: Callable[[], object]) -> str:
    try:
        compute()
    except Forbidden as error:
        return error.what
    except (ArithmeticError, TypeError, ValueError):  # `1 / 0`, `'a' - 1`: the rendering says what is wrong
        return ""
    return ""


_FUNCTIONS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "*": operator.mul, "**": operator.pow, "%": operator.mod, "-": operator.sub,
    "//": operator.floordiv, "/": operator.truediv}


# ---- nesting too deep for Python to read (RecursionError) ------------------------------------------------

TOO_DEEP = "标记嵌套的层数过多（括号，或 {% if %}、{% for %} 一层套一层），无法读取；请减少嵌套"
_DEPTH = re.compile(r"[(\[]|[)\]]|{%-?\s*(?:[ptr]\s+)?(?:if|for|endif|endfor)\b|\n")


def deepest_line(source: str) -> int:
    """The line (1-based) where brackets and open blocks are nested deepest."""
    depth = deepest = 0
    line = best = 1
    for match in _DEPTH.finditer(source):
        token = match.group(0)
        if token == "\n":
            line += 1
            continue
        opens = token in "([" or token.rstrip().endswith(("if", "for")) and "end" not in token
        depth += 1 if opens else -1
        if depth > deepest:
            deepest, best = depth, line
    return best
