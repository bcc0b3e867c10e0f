"""A sheet and its columns as the workbook writer, the reader and the checks see them, derived from a model.

`columns(model)` reads a schema model's fields (title, description, Literal choices, limits, the "locked"
and "days_before_window" extras) into `Column`s; `SheetSpec` says where a model's records live in a workbook.
The models themselves and the lists of sheets are in report_builder.schema.
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from functools import cache
from typing import Literal, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ConfigDict

__all__ = ["Column", "Row", "SheetSpec", "columns"]


class Row(BaseModel):
    """Base of every sheet model: immutable, no unknown fields, no type coercion."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


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



@cache
def columns(model: type[Row]) -> tuple[Column, ...]:
    """Derive the column metadata of a sheet from its model's fields."""
    cols = []
    for name, info in model.model_fields.items():
        annotation = _strip_optional(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        max_length = next((m.max_length for m in info.metadata if isinstance(m, annotated_types.MaxLen)), None)
        minimum = next((m.ge for m in info.metadata if isinstance(m, annotated_types.Ge)), None)
        maximum = next((m.le for m in info.metadata if isinstance(m, annotated_types.Le)), None)
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
            field=name,
            header=info.title or name,
            kind=kind,
            required=info.is_required(),
            choices=tuple(get_args(annotation)) if kind == "choice" else (),
            max_length=max_length,
            minimum=typing.cast(int | None, minimum),
            maximum=typing.cast(int | None, maximum),
            locked=bool(extra.get("locked")),
            help=info.description or "",
            days_before_window=typing.cast(int, extra.get("days_before_window", 0)),
        ))
    return tuple(cols)


def _strip_optional(annotation: object) -> object:
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation
