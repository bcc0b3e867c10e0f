"""The government format's tables as figures: rows, columns, how each record counts, the identities.

The 2021 format (国办公开办函〔2021〕30号) publishes three tables. 表二 (主动公开) holds figures the office
types in 年度总表 › 政府信息数据. 表三 (依申请公开) counts the departments' applications by applicant type
(columns) and by outcome with its sub-reasons (rows); 表四 (复议诉讼) counts their cases by path and
result. Each cell is one figure name (`不予公开_国家秘密件数_自然人`; the 总计 column has no suffix), so a
template writes any cell, the MOE format uses the same figures (its outcomes are the row groups), and
`上年.结转下年度件数_自然人` is last year's carry. `identities` are the printed rules the tables obey
(一 + 二 = 三 + 四 per column, 总计 = the applicant columns, each reason group = its outcome row).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import get_args

from report_builder.schema import (
    ApplicantType,
    Application,
    Case,
    CaseKind,
    CaseResult,
    Outcome,
    RefusalReason,
)

__all__ = [
    "APPLICANTS", "APPLICATION_ROWS", "CARRIED_IN", "CARRIED_OUT", "CASE_COLUMNS", "CASE_ROWS", "DISCLOSURE_ROWS",
    "FINISHED", "Identity", "NEW", "OUTCOMES", "OUTCOME_GROUPS", "REASONS", "TableRow", "application_counts",
    "case_counts", "identities", "identifier", "moe_counts", "outcome_figure", "outcome_group", "per_applicant",
    "reason_figure",
    "refusal_figure", "table_figures",
]

APPLICANTS: tuple[str, ...] = get_args(ApplicantType)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
REASONS: tuple[str, ...] = get_args(RefusalReason)
NEW, CARRIED_IN, FINISHED, CARRIED_OUT = "依申请公开件数", "上年结转件数", "办结件数", "结转下年度件数"


def identifier(text: str) -> str:
    """The characters of `text` a template name can hold: "危及“三安全一稳定”" → "危及三安全一稳定"."""
    return "".join(ch for ch in text if ("_" + ch).isidentifier())


def outcome_group(outcome: str) -> str:
    """"无法提供（本单位不掌握相关信息）" → "无法提供": the outcome the MOE report counts."""
    return outcome.partition("（")[0]


OUTCOME_GROUPS: tuple[str, ...] = tuple(dict.fromkeys(map(outcome_group, OUTCOMES)))


def outcome_figure(outcome: str) -> str:
    """"予以公开" → "予以公开件数"; "无法提供（本单位不掌握相关信息）" → "无法提供_本单位不掌握相关信息件数"."""
    group, _, detail = outcome.partition("（")
    return f"{group}_{identifier(detail)}件数" if detail else f"{group}件数"


def refusal_figure(reason: str) -> str:
    """A 不予公开 application by its reason (表三 三（三）1–8): "不予公开_国家秘密件数"."""
    return f"不予公开_{identifier(reason)}件数"


def reason_figure(reason: str) -> str:
    """The MOE report's reasons, of 部分公开 and 不予公开 together: "国家秘密理由件数"."""
    return f"{reason}理由件数"


def per_applicant(figure: str, applicant: str | None) -> str:
    """A cell of an applicant's column: "予以公开件数_自然人"; None is the 总计 column (the figure itself)."""
    return f"{figure}_{applicant}" if applicant else figure


@dataclass(frozen=True, slots=True)
class TableRow:
    """A row of a government table: its printed label and figure; `parts` are figures that add up to it."""

    label: str
    figure: str
    parts: tuple[str, ...] = ()


