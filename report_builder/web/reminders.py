"""Reminder texts the office pastes into 微信 or an email: one per department that must act, one for all of them.

A department that has not sent its workbook, is late, or must fix errors gets a short text with its own link;
one that passed (or has only warnings) gets none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from report_builder.web.desk import FIX, LATE, NONE, Row

__all__ = ["reminder", "reminder_for_all"]


def _day(day: dt.date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def reminder(row: Row, link: str, deadline: dt.date | None) -> str:
    """The text for one department, or "" when it has nothing to do."""
    name = row.department.name
    if row.status == NONE:
        by = f"请于{_day(deadline)}前" if deadline else "请尽快"
        return f"{name}：信息公开工作年度报告的填报表还未收到，{by}打开以下链接下载填报表，填好后在同一页面上传：{link}"
    if row.status == LATE:
        return (f"{name}：信息公开工作年度报告填报表的报送截止日期（{_day(deadline)}）已过，尚未收到可用的填报表，"
                f"请尽快打开以下链接上传：{link}")
    if row.status == FIX:
        return (f"{name}：您部门上传的填报表有 {row.errors} 处错误，请打开以下链接查看每处错误所在的单元格和改法，"
                f"修改后重新上传：{link}")
    return ""


def reminder_for_all(rows: Sequence[Row], links: Sequence[str], deadline: dt.date | None) -> str:
    """One text for every department that must act (not sent, late, or errors to fix), each with its link."""
    lines = [text for row, link in zip(rows, links, strict=True) if (text := reminder(row, link, deadline))]
    if not lines:
        return ""
    return "各位信息公开联络员：以下部门的年度报告填报表还需要处理，请按各自的链接办理。\n" + "\n".join(lines)
