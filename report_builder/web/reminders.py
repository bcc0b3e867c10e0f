"""Reminder texts the office pastes into 微信 or an email: one per department that must act, one for all of them.

A department that has not sent its workbook, is late, or must fix errors gets a short text with its own link
(sent to that department only: the link is its upload credential); one that passed (or has only warnings)
gets none. The text for a group names the departments and what each must do, with no link in it.
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


def reminder_for_all(rows: Sequence[Row], deadline: dt.date | None) -> str:
    """One text for a group of every department that must act (not sent, late, or errors to fix): names and what
    to do, no link (whoever reads the group could upload as anyone)."""
    not_sent = f"尚未交表（请于{_day(deadline)}前交）" if deadline else "尚未交表"
    groups = [(not_sent, [r for r in rows if r.status == NONE]),
              (f"报送截止日期（{_day(deadline)}）已过、尚未收到可用的表", [r for r in rows if r.status == LATE]),
              ("已上传但有错误、须改正后重新上传", [r for r in rows if r.status == FIX])]
    lines = [f"{what}：{'、'.join(r.department.name for r in chosen)}。" for what, chosen in groups if chosen]
    if not lines:
        return ""
    return ("各位信息公开联络员：以下部门的年度报告填报表还需要处理。\n" + "\n".join(lines)
            + "\n请用本部门的专属链接（党政办公室单独发给各部门，请勿转发）下载、上传和查看检查结果。")
