"""Empty is not done (docs/season.md): each sheet a department reports on is answered, by content or by its
本部门本年度无此项 choice.

A department's template asks for every count (its count cells are blank) and has, in the first row of each
sheet it answers (`SheetSpec.answered`), the label 本部门本年度无此项 with a 是/否 choice to its right:

- nothing typed and 是 not chosen: `sheet-not-answered` at the choice's cell (for a count sheet this replaces
  the blank counts' `required` errors: one error says it);
- 是 chosen: blank counts read as 0; content all the same is read, with a `none-but-filled` warning;
- a workbook made before the choice existed (counts pre-filled with 0, no choice anywhere): a sheet left empty
  is no error there, but one in which every answered sheet is empty (all counts 0, no rows) is
  `form-untouched`, naming them.

The same rule for `check` and the desk: intake.checks.check_department applies it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

from report_builder.findings import Finding
from report_builder.intake.cells import is_blank
from report_builder.intake.reader import RawSheet, RawWorkbook
from report_builder.intake.sheets import RowCheck, SheetResult, match_header, norm, read_table
from report_builder.ooxml import cell_name
from report_builder.schema import DEPARTMENT_SHEETS, NOTHING_LABEL, TITLE_ROW, SheetSpec

__all__ = ["CHOSEN", "Answer", "answers", "check_answered"]

CHOSEN = frozenset({"是", "√", "✓", "✔", "☑"})  # what says 无此项 (the drop-down offers 是 and 否)
COUNT = "count"  # the field a count sheet (主动公开, 主动公开分类, 其他数字) asks for on each pre-filled row


@dataclass(frozen=True, slots=True)
class Answer:
    """How one answered sheet was answered."""

    spec: SheetSpec
    sheet: RawSheet
    control: str  # the cell of its 无此项 choice ("" when the sheet has none: a form made before it existed)
    nothing: bool  # 无此项 chosen
    typed: int  # cells the department typed: rows with content, or count cells not blank
    said: int  # of those, the ones that report something: any row; a count other than 0
    blank_counts: tuple[int, ...]  # 0-based rows of a count sheet whose count is blank


def answers(raw: RawWorkbook, sheets: Mapping[str, SheetResult]) -> dict[str, Answer]:
    """Each answered sheet present in the workbook (by key), as read (`sheets`: read_sheets' results)."""
    by_name = {s.name: s for s in raw.sheets}
    found = {}
    for spec in DEPARTMENT_SHEETS:
        result = sheets.get(spec.key)
        sheet = by_name.get(result.placement.sheet) if spec.answered and result is not None else None
        if sheet is None or result is None:
            continue
        control, nothing = _control(sheet)
        if COUNT in {c.field for c in spec.columns}:
            typed, said, blank = _counts(raw.file, sheet, spec)
        else:
            typed = said = result.tally.read
            blank = ()
        found[spec.key] = Answer(spec, sheet, control, nothing, typed, said, blank)
    return found


def check_answered(raw: RawWorkbook, sheets: dict[str, SheetResult],
                   rules: RowCheck) -> tuple[dict[str, SheetResult], list[Finding]]:
    """`sheets` with the answers applied (count sheets with 无此项 read again, blank counts as 0; an unanswered
    count sheet's blank-count errors folded into one) and the findings of the rule (module docstring)."""
    found: list[Finding] = []
    given = answers(raw, sheets)
    if not any(a.control for a in given.values()):  # a form made before the choice: only "all empty" is said
        empty = [a.sheet.name for a in given.values() if not a.said]
        if given and len(empty) == len(given):
            found.append(Finding("form-untouched", raw.file, empty[0],
                                 detail="“" + "”“".join(empty) + "”都是空的（条数都是 0）"))
        return sheets, found
    out = dict(sheets)
    for key, answer in given.items():
        place = answer.control
        if answer.nothing and answer.said:
            what = f"{answer.said} 处不为 0 的条数" if _is_count(answer) else f"{answer.said} 行内容"
            found.append(Finding("none-but-filled", raw.file, answer.sheet.name, place, "是", f"表中有{what}"))
        if answer.nothing and answer.blank_counts:
            out[key] = read_table(raw.file, _zero_counts(raw.file, answer), answer.spec, rules)
        elif not answer.nothing and not answer.typed:
            found.append(Finding("sheet-not-answered", raw.file, answer.sheet.name, place,
                                 detail=f"“{answer.sheet.name}”既没有填写，也没有选择“{NOTHING_LABEL}”"
                                 + ("" if place else "（本表第一行的这一栏已被删除）")))
            out[key] = _without_blank_counts(sheets[key], answer)
    return out, found


def _is_count(answer: Answer) -> bool:
    return COUNT in {c.field for c in answer.spec.columns}


def _control(sheet: RawSheet) -> tuple[str, bool]:
    """(the cell of the sheet's 无此项 choice, whether it says 是); ("", False) when the sheet has no label."""
    row = TITLE_ROW - 1
    first = sheet.rows[row] if sheet.rows else ()
    for column, value in enumerate(first):
        if isinstance(value, str) and norm(value) == NOTHING_LABEL:
            chosen = sheet.value(row, column + 1)
            return cell_name(row, column + 1), isinstance(chosen, str) and chosen.strip() in CHOSEN
    return "", False


def _counts(file: str, sheet: RawSheet, spec: SheetSpec) -> tuple[int, int, tuple[int, ...]]:
    """(count cells typed, of them not 0, 0-based rows with content whose count is blank) of a count sheet."""
    header, col_of, _ = match_header(file, sheet, spec)
    column = col_of.get(COUNT)
    if column is None:
        return 0, 0, ()
    others = [j for field, j in col_of.items() if field != COUNT]
    typed = said = 0
    blank = []
    for r in range(header + 1, len(sheet.rows)):
        value = sheet.value(r, column)
        if not is_blank(value):
            typed += 1
            said += value not in (0, "0", "０")
        elif any(not is_blank(sheet.value(r, j)) for j in others):
            blank.append(r)
    return typed, said, tuple(blank)


def _zero_counts(file: str, answer: Answer) -> RawSheet:
    """The sheet with 0 in each blank count of a row with content (what 无此项 says of them)."""
    _, col_of, _ = match_header(file, answer.sheet, answer.spec)
    column = col_of[COUNT]
    rows = list(answer.sheet.rows)
    for r in answer.blank_counts:
        row = list(rows[r]) + [None] * max(0, column + 1 - len(rows[r]))
        row[column] = 0
        rows[r] = tuple(row)
    return dataclasses.replace(answer.sheet, rows=tuple(rows))


def _without_blank_counts(result: SheetResult, answer: Answer) -> SheetResult:
    """An unanswered count sheet's result without the `required` error of each blank count (one error says it)."""
    if not answer.blank_counts:
        return result
    letter = result.placement.letters.get(COUNT, "")
    blank = {f"{letter}{r + 1}" for r in answer.blank_counts}
    kept = tuple(f for f in result.findings if not (f.code == "required" and f.cell in blank))
    return dataclasses.replace(result, findings=kept)

