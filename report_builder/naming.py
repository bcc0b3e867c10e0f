"""What a name the office gives may be: a channel's or a paragraph's name as a template writes it, and the
close name to suggest when a name is not one ("是不是要写：…？")."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from report_builder.schema import MAX_NARRATIVE_NAME
from report_builder.vocabulary import NARRATIVES, channel_figure

__all__ = ["CLOSE", "MAPPING_METHODS", "channel_name_problem", "close_name", "narrative_name_problem"]

MAPPING_METHODS = frozenset({"items", "keys", "values", "get"})  # what a template may call on `文字`, `工作记录`
CLOSE = 0.7  # difflib's ratio of a name close enough to suggest


def channel_name_problem(name: str) -> str | None:
    """Why `name` cannot be a channel (its figure `channel_figure(name)` must be a template name), or None."""
    figure = channel_figure(name)
    return None if figure.isidentifier() and figure != "条数" else "作为数据名称不可用（须以汉字或字母开头）"


def narrative_name_problem(name: str) -> str | None:
    """Why `name` cannot be a paragraph name (a template writes it as `文字.<name>`), or None. Allowed:
    letters (汉字 included), digits and "_", not first a digit, as NFKC keeps them (no full-width letters)."""
    if len(name) > MAX_NARRATIVE_NAME:
        return f"超过 {MAX_NARRATIVE_NAME} 字"
    bad = "".join(dict.fromkeys(ch for ch in name if not ("_" + ch).isidentifier()
                                or unicodedata.normalize("NFKC", ch) != ch))
    if bad:
        return f"含有“{bad}”"
    if name in MAPPING_METHODS:  # `文字.items` is the mapping's method, never the paragraph
        return f"与模板中“{NARRATIVES}”自带的用法（{NARRATIVES}.{name}()）同名"
    return "以数字开头" if not name.isidentifier() else None


def close_name(name: str, names: Iterable[str]) -> str | None:
    """The one of `names` close enough to `name` to suggest it ("是不是要写：…？"): nearly the same
    (difflib ratio ≥ CLOSE), or as long with one character changed (事游 → 事由); None when none is."""
    candidates = list(names)
    near = difflib.get_close_matches(name, candidates, n=1, cutoff=CLOSE)
    if near:
        return near[0]
    return next((c for c in candidates
                 if len(c) == len(name) > 1 and sum(a != b for a, b in zip(c, name, strict=True)) == 1), None)
