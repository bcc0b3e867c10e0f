"""Last year's figures beside this year's: `上年.<名称>`, `增减.<名称>`, and implausible jumps.

Last year's figures come from its report's manifest (report_builder.outputs.last_report reads it) as
plain data (`LastYear`). A figure last year did not have is `vocabulary.UNKNOWN` ("未知"), never 0.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from report_builder.findings import Finding
from report_builder.report.summary import Source
from report_builder.vocabulary import LAST_YEAR, UNKNOWN, YEAR_CHANGE

__all__ = ["JUMP_FACTOR", "JUMP_MINIMUM", "LastYear", "jumps", "last_year_context", "last_year_uses",
           "last_year_values"]

JUMP_FACTOR = 3  # this year ×3 (or ÷3) of last year is implausible…
JUMP_MINIMUM = 20  # …when the larger of the two is at least this (10 → 2 is noise, 300 → 0 is not)
DRIVERS_SHOWN = 3


@dataclass(frozen=True, slots=True)
class LastYear:
    """Last year's report as its manifest recorded it."""

    report: str  # the file name of last year's report (…_vN.docx)
    year: str  # its year folder's name ("2017-2018"), "" when the manifest does not say
    manifest_sha256: str  # identifies the version used (part of this year's fingerprint)
    figures: dict[str, int | None]
    by_department: dict[str, dict[str, int]] = field(default_factory=dict)  # figure → department → share


class _Figure(Protocol):
    @property
    def value(self) -> int: ...
    @property
    def sources(self) -> tuple[Source, ...]: ...


def last_year_context(values: Mapping[str, int], last: LastYear | None) -> dict[str, dict[str, int | str]]:
    """`上年` and `增减` for a template: every figure of this year, each a whole number or "未知"."""
    before: dict[str, int | str] = {}
    change: dict[str, int | str] = {}
    for name, value in values.items():
        old = last.figures.get(name) if last is not None else None
        before[name] = UNKNOWN if old is None else old
        change[name] = UNKNOWN if old is None else int(value) - old
    return {LAST_YEAR: before, YEAR_CHANGE: change}


def last_year_values(values: Mapping[str, int], last: LastYear | None) -> dict[str, str]:
    """What a narrative's `{上年.主动公开条数}` and `{增减.主动公开条数}` are filled with."""
    return {f"{group}.{name}": str(value)
            for group, named in last_year_context(values, last).items() for name, value in named.items()}


def jumps(figures: Mapping[str, _Figure], last: LastYear, office_file: str) -> list[Finding]:
    """A warning for each figure that moved ×3 or more (or to or from zero) since last year, when
    the larger value is at least JUMP_MINIMUM, naming the departments whose shares moved it most."""
    found = []
    for name, figure in figures.items():
        old, new = last.figures.get(name), int(figure.value)
        if old is None or max(old, new) < JUMP_MINIMUM or min(old, new) * JUMP_FACTOR > max(old, new):
            continue
        shares = _shares(figure.sources)
        drivers = _drivers(last.by_department.get(name, {}), shares, new - old)
        where = next((s for s in figure.sources if drivers and s.department == drivers[0][0]), None)
        named = "、".join(f"{d} {delta:+d}" for d, delta in drivers)
        detail = f"“{name}”上年（{last.year or last.report}）{old}，本年 {new}"
        detail += f"，变化主要来自：{named}" if named else ""
        found.append(Finding("figure-jump", where.file if where else office_file, where.sheet if where else "",
                             where.cell if where else "", detail=detail))
    return found


def _shares(sources: Sequence[Source]) -> dict[str, int]:
    shares: dict[str, int] = {}
    for source in sources:
        if source.department:
            shares[source.department] = shares.get(source.department, 0) + source.amount
    return shares


def _drivers(old: Mapping[str, int], new: Mapping[str, int], total: int) -> list[tuple[str, int]]:
    """The departments whose share moved the same way as the figure, largest move first (at most 3)."""
    deltas = [(d, new.get(d, 0) - old.get(d, 0)) for d in dict.fromkeys([*old, *new])]
    same_way = [(d, delta) for d, delta in deltas if delta and (delta > 0) == (total > 0)]
    return sorted(same_way, key=lambda item: -abs(item[1]))[:DRIVERS_SHOWN]


def last_year_uses(names: Collection[str], used: Mapping[str, Sequence[str]]) -> list[str]:
    """Where the report prints last year's figures: "模板" (whose names are `names`) and the narratives
    (`{上年.…}`), in Chinese."""
    where = ["模板"] if {LAST_YEAR, YEAR_CHANGE} & set(names) else []
    where += [f"文字材料“{key}”" for key, named in used.items()
              if any(n.startswith((f"{LAST_YEAR}.", f"{YEAR_CHANGE}.")) for n in named)]
    return where
