"""Cheap checks on an untrusted file before any parser sees it.

`precheck` looks at sizes, magic bytes, the zip directory and the raw bytes of the
XML parts; it never parses the workbook, never resolves an entity and reads at most
`CHUNK_BYTES` at a time, so a hostile file costs the caller little time and memory.
What it rejects (all measured on python-calamine 0.9.1):

- zip bombs and absurd archives (entry count, total size, compression ratio);
- any DOCTYPE or ENTITY declaration (billion laughs, external entities);
- a sheet whose cells spread over a huge area: calamine allocates the whole
  bounding box (A1 and XFD1048576 → 512 GB → the process aborts);
- a shared-string table whose `uniqueCount` is larger than its part could hold
  (calamine reserves that many strings up front → the process aborts);
- an OLE2 header whose sector tables are larger than the file.

A huge declared `<dimension ref=...>` alone is *not* rejected: calamine 0.9.1 ignores
it (A1:XFD1048576 with one cell reads in 10 MB), and the reader never trusts it.

The same scan notes, per worksheet, what calamine does not say (`SheetMarks`): cells showing
an Excel error (#REF!) and formulas with no cached value (calamine reads both as ""), and
hidden rows. `precheck` works on a path or on the bytes the caller will parse.
"""

from __future__ import annotations

import html
import io
import mmap
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from report_builder.findings import Finding
from report_builder.intake.packages import (
    CHUNK_BYTES,
    MAX_FILE_BYTES,
    OLE_MAGIC,
    ZIP_ERRORS,
    ZIP_MAGIC,
    Problem,
    check_entries,
    chunks,
    declares_entities,
    describe,
    describe_zip,
    ole_streams,
    size_over,
)
from report_builder.ooxml import column_number

__all__ = ["MAX_COLUMNS", "MAX_MARKS", "MAX_ROWS", "MAX_SHEET_CELLS", "SheetMarks", "is_old_format", "precheck"]

MAX_SHEET_CELLS = 2_000_000  # rows × columns counted from A1, as the reader lays them out
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # Excel's grid
MAX_MARKS = 100_000  # error cells, formulas without value and hidden rows noted per sheet (memory bound)

_XML_SUFFIXES = (".xml", ".rels", ".vml")
_CELL = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?c\s[^>]*?\br="([A-Z]{1,4})([0-9]{1,8})"[^>/]*>')
_UNIQUE_COUNT = re.compile(rb'<(?:[A-Za-z_][\w.-]*:)?sst\b[^>]*?\buniqueCount="([0-9]+)"')
_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(sheet|Relationship)\s[^>]*>")
_ATTR = re.compile(rb'([\w:]+)\s*=\s*"([^"]*)"')
_NS = rb"(?:[A-Za-z_][\w.-]*:)?"  # an optional namespace prefix
_REF = re.compile(rb"""\br=["']([A-Z]{1,4})([0-9]{1,8})["']""")
_ERROR_CELL = re.compile(rb"<" + _NS + rb"""c\s[^>]*?\bt=["']e["'][^>]*>""")
_ERROR_TEXT = re.compile(  # after the cell's start tag: an optional formula, then the value
    rb"\s*(?:<" + _NS + rb"f\b[^>]*?/>|<" + _NS + rb"f\b[^>]*>[^<]*</" + _NS + rb"f>)?\s*<" + _NS + rb"v>([^<]*)<")
_FORMULA_CELL = re.compile(  # a cell holding a formula and no value, or an empty one
    rb"<" + _NS + rb"c\s([^>]*)>\s*<" + _NS + rb"f\b[^>]*?(?:/>|>([^<]*)</" + _NS + rb"f>)\s*"
    rb"(<" + _NS + rb"v\s*/>|<" + _NS + rb"v>\s*</" + _NS + rb"v>)?\s*</" + _NS + rb"c>")
_TEXT_TYPE = re.compile(rb"""\bt=["'](?:str|s|inlineStr)["']""")
_HIDDEN_ROW = re.compile(rb"<" + _NS + rb"""row\s[^>]*?\bhidden=["'](?:1|true)["'][^>]*>""")
_ROW_NUMBER = re.compile(rb"""\br=["']([0-9]{1,8})["']""")


@dataclass
class SheetMarks:
    """What the scan saw in one worksheet that calamine does not report. Positions are 0-based (row, col)."""

    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # cell showing "#REF!", "#DIV/0!"…
    no_value: dict[tuple[int, int], str] = field(default_factory=dict)  # formula (its text) with no value
    hidden_rows: set[int] = field(default_factory=set)  # 1-based row numbers

    def full(self) -> bool:
        return len(self.errors) + len(self.no_value) + len(self.hidden_rows) >= MAX_MARKS


def precheck(source: Path | bytes, display_name: str, marks: dict[str, SheetMarks] | None = None,
             ) -> Finding | None:
    """Return a finding if the file (a path, or its bytes) must not reach a parser, else None.

    With `marks`, fill it with each worksheet's `SheetMarks`, by sheet name (.xlsx only).
    """
    if isinstance(source, bytes):
        size, head = len(source), source[:4096]
    else:
        try:
            size = source.stat().st_size
            with source.open("rb") as f:
                head = f.read(4096)
        except OSError:
            return Finding("file-read-failed", display_name, detail="无法打开文件")
    problem = _check(source, size, head, marks)
    if problem is None:
        return None
    return Finding(problem.code, display_name, sheet=problem.sheet, detail=problem.detail)


def is_old_format(source: Path | bytes) -> bool:
    """True for an OLE2 compound file (an .xls, or an encrypted .xlsx)."""
    if isinstance(source, bytes):
        return source.startswith(OLE_MAGIC)
    with source.open("rb") as f:
        return f.read(len(OLE_MAGIC)) == OLE_MAGIC


def _check(source: Path | bytes, size: int, head: bytes, marks: dict[str, SheetMarks] | None = None,
           ) -> Problem | None:
    if size == 0:
        return Problem("file-empty", "文件大小为 0 字节")
    if size > MAX_FILE_BYTES:
        return Problem("file-too-large", size_over(size, MAX_FILE_BYTES))
    if head.startswith(ZIP_MAGIC):
        return _check_zip(source, size, marks)
    if head.startswith(OLE_MAGIC):
        return _check_ole(source, size)
    return Problem("file-not-workbook", describe(head))


# ---- zip (.xlsx) ----------------------------------------------------------------------------------

def _check_zip(source: Path | bytes, size: int, marks: dict[str, SheetMarks] | None = None,
               ) -> Problem | None:
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as archive:
            return check_entries(archive, size) or _check_workbook_names(archive) or _check_parts(archive, marks)
    except ZIP_ERRORS:
        return Problem("file-corrupt", "压缩结构不完整")


def _check_workbook_names(archive: zipfile.ZipFile) -> Problem | None:
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return Problem("file-not-workbook", describe_zip(names))
    return None


def _check_parts(archive: zipfile.ZipFile, marks: dict[str, SheetMarks] | None = None) -> Problem | None:
    """Scan every part: a sheet may hide under any name (calamine follows the relationships);
    DOCTYPE is looked for in XML parts and sheets only (an .svg image may well have one).
    With `marks`, note what each worksheet part holds that calamine does not report."""
    sheets = _sheet_names(archive)
    for info in archive.infolist():
        xml = info.filename.lower().endswith(_XML_SUFFIXES) or info.filename in sheets
        sheet_marks = None
        if marks is not None and info.filename in sheets:
            sheet_marks = marks.setdefault(sheets[info.filename], SheetMarks())
        problem = _scan_part(archive, info, xml, sheet_marks)
        if problem is not None:
            return Problem(problem.code, problem.detail, sheets.get(info.filename, ""))
    return None


def _scan_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, xml: bool, marks: SheetMarks | None = None,
               ) -> Problem | None:
    """Stream one part: no DOCTYPE/ENTITY, sane sharedStrings, cells within bounds; fill `marks`."""
    max_row = max_column = 0
    for index, chunk in enumerate(chunks(archive, info)):
        if marks is not None and not marks.full():
            _mark(chunk, marks)
        if xml and declares_entities(chunk):
            return Problem("file-unsafe", "XML 中含有 DOCTYPE/ENTITY 声明")
        match = _UNIQUE_COUNT.search(chunk) if index == 0 and b"uniqueCount" in chunk else None
        if match and int(match[1]) > info.file_size // 5:  # an <si/> takes at least 5 bytes
            return Problem("file-unsafe", "共享字符串表声明的条数远超其实际内容")
        cells = _CELL.findall(chunk)
        if cells:  # zip/map/set keep the per-cell work in C
            columns, rows = zip(*cells, strict=True)
            max_row = max(max_row, max(map(int, rows)))
            max_column = max(max_column, max(map(column_number, set(columns))))
    if max_row > MAX_ROWS or max_column > MAX_COLUMNS:
        return Problem("file-unsafe", "有单元格位于 Excel 表格范围之外")
    if max_row * max_column > MAX_SHEET_CELLS:
        spread = f"{max_row} 行 × {max_column} 列"
        return Problem("file-unsafe", f"工作表的内容范围达 {spread}，远处可能有误填的单元格")
    return None