_OFFICIAL = {  # the government format's words for each sub-reason (ours are shorter, for a drop-down)
    "国家秘密": "1.属于国家秘密", "法律行政法规禁止公开": "2.其他法律行政法规禁止公开",
    "危及“三安全一稳定”": "3.危及“三安全一稳定”", "保护第三方合法权益": "4.保护第三方合法权益",
    "三类内部事务信息": "5.属于三类内部事务信息", "四类过程性信息": "6.属于四类过程性信息",
    "行政执法案卷": "7.属于行政执法案卷", "行政查询事项": "8.属于行政查询事项",
    "本单位不掌握相关信息": "1.本机关不掌握相关政府信息", "没有现成信息需要另行制作": "2.没有现成信息需要另行制作",
    "补正后申请内容仍不明确": "3.补正后申请内容仍不明确", "信访举报投诉类申请": "1.信访举报投诉类申请",
    "重复申请": "2.重复申请", "要求提供公开出版物": "3.要求提供公开出版物",
    "无正当理由大量反复申请": "4.无正当理由大量反复申请",
    "要求确认或重新出具已获取信息": "5.要求行政机关确认或重新出具已获取信息",
    "申请人逾期不补正": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "申请人逾期未缴纳费用": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "其他": "3.其他",
}
_NUMERALS = "一二三四五六七"


def _outcome_rows() -> tuple[TableRow, ...]:
    rows: list[TableRow] = []
    for n, group in enumerate(OUTCOME_GROUPS):
        subs = [o for o in OUTCOMES if outcome_group(o) == group and o != group]
        if group == "不予公开":
            details = [(_OFFICIAL[r], refusal_figure(r)) for r in REASONS]
        else:
            details = [(_OFFICIAL[o.partition("（")[2].rstrip("）")], outcome_figure(o)) for o in subs]
        rows.append(TableRow(f"（{_NUMERALS[n]}）{group}", f"{group}件数", tuple(f for _, f in details)))
        rows += [TableRow(label, figure) for label, figure in details]
    return tuple(rows)


_OUTCOME_ROWS = _outcome_rows()
APPLICATION_ROWS: tuple[TableRow, ...] = (  # 表三, top to bottom
    TableRow("一、本年新收政府信息公开申请数量", NEW),
    TableRow("二、上年结转政府信息公开申请数量", CARRIED_IN),
    *_OUTCOME_ROWS,
    TableRow(f"（{_NUMERALS[len(OUTCOME_GROUPS)]}）总计", FINISHED, tuple(f"{g}件数" for g in OUTCOME_GROUPS)),
    TableRow("四、结转下年度继续办理", CARRIED_OUT),
)

# 表四: three paths, each with four results and a total (row: 件数; column: result).
CASE_PATHS: dict[str, str] = {"行政复议": "行政复议", "行政诉讼（未经复议直接起诉）": "直接起诉",
                              "行政诉讼（复议后起诉）": "复议后起诉"}
CASE_RESULTS: tuple[str, ...] = get_args(CaseResult)
CASE_COLUMNS: tuple[str, ...] = tuple(f"结果{r}" if r in ("维持", "纠正") else r for r in CASE_RESULTS) + ("总计",)
CASE_ROWS: tuple[TableRow, ...] = tuple(TableRow(path, f"{short}件数", tuple(f"{short}_{r}件数" for r in CASE_RESULTS))
                                        for path, short in CASE_PATHS.items())
CASE_KINDS: tuple[str, ...] = get_args(CaseKind)

# 表二: the office's figures (年度总表 › 政府信息数据; schema.OfficeDisclosure titles them).
DISCLOSURE_ROWS: tuple[TableRow, ...] = tuple(TableRow(label, figure) for label, figure in (
    ("规章 本年制发件数", "规章本年制发件数"), ("规章 本年废止件数", "规章本年废止件数"),
    ("规章 现行有效件数", "规章现行有效件数"),
    ("行政规范性文件 本年制发件数", "规范性文件本年制发件数"),
    ("行政规范性文件 本年废止件数", "规范性文件本年废止件数"),
    ("行政规范性文件 现行有效件数", "规范性文件现行有效件数"),
    ("行政许可 本年处理决定数量", "行政许可决定件数"), ("行政处罚 本年处理决定数量", "行政处罚决定件数"),
    ("行政强制 本年处理决定数量", "行政强制决定件数"), ("行政事业性收费 本年收费金额（元）", "行政事业性收费金额"),
))


