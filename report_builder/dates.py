"""Dates in the words the report, the templates and the messages use (2017年9月1日)."""

from __future__ import annotations

import datetime as dt

__all__ = ["chinese_date", "chinese_window"]


def chinese_date(day: dt.date) -> str:
    """2017-09-01 → 2017年9月1日, as the report writes dates."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_window(start: dt.date, end: dt.date) -> str:
    """2017年9月1日至2018年8月31日."""
    return f"{chinese_date(start)}至{chinese_date(end)}"
