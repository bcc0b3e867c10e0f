"""A workbook of one plain table (a header row and rows of text or numbers): the desk's board as Excel.

Every value goes through `excel.put`, so a department name or a reminder that starts with "=" stays text.
The same table always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from report_builder.outputs.excel import WRAP, cell_at, new_workbook, put, save_workbook, text_width, write_header

__all__ = ["table_workbook"]

MAX_WIDTH = 60  # Excel width units of the widest column; longer text wraps
WRAPPED_FROM = 40  # a column wider than this wraps its text


def table_workbook(sheet: str, header: Sequence[str], rows: Sequence[Sequence[str | int]]) -> bytes:
    """One sheet named `sheet`: `header` in bold on a frozen first row with filters, then `rows`; → .xlsx bytes.

    Text is always stored as text (never a formula); the columns are as wide as their text (at most 60 units)."""
    wb = new_workbook()
    ws = wb.create_sheet(sheet[:31] or "Sheet1")
    widths = [text_width(h) for h in header]
    for column, text in enumerate(header, start=1):
        write_header(cell_at(ws, 1, column), text)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            put(cell_at(ws, row_number, column), value)
            if column <= len(widths):
                widths[column - 1] = max(widths[column - 1], text_width(str(value)))
    for column, width in enumerate(widths, start=1):
        letter = get_column_letter(column)
        ws.column_dimensions[letter].width = min(width + 2, MAX_WIDTH)
        if width > WRAPPED_FROM:
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = WRAP
        else:
            for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    if header:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(len(rows) + 1, 1)}"
    return save_workbook(wb)
