"""A sheet and its columns as the workbook writer, the reader and the checks see them, derived from a model.

`columns(model)` reads a schema model's fields (title, description, Literal choices, limits, the "locked"
and "days_before_window" extras) into `Column`s; `SheetSpec` says where a model's records live in a workbook.
The models themselves and the lists of sheets are in report_builder.schema.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, Union, dataclass_transform, get_args, get_origin

__all__ = ["Column", "Row", "SheetSpec", "cell", "columns", "field_names"]

_REQUIRED: Any = dataclasses.MISSING


def cell(default: Any = _REQUIRED, *, title: str, description: str = "", max_length: int | None = None,
         ge: int | None = None, le: int | None = None, locked: bool = False, days_before_window: int = 0) -> Any:
    """One field of a sheet model: its Chinese header (`title`), help text, limits and marks. Without a
    `default` the cell is required."""
    metadata = {"title": title, "description": description, "max_length": max_length, "ge": ge, "le": le,
                "locked": locked, "days_before_window": days_before_window}
    return dataclasses.field(default=default, metadata=metadata)


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(cell,))
class Row:
    """Base of every sheet model: a frozen, keyword-only dataclass. The values are checked cell by cell
    before a row is made (intake.cells, from `columns`), so making one validates nothing again."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclasses.dataclass(frozen=True, kw_only=True)(cls)


def field_names(model: type[Row]) -> tuple[str, ...]:
    """The model's fields in schema order."""
    return tuple(f.name for f in dataclasses.fields(model))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Column:
    """What the templates, the reader and the checks need to know of one field."""

    field: str
    header: str
    kind: Literal["text", "int", "date", "choice"]
    required: bool
    choices: tuple[str, ...] = ()
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    locked: bool = False
    help: str = ""
    days_before_window: int = 0  # a date column: how long before the window a date may be (carried over)


@dataclass(frozen=True)
class SheetSpec:
    """One sheet: a form (one record, label in column A, value in B) or a table (one record a row)."""

    name: str
    key: str  # the attribute of OfficeWorkbook / DepartmentWorkbook that holds this sheet's data
    model: type[Row]
    layout: Literal["form", "table"]
    title: str
    blank_rows: int = 0  # rows pre-formatted for input below the pre-filled ones
    required: bool = True  # False: the sheet may be absent (its records are then empty, no finding)
    answered: bool = False  # a department answers it: content, or 本部门本年度无此项 (intake/completeness.py)

    @property
    def columns(self) -> tuple[Column, ...]:
        return columns(self.model)

    def column(self, field: str) -> Column:
        return next(c for c in self.columns if c.field == field)



_COLUMNS: dict[type[Row], tuple[Column, ...]] = {}


def columns(model: type[Row]) -> tuple[Column, ...]:
    """Derive the column metadata of a sheet from its model's fields (once per model)."""
    if model not in _COLUMNS:
        _COLUMNS[model] = _columns(model)
    return _COLUMNS[model]


def _columns(model: type[Row]) -> tuple[Column, ...]:
    cols = []
    hints = typing.get_type_hints(model)
    for info in dataclasses.fields(model):  # type: ignore[arg-type]
        annotation = _strip_optional(hints[info.name])
        meta = info.metadata
        kind: Literal["text", "int", "date", "choice"]
        if get_origin(annotation) is Literal:
            kind = "choice"
        elif annotation is int:
            kind = "int"
        elif annotation is dt.date:
            kind = "date"
        else:
            kind = "text"
        cols.append(Column(
            field=info.name,
            header=meta["title"],
            kind=kind,
            required=info.default is dataclasses.MISSING,
            choices=tuple(get_args(annotation)) if kind == "choice" else (),
            max_length=meta["max_length"],
            minimum=meta["ge"],
            maximum=meta["le"],
            locked=meta["locked"],
            help=meta["description"],
            days_before_window=meta["days_before_window"],
        ))
    return tuple(cols)


def _strip_optional(annotation: object) -> object:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation
