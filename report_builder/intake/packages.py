"""What every Office package (.xlsx, .docx, and their OLE2 cousins) is checked for before a parser sees it.

Shared by intake.safety (workbooks) and intake.document_safety (Word files): the zip directory's
limits (entries, sizes, ratios, encryption, duplicates), reading a part in bounded chunks, spotting a
DOCTYPE/ENTITY declaration in raw bytes, the stream names of an OLE2 file, and saying in Chinese
what a file that is not the expected kind looks like. Nothing here parses XML.
"""

from __future__ import annotations

import mmap
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CHUNK_BYTES", "MAX_FILE_BYTES", "MB", "OLE_MAGIC", "ZIP_ERRORS", "ZIP_MAGIC", "Problem", "check_entries",
           "chunks", "declares_entities", "describe", "describe_zip", "ole_streams", "size_over"]

MB = 1024 * 1024
MAX_FILE_BYTES = 50 * MB
MAX_ZIP_ENTRIES = 1000
MAX_UNCOMPRESSED_BYTES = 200 * MB
MAX_RATIO = 100
RATIO_MIN_BYTES = 1 * MB
CHUNK_BYTES = 1 * MB

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be")
)
_DECLARATION_PREFIXES = tuple("<!".encode(e) for e in ("utf-8", "utf-16-le", "utf-16-be"))  # a cheap first look


@dataclass(frozen=True)
class Problem:
    """Why a file must not reach a parser: a finding code, a Chinese detail, the sheet if known."""

    code: str
    detail: str
    sheet: str = ""


def size_over(size: int, limit: int, what: str = "文件有") -> str:
    """"文件有 52,470,662 字节，上限 52,428,800 字节（50 MB）": both sizes exact (a rounded "50 MB，上限 50 MB"
    reads as a contradiction)."""
    return f"{what} {size:,} 字节，上限 {limit:,} 字节（{limit // MB} MB）"


def declares_entities(chunk: bytes) -> bool:
    """Whether raw XML bytes hold a DOCTYPE or ENTITY declaration (b"!" first: one fast search rules out most)."""
    return b"!" in chunk and any(p in chunk for p in _DECLARATION_PREFIXES) and any(m in chunk for m in _MARKERS)


# ---- what a non-workbook looks like ---------------------------------------------------------------

_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF 文件"),
    (b"\x89PNG", "图片文件"),
    (b"\xff\xd8\xff", "图片文件"),
    (b"GIF8", "图片文件"),
    (b"BM", "图片文件"),
    (b"Rar!", "RAR 压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "7z 压缩包"),
    (b"\x1f\x8b", "gzip 压缩包"),
    (b"PK\x05\x06", "空的 zip 压缩包"),
    (b"MZ", "Windows 程序文件"),
    (b"{\\rtf", "RTF 文档"),
)


def describe(head: bytes) -> str:
    """Say in Chinese what the first bytes of a file look like."""
    for magic, what in _SIGNATURES:
        if head.startswith(magic):
            return f"看起来是 {what}" if what[0].isascii() else f"看起来是{what}"
    text = _as_text(head)
    if text is None:
        return "无法识别的文件内容"
    lowered = text.lower()
    if "<html" in lowered or "<table" in lowered or "<!doctype html" in lowered:
        return "看起来是网页（HTML）文件，可能是从网页系统导出的表格"
    if "urn:schemas-microsoft-com:office:spreadsheet" in lowered:
        return "看起来是 XML 格式的表格（Excel 2003 XML）"
    if lowered.lstrip().startswith("<?xml"):
        return "看起来是 XML 文件"
    return "看起来是 CSV/文本文件"


def _as_text(head: bytes) -> str | None:
    """Decode the head of a text file, or None if it looks binary."""
    for bom, encoding in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        if head.startswith(bom):
            return head[len(bom):].decode(encoding, errors="replace")
    head = head.removeprefix(b"\xef\xbb\xbf")
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    if controls > len(head) // 100:
        return None
    return head.decode("utf-8", errors="replace")


# ---- zip ----------------------------------------------------------------------------------------

ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, struct.error,
               NotImplementedError, RuntimeError)


def check_entries(archive: zipfile.ZipFile, size: int) -> Problem | None:
    """The zip directory of any Office package: entry count, sizes, ratios, encryption, duplicates."""
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        return Problem("file-unsafe", f"包含 {len(infos)} 个部件，超过上限 {MAX_ZIP_ENTRIES}")
    for info in infos:
        if info.flag_bits & 0x1:
            return Problem("file-encrypted", "压缩包设有密码")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            return Problem("file-unsafe", "使用了 Excel 不会使用的压缩方式")
        if info.header_offset + info.compress_size > size:
            return Problem("file-corrupt", "文件不完整（可能未下载完）")
        if info.compress_size > info.file_size + info.file_size // 100 + 1024:
            return Problem("file-unsafe", "某个部件声明的大小与实际内容不符")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_BYTES and ratio > MAX_RATIO:
            return Problem("file-unsafe", f"某个部件的压缩比为 {ratio:.0f}:1，疑似“压缩炸弹”")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED_BYTES:
        return Problem("file-unsafe", size_over(total, MAX_UNCOMPRESSED_BYTES, "解压后有"))
    if len(set(archive.namelist())) < len(infos):  # which copy a parser reads is anyone's guess
        return Problem("file-unsafe", "包含重名的部件")
    return None


def describe_zip(names: set[str]) -> str:
    if "word/document.xml" in names:
        return "看起来是 Word 文档（.docx）"
    if any(name.startswith("ppt/") for name in names):
        return "看起来是 PowerPoint 演示文稿（.pptx）"
    if "content.xml" in names and "mimetype" in names:
        return "看起来是 OpenDocument 文件（如 WPS/LibreOffice 的 .ods）"
    return "看起来是普通的 zip 压缩包"


def chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The part's bytes in chunks, each starting where the previous one's last tag began
    (the last cell's, when there is one: an error cell's value stays with its cell)."""
    carry = b""
    with archive.open(info) as stream:
        while block := stream.read(CHUNK_BYTES):
            data = carry + block
            cut = data.rfind(b"<c ", max(0, len(data) - 4096))
            if cut <= 0:
                cut = data.rfind(b"<", max(0, len(data) - 4096))
            if cut <= 0:
                cut = len(data)
            carry = data[cut:]
            yield data[:cut]
    if carry:
        yield carry


# ---- OLE2 -----------------------------------------------------------------------------------------

_OLE_STREAMS = (
    "EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument", "PowerPoint Document",
)


def ole_streams(data: bytes | mmap.mmap) -> set[str]:
    """Names of the known streams among the directory entries (128-byte aligned records)."""
    found: set[str] = set()
    for name in _OLE_STREAMS:
        encoded = (name + "\0").encode("utf-16-le")
        for match in re.finditer(re.escape(encoded), data, flags=re.IGNORECASE):
            at = match.start()
            if at % 128 == 0 and at >= 512 and len(data) >= at + 67:
                length, kind = struct.unpack_from("<HB", data, at + 64)
                if length == len(encoded) and kind in (1, 2):
                    found.add(name)
                    break
    return found
