"""The bundled report formats: which Word template each is, what it is for, and which parts it must have.

An office chooses one in its workbook (年度总表 › 基本信息 › 报告格式) or with `build --format`; blank is
the default, 三部分. Each format is a .docx under templates/ (bundled in the wheel as `_templates`). A year
folder may hold its own edited copy under the same file name (`formats --copy`), used instead of the
bundled one. Reports of different formats of one year keep separate version series (`format_stem`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from report_builder.findings import Finding

__all__ = ["DEFAULT_FORMAT", "FORMATS", "FORMAT_NAMES", "FormatList", "FormatRow", "ReportFormat",
           "ReportFormatName", "bundled_template", "choose_format", "format_stem", "format_text", "links_required"]

ReportFormatName = Literal["三部分", "八部分", "政府格式"]  # the drop-down of 基本信息 › 报告格式
FORMAT_NAMES: tuple[str, ...] = get_args(ReportFormatName)
DEFAULT_FORMAT = "三部分"
NOT_INSTALLED = "（未安装）"


@dataclass(frozen=True)
class ReportFormat:
    """One bundled format: its template file under templates/, a Chinese description, its required parts."""

    name: str
    file: str
    description: str
    parts: tuple[str, ...] = ()  # the headings a template of this format must have (filled by its author)
    links: bool = False  # its 清单 table gives each 已公开 item's column link: departments are asked for them


FORMATS: dict[str, ReportFormat] = {f.name: f for f in (
    ReportFormat("三部分", "年度报告模板.docx", "概述、信息公开情况、问题和改进三部分（默认，与往年报告相同）",
                 ("一、信息公开工作情况概述", "二、{{ 自称 }}信息公开情况", "三、主要问题和改进措施")),
    ReportFormat("八部分", "八部分模板.docx",
                 "按教育部通知（教办厅函〔2018〕80号）要求的八部分撰写，附清单事项公开情况表",
                 ("一、概述", "二、主动公开情况", "三、依申请公开和不予公开情况", "四、对信息公开的评议情况",
                  "五、因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况",
                  "六、新做法新举措、主要经验、问题和改进措施", "七、其他需要报告的事项",
                  "八、附：清单事项公开情况表"), links=True),
    ReportFormat("政府格式", "政府格式模板.docx",
                 "按政府信息公开工作年度报告格式（国办公开办函〔2021〕30号，含表二、表三、表四）撰写的年度报告",
                 ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项")),
)}
assert tuple(FORMATS) == FORMAT_NAMES  # one list of names: the schema's drop-down and the registry

_BUNDLED_DIRS = (
    Path(__file__).resolve().parents[1] / "templates",  # a checkout
    Path(__file__).resolve().parent / "_templates",  # an installed wheel
)


def bundled_template(name: str) -> Path | None:
    """The bundled .docx of format `name`, or None when it is not installed (or the name is unknown)."""
    known = FORMATS.get(name)
    if known is None:
        return None
    return next((folder / known.file for folder in _BUNDLED_DIRS if (folder / known.file).is_file()), None)


def links_required(office_choice: str | None) -> bool:
    """Whether the office's chosen format prints each 清单 item's column link (so departments must give it)."""
    chosen = FORMATS.get(office_choice or DEFAULT_FORMAT)
    return chosen is not None and chosen.links


def format_text() -> str:
    """"三部分、八部分、政府格式": the names for a Chinese message."""
    return "、".join(FORMAT_NAMES)


def choose_format(option: str | None, office_choice: str | None) -> str | Finding:
    """The format of a build: `--format`, else the office workbook's 报告格式, else the default.

    An unknown `--format` is a finding naming the valid ones (the workbook's cell is checked on reading).
    """
    if option is not None:
        name = option.strip()
        if name not in FORMATS:
            return Finding("format-unknown", "--format", value=option, detail="可选：" + format_text())
        return name
    return office_choice or DEFAULT_FORMAT


def format_stem(stem: str, name: str) -> str:
    """The report's file stem in format `name`: the default keeps `stem`; another is `stem（八部分）`."""
    return stem if name == DEFAULT_FORMAT else f"{stem}（{name}）"


@dataclass(frozen=True)
class FormatRow:
    """One format as `formats` lists it: installed (bundled), copied into the year folder, chosen by the year."""

    name: str
    description: str
    file: str
    installed: bool
    in_year: bool = False
    chosen: bool = False

    @property
    def status(self) -> str:
        """"已安装" / "（未安装）", and "年度文件夹中有修改版" when the year holds its own copy."""
        shown = "已安装" if self.installed else NOT_INSTALLED
        return shown + ("；年度文件夹中有修改版" if self.in_year else "")


@dataclass(frozen=True)
class FormatList:
    """Every bundled format, which one the year uses (with a year folder), and what stopped reading its choice."""

    formats: tuple[FormatRow, ...]
    chosen: str | None
    findings: tuple[Finding, ...] = ()
