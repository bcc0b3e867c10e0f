"""The Jinja environment every report template runs in: only what templates need.

A template may come from a department's email, so it is untrusted code. It runs in an
immutable sandbox: no globals but a bounded `range`, only the filters in `ALLOWED_FILTERS`,
no methods of data objects (except a mapping's items/keys/values/get), no attributes
starting with "_", no `{% include %}`/`{% import %}`/`{% extends %}`, and arithmetic that
could build a huge value in one step (`'x' * 300000000`, `2 ** 10**9`) fails at once.
What a sandbox cannot bound (a long loop, a doubling `~`) is bounded by the worker's time
and memory caps (render.RENDER_TIMEOUT_S, render.RENDER_MEMORY_MB).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment

__all__ = ["ALLOWED_FILTERS", "FORBIDDEN_GLOBALS", "Forbidden", "ListPrinted", "TemplateEnvironment"]

# The filters a template may use: those the default template and docs/template.md use (join), and
# common harmless ones whose cost is linear in their input. Left out on purpose: format, center,
# indent, wordwrap, replace, batch, slice (a size argument can make a huge value), safe (unescaped
# XML), tojson/pprint/urlize/xmlattr (markup), random (not reproducible).
ALLOWED_FILTERS = (
    "abs", "capitalize", "count", "d", "default", "dictsort", "e", "escape", "first", "float",
    "groupby", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
    "reject", "rejectattr", "reverse", "round", "select", "selectattr", "sort", "string",
    "striptags", "sum", "title", "trim", "truncate", "unique", "upper", "wordcount",
)
# Jinja's default globals: none is needed, several reach Python internals.
FORBIDDEN_GLOBALS = ("cycler", "dict", "joiner", "lipsum", "namespace")
SAFE_METHODS: dict[type, frozenset[str]] = {
    Mapping: frozenset({"items", "keys", "values", "get"}),
    LoopContext: frozenset({"cycle", "changed"}),
}

MAX_RANGE = 10_000  # items of range(); nested loops are bounded by the worker's time cap
MAX_LENGTH = 10_000_000  # items or characters of a sequence made by one `+` or `*`
MAX_NUMBER_BITS = 1024  # an integer result (about 308 digits, as large as a float)
MAX_FORMAT_WIDTH = 100  # width or precision in `'%5.1f' % x`

_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": operator.add, "*": operator.mul, "**": operator.pow, "%": operator.mod,
    "//": operator.floordiv, "/": operator.truediv, "-": operator.sub,
}


class Forbidden(SecurityError):
    """The template tried something it may not do; `what` says it in Chinese, for the office."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class ListPrinted(TypeError):
    """`{{ 文字.编制依据 }}`: a list (or a list's item) printed where text belongs, which would print as ['…']."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def printable(value: Any) -> Any:
    """What `{{ }}` prints: anything but a list, tuple or mapping (those raise ListPrinted)."""
    if isinstance(value, (list, tuple, Mapping)):
        raise ListPrinted("这个值")
    return value


class TemplateEnvironment(ImmutableSandboxedEnvironment):
    """Sandboxed, autoescaping, StrictUndefined, no list printed as ['…']: the only environment a report
    template runs in."""

    intercepted_binops = frozenset(_BINOPS)

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined, loader=None, finalize=printable)
        self.globals.clear()
        self.globals["range"] = bounded_range
        for name in FORBIDDEN_GLOBALS:  # any use of them says what was tried, not "undefined"
            self.globals[name] = jinja2.StrictUndefined(hint=f"使用 {name}", name=name, exc=Forbidden)
        self.filters = {name: self.filters[name] for name in ALLOWED_FILTERS}

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if not super().is_safe_attribute(obj, attr, value):
            return False
        if not callable(value):
            return True
        return any(isinstance(obj, kind) and attr in names for kind, names in SAFE_METHODS.items())

    def unsafe_undefined(self, obj: Any, attribute: str) -> jinja2.Undefined:
        if isinstance(obj, jinja2.Undefined):
            return obj  # `cycler.__init__`: the error is about cycler, raised when it is used
        return self.undefined(f"访问 {type(obj).__name__} 的 {attribute}", name=attribute, obj=obj, exc=Forbidden)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        return None  # str.format is a method like any other: not allowed

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        check_binop(operator, left, right)
        return _BINOPS[operator](left, right)

    def _load_template(self, name: str, globals: Any) -> jinja2.Template:  # noqa: A002 - Jinja's name
        raise Forbidden(f"引用其他文件（{name}）")


def bounded_range(*args: int) -> range:
    """range() with at most MAX_RANGE items."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise Forbidden(f"用 range() 产生 {len(numbers)} 个数（上限为 {MAX_RANGE}）")
    return numbers


def check_binop(op: str, left: Any, right: Any) -> None:
    """Raise Forbidden when `left op right` would make a value beyond the bounds above."""
    if op == "*" and (_sized(left) or _sized(right)):
        count, times = (left, right) if _sized(left) else (right, left)
        if isinstance(times, int) and len(count) * max(times, 0) > MAX_LENGTH:
            raise Forbidden(f"把文字或列表重复 {times} 次")
    elif op == "+" and _sized(left) and _sized(right) and len(left) + len(right) > MAX_LENGTH:
        raise Forbidden(f"拼接出超过 {MAX_LENGTH} 项的文字或列表")
    elif op == "%" and isinstance(left, str):
        for width, precision in _PERCENT_SPEC.findall(left):
            if "*" in (width, precision) or max(int(width or 0), int(precision or 0)) > MAX_FORMAT_WIDTH:
                raise Forbidden(f"格式宽度过大（{left[:40]}）")
    elif op in ("*", "**") and _integer(left) and _integer(right) and _result_bits(op, left, right) > MAX_NUMBER_BITS:
        raise Forbidden(f"计算过大的数（{_short(left)} {op} {_short(right)}）")


def _sized(value: Any) -> bool:
    return isinstance(value, (str, list, tuple))


def _integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _result_bits(op: str, left: int, right: int) -> float:
    if op == "*":
        return left.bit_length() + right.bit_length()
    if right < 0 or abs(left) < 2:
        return 1
    return right * math.log2(abs(left))


def _short(number: int) -> str:
    return str(number) if number.bit_length() < 64 else f"{number.bit_length()} 位二进制的数"
