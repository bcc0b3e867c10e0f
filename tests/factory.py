"""Fixtures in code: a sample office. Filling its templates like a department is
report_builder.outputs.filling (scripts and benchmarks use it too)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from report_builder.outputs.excel import save_workbook
from report_builder.outputs.forms import department_workbook, office_workbook
from report_builder.schema import (
    ChecklistItem,
    DepartmentEntry,
    LastYearFigure,
    OfficeAsked,
    OfficeCategory,
    OfficeChannel,
    OfficeInfo,
    OfficeNarrative,
)
from report_builder.vocabulary import declared_categories, declared_channels, department_narratives

SCHOOL = "湖南石油化工职业技术学院"
DEPARTMENTS = ("党政办公室", "教务处", "招生就业处", "财务处")
ITEMS: tuple[tuple[Any, str, str], ...] = (  # category, title, department
    ("基本信息", "办学规模、校级领导班子简介及分工", "党政办公室"),
    ("招生考试信息", "招生章程及特殊类型招生办法", "招生就业处"),
    ("招生考试信息", "分批次、分科类招生计划", "招生就业处"),
    ("财务、资产及收费信息", "收费项目、收费依据、收费标准及投诉方式", "财务处"),
    ("教学质量信息", "专业设置、当年新增专业、停招专业名单", "教务处"),
)


@dataclass(frozen=True)
class SampleOffice:
    """What the office decides for a year, as plain models."""

    info: OfficeInfo
    departments: tuple[DepartmentEntry, ...]
    checklist: tuple[ChecklistItem, ...]
    narratives: tuple[OfficeNarrative, ...]
    channels: tuple[OfficeChannel, ...] = ()  # none: no 公开渠道 sheet, the default nine
    categories: tuple[OfficeCategory, ...] = ()  # none: no 公开分类 sheet, no breakdown
    last_year: tuple[LastYearFigure, ...] = ()  # none: no 上年数字 sheet
    asked: tuple[OfficeAsked, ...] = ()  # none: no 部门填报的数字 sheet, no 其他数字 sheet for departments

    def department_template(self, department: str) -> Workbook:
        """The generated template of one department (as `templates` makes it)."""
        return department_workbook(self.info, department, self.checklist, department_narratives(self.narratives),
                                   declared_channels(self.channels), declared_categories(self.categories), self.asked)

    def office_template(self) -> Workbook:
        return office_workbook(self.info, self.departments, self.checklist, self.narratives, self.channels,
                               self.categories, self.last_year, asked=self.asked)


def sample_office(**overrides: Any) -> SampleOffice:
    """The sample office; `overrides` are OfficeInfo fields or departments / checklist / narratives / channels /
    categories / last_year / asked."""
    keys = ("departments", "checklist", "narratives", "channels", "categories", "last_year", "asked")
    parts = {k: overrides.pop(k) for k in keys if k in overrides}
    info = OfficeInfo(**{
        "school_name": SCHOOL, "self_noun": "学院", "year_label": "2017-2018年度",
        "window_start": dt.date(2017, 9, 1), "window_end": dt.date(2018, 8, 31),
        "next_year_label": "2018-2019学年", "deadline": dt.date(2018, 9, 15),
        "contact": "党政办公室 王老师 0730-8888888", **overrides,
    })
    office = SampleOffice(
        info=info,
        departments=tuple(DepartmentEntry(name=n) for n in DEPARTMENTS),
        checklist=tuple(
            ChecklistItem(number=number, category=category, title=title, department=department)
            for number, (category, title, department) in enumerate(ITEMS, 1)
        ),
        narratives=(
            OfficeNarrative(key="编制依据", text="根据《高等学校信息公开办法》的要求，编制本报告。"),
            OfficeNarrative(key="主要问题", text="信息公开的及时性有待提高。"),
        ),
    )
    return replace(office, **parts)


def write(wb: Workbook, path: Path) -> Path:
    """Save as .xlsx (deterministic bytes) and return the path."""
    path.write_bytes(save_workbook(wb))
    return path
