"""A department workbook's pre-filled (locked) cells compared with the office workbook.

Sheet protection has no password (nobody is ever locked out), so a department can change
what the office pre-filled: its name, the year, the window, the channel rows. Every such
cell that differs from the office workbook is an error at that cell, whether or not the rest
of its sheet passed. (The 清单 rows are compared row by row in `rules._checklist_answer`.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence

from report_builder.dates import chinese_window
from report_builder.findings import Finding
from report_builder.intake.cells import parse_cell, show
from report_builder.intake.reader import RawSheet
from report_builder.ooxml import cell_name
from report_builder.schema import CHANNELS, ChannelCount, Column, DepartmentInfo, OfficeInfo, columns

__all__ = ["check_channels", "check_info"]

_CHANNEL: Column = next(c for c in columns(ChannelCount) if c.field == "channel")


def check_info(file: str, sheet: RawSheet, cells: Mapping[str, str], office: OfficeInfo,
               names: Collection[str]) -> list[Finding]:
    """部门名称 (one of the office's departments), 年度 and both window dates of a 基本信息 form.

    `cells` maps each field to its value cell ("B5"). A value that does not parse is already an
    error of its own and is not compared.
    """
    values = _locked_values(sheet, cells)
    found = []
    department = values.get("department")
    if isinstance(department, str) and department not in names:
        found.append(Finding("unknown-department", file, sheet.name, cells["department"], department))
    year = values.get("year_label")
    if isinstance(year, str) and year != office.year_label:
        found.append(Finding("wrong-year", file, sheet.name, cells["year_label"], year,
                             f"本年度为“{office.year_label}”"))
    window = chinese_window(office.window_start, office.window_end)
    for field, expected in (("window_start", office.window_start), ("window_end", office.window_end)):
        day = values.get(field)
        if isinstance(day, dt.date) and day != expected:
            found.append(Finding("wrong-window", file, sheet.name, cells[field], day.isoformat(),
                                 f"本年度为{window}"))
    return found


def _locked_values(sheet: RawSheet, cells: Mapping[str, str]) -> dict[str, object]:
    """The parsed value of each locked field of the form that has a cell."""
    values = {}
    for column in columns(DepartmentInfo):
        cell = cells.get(column.field, "")
        if column.locked and cell[1:].isdigit():
            values[column.field] = parse_cell(sheet.value(int(cell[1:]) - 1, 1), column).value
    return values


def check_channels(file: str, sheet: RawSheet, header0: int, column0: int, channels: Sequence[str] = CHANNELS,
                   what: str = "渠道") -> tuple[list[Finding], set[int]]:
    """Each of the office's `channels` exactly once on the 主动公开 sheet: a second row of a channel is
    an error at its cell (the row the template gave the channel is the one kept), a missing one an
    error at the cell the template gave it. Also returns the (1-based) rows that are rejected.
    (A channel the office does not list is an error of its row: rules._channel.) The office's categories
    (主动公开分类, `what` "分类") are checked the same way."""
    rows_of: dict[str, list[int]] = {}
    for r in range(header0 + 1, len(sheet.rows)):
        channel = parse_cell(sheet.value(r, column0), _CHANNEL).value
        if isinstance(channel, str) and channel in channels:  # else blank, or an error of its own
            rows_of.setdefault(channel, []).append(r)
    found: list[Finding] = []
    repeated: set[int] = set()
    for index, channel in enumerate(channels):
        home = header0 + 1 + index  # where the template put it
        rows = rows_of.get(channel, [])
        if not rows:
            found.append(Finding("prefilled-changed", file, sheet.name, cell_name(home, column0),
                                 show(sheet.value(home, column0)), f"缺少“{channel}”一行，应为：{channel}"))
            continue
        kept = home if home in rows else rows[0]
        for r in rows:
            if r != kept:
                found.append(Finding("prefilled-changed", file, sheet.name, cell_name(r, column0), channel,
                                     f"“{channel}”已在 {cell_name(kept, column0)} 填写，每个{what}只填一行"))
                repeated.add(r + 1)
    return found, repeated
