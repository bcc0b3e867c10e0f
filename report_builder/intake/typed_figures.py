"""Last year's figures typed by the office, for the first year built with this tool (`build --from 上年数字.xlsx`).

Any workbook whose first visible sheet (after a 填表说明) lists, one a row, a figure's name in column A
and last year's value in column B (`主动公开条数 | 1000`); a header row (`名称 | 数值`) and blank rows are
skipped. A name that is not a figure, a value that is not a whole number, or a name given twice is an error
at its cell; a blank value means "unknown" (`未知`). Untrusted: call it in a worker (`pipeline` does).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from report_builder.findings import Finding
from report_builder.intake.cells import is_blank, parse_int, show
from report_builder.intake.name_rules import last_year_name_problem
from report_builder.intake.reader import RawSheet, read_workbook
from report_builder.schema import INSTRUCTIONS_SHEET, MAX_LAST_YEAR_VALUE
from report_builder.vocabulary import FIGURES, LAST_YEAR

__all__ = ["HEADERS", "read_typed_figures"]

HEADERS = frozenset({"名称", "数字名称", "数字", "项目"})  # column A of a header row


def read_typed_figures(path: Path) -> tuple[dict[str, int | None], tuple[Finding, ...]]:
    """The figures typed in the workbook at `path` (name → value, None when blank) and the findings."""
    raw = read_workbook(path, path.name)
    if isinstance(raw, Finding):
        return {}, (raw,)
    sheet = next((s for s in raw.sheets if not s.hidden and s.name != INSTRUCTIONS_SHEET), None)
    if sheet is None:
        return {}, (Finding("last-year-not-found", path.name, detail="工作簿中没有可读的工作表"),)
    return _figures(path.name, sheet)


def _figures(file: str, sheet: RawSheet) -> tuple[dict[str, int | None], tuple[Finding, ...]]:
    names = [t.name for t in FIGURES]
    figures: dict[str, int | None] = {}
    findings: list[Finding] = []
    for row0 in range(len(sheet.rows)):
        label, raw = sheet.value(row0, 0), sheet.value(row0, 1)
        if is_blank(label):
            continue
        name = unicodedata.normalize("NFKC", show(label)).strip().removeprefix(f"{LAST_YEAR}.")
        if name in HEADERS:
            continue
        if name not in names:
            if not is_blank(raw):  # an untyped row is not used: nothing to say
                findings.append(Finding("last-year-unknown-name", file, sheet.name, f"A{row0 + 1}", show(label),
                                        last_year_name_problem(name, names)))
            continue
        if name in figures:
            findings.append(Finding("duplicate-row", file, sheet.name, f"A{row0 + 1}", name, f"“{name}”写了两次"))
            continue
        parsed = parse_int(raw) if not is_blank(raw) else None
        if parsed is not None and parsed.code and Finding(parsed.code).is_error:
            findings.append(Finding(parsed.code, file, sheet.name, f"B{row0 + 1}", show(raw), parsed.detail))
            continue
        value = parsed.value if parsed is not None and isinstance(parsed.value, int) else None
        if value is not None and not 0 <= value <= MAX_LAST_YEAR_VALUE:  # the 上年数字 sheet's bounds
            findings.append(Finding("last-year-figure-invalid", file, sheet.name, f"B{row0 + 1}", show(raw),
                                    f"“{name}”应在 0 至 {MAX_LAST_YEAR_VALUE:,} 之间"))
            continue
        figures[name] = value
    if not figures and not findings:
        findings.append(Finding("last-year-not-found", file, sheet.name,
                                detail="表中没有数字：A 列写数字名称（如 主动公开条数），B 列写上年的数值"))
    return figures, tuple(findings)