def table_figures() -> tuple[str, ...]:
    """Every figure of 表三 (each row in each column) and 表四, in the tables' order."""
    rows = [r.figure for r in APPLICATION_ROWS]
    cells = [per_applicant(f, a) for f in rows for a in (*APPLICANTS, None)]
    cases = [name for r in CASE_ROWS for name in (*r.parts, r.figure)]
    return (*cells, *cases)


# ---- how one record counts ------------------------------------------------------------------------

def application_counts(a: Application, window: tuple[dt.date, dt.date]) -> list[tuple[str, str]]:
    """The figures one application adds 1 to, each with the field it is counted by (for 数据来源).

    Received before the window: carried over from last year (二); else new (一). Answered by the
    window's end with an outcome: finished (三, by outcome and reason); else carried into next year (四)."""
    start, end = window
    counts = [(CARRIED_IN if a.received < start else NEW, "received")]
    if a.answered is not None and a.answered <= end and a.outcome is not None:
        group = outcome_group(a.outcome)
        counts += [(FINISHED, "outcome"), (f"{group}件数", "outcome")]
        if a.outcome != group:
            counts.append((outcome_figure(a.outcome), "outcome"))
        if group == "不予公开" and a.reason is not None:
            counts.append((refusal_figure(a.reason), "reason"))
    else:
        counts.append((CARRIED_OUT, "answered"))
    return [*counts, *((per_applicant(name, a.applicant), field) for name, field in counts)]


def moe_counts(a: Application, window: tuple[dt.date, dt.date]) -> list[tuple[str, str]]:
    """The MOE report's own figures: reasons of 部分公开 and 不予公开 together, replies on time."""
    if a.answered is None or a.answered > window[1] or a.outcome is None:
        return []
    found = [("按期答复件数", "on_time")] if a.on_time == "是" else []
    if a.reason is not None and a.outcome in ("部分公开", "不予公开"):
        found.append((reason_figure(a.reason), "reason"))
    return found


def case_counts(c: Case) -> list[tuple[str, str]]:
    """The figures one case adds 1 to: 举报件数, 行政复议件数 / 行政诉讼件数 and its 表四 cell."""
    if c.kind not in CASE_PATHS:
        return [(f"{c.kind}件数", "kind")]
    short = CASE_PATHS[c.kind]
    found = [(f"{short}件数", "kind"), (f"{short}_{c.result}件数", "result")]
    return found + ([("行政诉讼件数", "kind")] if c.kind.startswith("行政诉讼") else [])


# ---- identities ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Identity:
    """A printed rule of a table: `left` figures add up to `right` figures (names, not values)."""

    table: str  # "表三"
    row: str  # the row (or rule) it checks, as printed
    column: str  # "自然人", "总计"…
    left: tuple[str, ...]
    right: tuple[str, ...]

    def holds(self, values: Mapping[str, int]) -> bool:
        return sum(values.get(n, 0) for n in self.left) == sum(values.get(n, 0) for n in self.right)


def identities() -> tuple[Identity, ...]:
    """Every rule 表三 and 表四 obey, one per column where the rule is per column."""
    found: list[Identity] = []
    for applicant in (*APPLICANTS, None):
        column = applicant or "总计"

        def cells(*names: str, applicant: str | None = applicant) -> tuple[str, ...]:
            return tuple(per_applicant(name, applicant) for name in names)

        found.append(Identity("表三", "一 + 二 = 三（七）总计 + 四", column, cells(NEW, CARRIED_IN),
                              cells(FINISHED, CARRIED_OUT)))
        found += [Identity("表三", row.label, column, cells(row.figure), cells(*row.parts))
                  for row in APPLICATION_ROWS if row.parts]
    found += [Identity("表三", f"{row.label}：总计 = 各类申请人之和", "总计", (row.figure,),
                       tuple(per_applicant(row.figure, a) for a in APPLICANTS)) for row in APPLICATION_ROWS]
    found += [Identity("表四", row.label, "总计", (row.figure,), row.parts) for row in CASE_ROWS]
    return tuple(found)