def _mark(chunk: bytes, marks: SheetMarks) -> None:
    """Note error cells, formulas with no value and hidden rows; one fast byte search rules out most chunks."""
    if b't="e"' in chunk or b"t='e'" in chunk:
        for tag in _ERROR_CELL.finditer(chunk):
            if (ref := _REF.search(tag[0])) is not None:
                text = _ERROR_TEXT.match(chunk, tag.end())
                value = html.unescape(text[1].decode("utf-8", "replace")).strip() if text else ""
                marks.errors[_position(ref)] = value[:20] or "#VALUE!"
    if b"<f" in chunk or b":f" in chunk:
        for cell in _FORMULA_CELL.finditer(chunk):
            attrs = cell[1]
            ref = _REF.search(attrs)
            if ref is None or attrs.endswith(b"/") or _position(ref) in marks.errors:
                continue
            if cell[3] is not None and _TEXT_TYPE.search(attrs):
                continue  # a text formula whose value is "": a blank result, not a missing one
            formula = html.unescape((cell[2] or b"").decode("utf-8", "replace"))[:100]
            marks.no_value[_position(ref)] = formula
    if b"hidden=" in chunk:
        for row in _HIDDEN_ROW.finditer(chunk):
            if (number := _ROW_NUMBER.search(row[0])) is not None:
                marks.hidden_rows.add(int(number[1]))


def _position(ref: re.Match[bytes]) -> tuple[int, int]:
    return int(ref[2]) - 1, column_number(ref[1]) - 1


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Map worksheet part names to sheet names, best effort (for messages only)."""
    try:
        workbook = archive.read("xl/workbook.xml")[:CHUNK_BYTES]
        rels = archive.read("xl/_rels/workbook.xml.rels")[:CHUNK_BYTES]
    except (KeyError, *ZIP_ERRORS):
        return {}
    targets: dict[bytes, str] = {}
    for tag in _TAG.finditer(rels):
        attrs = {key.split(b":")[-1]: value for key, value in _ATTR.findall(tag[0])}
        target = attrs.get(b"Target", b"").decode("utf-8", errors="replace").lstrip("/")
        targets[attrs.get(b"Id", b"")] = target if target.startswith("xl/") else f"xl/{target}"
    names: dict[str, str] = {}
    for tag in _TAG.finditer(workbook):
        attrs = {key.split(b":")[-1]: value for key, value in _ATTR.findall(tag[0])}
        if (part := targets.get(attrs.get(b"id", b""))) is not None:
            names[part] = html.unescape(attrs.get(b"name", b"").decode("utf-8", errors="replace"))
    return names


# ---- OLE2 (.xls, or an encrypted .xlsx) ---------------------------------------------------------

def _check_ole(source: Path | bytes, size: int) -> Problem | None:
    if isinstance(source, bytes):
        if size < 512 or not _ole_header_ok(source[:512], size):
            return Problem("file-corrupt", "文件头不完整或有误")
        streams = ole_streams(source)
    else:
        with source.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if size < 512 or not _ole_header_ok(data[:512], size):
                return Problem("file-corrupt", "文件头不完整或有误")
            streams = ole_streams(data)
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        return Problem("file-encrypted", "")
    if streams & {"Workbook", "Book"}:
        return None
    if "WordDocument" in streams:
        return Problem("file-not-workbook", "看起来是 Word 文档（.doc）")
    if "PowerPoint Document" in streams:
        return Problem("file-not-workbook", "看起来是 PowerPoint 演示文稿（.ppt）")
    return Problem("file-not-workbook", "是 Office 复合文档，但其中没有 Excel 工作表")


def _ole_header_ok(header: bytes, size: int) -> bool:
    """The sector tables the header declares must fit in the file (calamine trusts them)."""
    shift: int = struct.unpack_from("<H", header, 0x1E)[0]
    if shift not in (9, 12):
        return False
    tables: tuple[int, ...] = tuple(struct.unpack_from("<I", header, at)[0] for at in (0x2C, 0x40, 0x48))
    return all(count <= size >> shift for count in tables)  # FAT, mini FAT, DIFAT sector counts


