"""数据来源: the workbook beside each report version that says where every figure comes from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import ColumnDimension, DimensionHolder

from report_builder.outputs.excel import HEADER_FILL, WRAP, fix_properties, stream_cell, stream_value
from report_builder.schema import FIRST_DATA_ROW

if TYPE_CHECKING:
    from report_builder.report.sources import FigureUse

__all__ = ["SOURCES_HEADERS", "SOURCES_SHEET", "sources_workbook"]

SOURCES_SHEET = "数据来源"
SOURCES_HEADERS = ("数据名称", "数值", "所在句子 / 来源部门", "文件", "工作表", "单元格", "填写的值")
_TITLE = "报告中每个数字的来源：先列数字及其所在句子，下面是汇总它的各部门单元格"
_WIDTHS = (16, 8, 60, 18, 12, 12, 14)
_BOLD = Font(bold=True)
_TITLE_FONT = Font(bold=True, size=14)


def sources_workbook(figures: Sequence[FigureUse], *, max_rows: int = 1_000_000) -> Workbook:
    """One row per figure shown in the report (name, value, sentence), its contributing cells below it.

    `figures` come from report_builder.report.sources.figure_uses. Written in openpyxl's streaming
    mode: a large year has many rows.
    """
    wb = Workbook(write_only=True)
    fix_properties(wb)
    ws: WriteOnlyWorksheet = wb.create_sheet(SOURCES_SHEET)
    # set in openpyxl's WriteOnlyWorksheet._setup; the stubs miss it
    columns: DimensionHolder[str, ColumnDimension] = vars(ws)["column_dimensions"]
    for column, width in enumerate(_WIDTHS, 1):
        columns[get_column_letter(column)].width = width
    ws.freeze_panes = f"A{FIRST_DATA_ROW}"
    ws.append([stream_cell(ws, _TITLE, _TITLE_FONT)])
    ws.append([stream_cell(ws, text, _BOLD, HEADER_FILL) for text in SOURCES_HEADERS])
    written = FIRST_DATA_ROW
    for figure in figures:
        ws.append([stream_cell(ws, figure.name, _BOLD), stream_cell(ws, figure.value, _BOLD),
                   stream_cell(ws, figure.sentence, _BOLD, alignment=WRAP)])
        for source in figure.sources:
            if written >= max_rows:
                ws.append([None, None, stream_cell(ws, "（来源过多，以下从略）")])
                return wb
            values = (source.department or "（年度总表）", source.file, source.sheet, source.cell, source.value)
            ws.append([None, None, *(stream_value(ws, v) for v in values)])
            written += 1
        written += 1
    return wb
