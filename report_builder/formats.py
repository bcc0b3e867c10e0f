"""The report formats: which Word template each is, what it is for, and which parts it must have.

An office chooses one in its workbook (年度总表 › 基本信息 › 报告格式) or with `build --format`; blank is
本校格式 when the year folder holds `年度报告模板.docx`, else the default, 三部分 (`year_format`). Each bundled
format is a .docx under templates/ (bundled in the wheel as `_templates`); a year folder may hold an edited
copy of 八部分 or 政府格式 under the same file name (`formats --copy`), used instead of the bundled one.
本校格式 (OWN_FORMAT) has no bundled file: it is the year folder's `年度报告模板.docx`, and its parts are the
headings that template declares (report.template_parts). Each bundled part accepts the wordings schools use
(`PART_VARIANTS`, docs/formats.md). Reports of different formats of one year keep separate version series
(`format_stem`: a suffix unless the format is the year's own).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from report_builder.findings import Finding

__all__ = ["BUNDLED", "DEFAULT_FORMAT", "FORMATS", "FORMAT_NAMES", "OWN_FORMAT", "OWN_TEMPLATE", "PART_VARIANTS",
           "FormatList", "FormatRow", "ReportFormat", "ReportFormatName", "bundled_template", "choose_format",
           "format_stem", "format_text", "links_required", "year_format"]

ReportFormatName = Literal["三部分", "八部分", "政府格式", "本校格式"]  # the drop-down of 基本信息 › 报告格式
FORMAT_NAMES: tuple[str, ...] = get_args(ReportFormatName)
DEFAULT_FORMAT = "三部分"
OWN_FORMAT = "本校格式"  # the year folder's own template, its parts its own headings
OWN_TEMPLATE = "年度报告模板.docx"  # 本校格式's file in a year folder (the name of the default's bundled file)
NOT_INSTALLED = "（未安装）"


@dataclass(frozen=True)
class ReportFormat:
    """One bundled format: its template file under templates/, a Chinese description, its required parts."""

    name: str
    file: str
    description: str
    parts: tuple[str, ...] = ()  # the headings a template of this format must have (filled by its author)
    links: bool = False  # its 清单 table gives each 已公开 item's column link: departments are asked for them
    own: bool = False  # 本校格式: no bundled file; its parts are the headings of the year's template


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
    ReportFormat(OWN_FORMAT, OWN_TEMPLATE,
                 "本校自己的结构：年度文件夹中的年度报告模板.docx，应有部分是模板中“一、”“二、”……开头的各部分标题",
                 own=True),
)}
assert tuple(FORMATS) == FORMAT_NAMES  # one list of names: the schema's drop-down and the registry
BUNDLED: tuple[str, ...] = tuple(name for name, f in FORMATS.items() if not f.own)  # with a file under templates/

# The wordings schools use for a bundled part (besides the part itself): a heading written so is that part.
# Compared with spaces, width and 、，：《》“”（） ignored, 学校/学院/大学/本校 read as the school's 自称
# (report.publication). docs/formats.md lists them; tests/test_formats.py checks that it does.
PART_VARIANTS: dict[str, tuple[str, ...]] = {
    "一、信息公开工作情况概述": ("一、概述", "一、信息公开工作概述", "一、工作概述", "一、总体情况", "一、基本情况"),
    "二、{{ 自称 }}信息公开情况": ("二、信息公开情况", "二、学校信息公开工作情况", "二、信息公开工作情况",
                                "二、主要工作情况"),
    "三、主要问题和改进措施": ("三、主要问题及改进措施", "三、存在的主要问题和改进措施", "三、存在的主要问题及改进措施",
                          "三、存在问题及改进措施", "三、存在的问题和改进措施", "三、存在的主要问题及改进情况"),
    "一、概述": ("一、信息公开工作概述", "一、信息公开工作情况概述", "一、总体情况", "一、基本情况"),
    "二、主动公开情况": ("二、主动公开信息情况", "二、主动公开信息的情况", "二、主动公开工作情况"),
    "三、依申请公开和不予公开情况": ("三、依申请公开情况", "三、依申请公开和不予公开的情况",
                               "三、依申请公开信息和不予公开信息的情况", "三、依申请公开及不予公开情况"),
    "四、对信息公开的评议情况": ("四、对信息公开工作的评议情况", "四、信息公开评议情况", "四、对学校信息公开的评议情况",
                            "四、对信息公开的评议"),
    "五、因{{ 自称 }}信息公开工作受到举报、复议、诉讼的情况": (
        "五、因信息公开工作受到举报、复议、诉讼的情况", "五、信息公开工作受到举报、复议、诉讼的情况",
        "五、因学校信息公开工作受到举报、复议、诉讼等情况", "五、举报、复议、诉讼情况"),
    "六、新做法新举措、主要经验、问题和改进措施": (
        "六、信息公开工作的经验做法、存在问题和改进措施", "六、信息公开工作的主要经验、存在的主要问题和改进措施",
        "六、信息公开工作的主要经验、问题和改进措施", "六、主要经验、存在问题和改进措施",
        "六、新做法新举措、主要经验、存在问题和改进措施", "六、工作经验、存在问题和改进措施"),
    "七、其他需要报告的事项": ("七、其他需要说明的事项", "七、其他事项"),
    "八、附：清单事项公开情况表": ("八、《清单》事项公开情况表", "八、清单事项公开情况表",
                              "八、附件：清单事项公开情况表", "八、附：信息公开事项清单公开情况表",
                              "八、附：《高等学校信息公开事项清单》公开情况表"),
    "一、总体情况": ("一、基本情况", "一、概述"),
    "五、存在的主要问题及改进情况": ("五、存在的主要问题及改进措施", "五、存在的主要问题和改进情况",
                               "五、主要问题及改进措施"),
}
assert set(PART_VARIANTS) <= {part for f in FORMATS.values() for part in f.parts}

_BUNDLED_DIRS = (
    Path(__file__).resolve().parents[1] / "templates",  # a checkout
    Path(__file__).resolve().parent / "_templates",  # an installed wheel
)


def bundled_template(name: str) -> Path | None:
    """The bundled .docx of format `name`, or None when it is not installed (or the name is unknown, or 本校格式)."""
    known = FORMATS.get(name)
    if known is None or known.own:
        return None
    return next((folder / known.file for folder in _BUNDLED_DIRS if (folder / known.file).is_file()), None)


def links_required(office_choice: str | None) -> bool:
    """Whether the office's chosen format prints each 清单 item's column link (so departments must give it)."""
    chosen = FORMATS.get(office_choice or DEFAULT_FORMAT)
    return chosen is not None and chosen.links


def format_text() -> str:
    """"三部分、八部分、政府格式": the names for a Chinese message."""
    return "、".join(FORMAT_NAMES)


def year_format(office_choice: str | None, has_own: bool) -> str:
    """The year's own format (what a build uses without `--format`): the office workbook's 报告格式, else
    本校格式 when the year has its own template (`年度报告模板.docx`, or `--template`), else the default."""
    return office_choice or (OWN_FORMAT if has_own else DEFAULT_FORMAT)


def choose_format(option: str | None, office_choice: str | None, has_own: bool = False) -> str | Finding:
    """The format of a build: `--format`, else the year's own (`year_format`).

    An unknown `--format` is a finding naming the valid ones (the workbook's cell is checked on reading).
    """
    if option is not None:
        name = option.strip()
        if name not in FORMATS:
            return Finding("format-unknown", "--format", value=option, detail="可选：" + format_text())
        return name
    return year_format(office_choice, has_own)


def format_stem(stem: str, name: str, own: str = DEFAULT_FORMAT) -> str:
    """The report's file stem in format `name`: the year's own format `own` keeps `stem`; another is
    `stem（八部分）`."""
    return stem if name == own else f"{stem}（{name}）"


@dataclass(frozen=True)
class FormatRow:
    """One format as `formats` lists it: installed (bundled, or for 本校格式 in the year folder), copied into
    the year folder, chosen by the year. `installed` is whether a build can use it."""

    name: str
    description: str
    file: str
    installed: bool
    in_year: bool = False
    chosen: bool = False
    own: bool = False  # 本校格式: the year folder's own template

    @property
    def status(self) -> str:
        """"已安装" / "（未安装）", and "年度文件夹中有修改版" when the year holds its own copy; for 本校格式
        "年度文件夹中有模板" / "（年度文件夹中没有 年度报告模板.docx）"."""
        if self.own:
            return "年度文件夹中有模板" if self.installed else f"（年度文件夹中没有 {self.file}）"
        shown = "已安装" if self.installed else NOT_INSTALLED
        return shown + ("；年度文件夹中有修改版" if self.in_year else "")


@dataclass(frozen=True)
class FormatList:
    """Every bundled format, which one the year uses (with a year folder), and what stopped reading its choice."""

    formats: tuple[FormatRow, ...]
    chosen: str | None
    findings: tuple[Finding, ...] = ()
