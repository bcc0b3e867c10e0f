"""Cheap checks on an untrusted Word file (.docx) before any parser sees it.

A template found in the year folder, or a .docx given to `diff`, may be hostile: a zip bomb,
an entity declaration, a password-protected or renamed file, a symlink to somewhere else.
`precheck_document` looks at the file's type, the zip directory (the same limits as for
workbooks: report_builder.intake.packages) and the raw bytes of its XML parts; it never parses XML.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from report_builder.findings import Finding
from report_builder.intake.packages import (
    MAX_FILE_BYTES,
    OLE_MAGIC,
    ZIP_ERRORS,
    ZIP_MAGIC,
    check_entries,
    chunks,
    declares_entities,
    describe,
    describe_zip,
    ole_streams,
    size_over,
)

__all__ = ["MAX_DOCUMENT_BYTES", "precheck_document"]

MAX_DOCUMENT_BYTES = MAX_FILE_BYTES
_XML_SUFFIXES = (".xml", ".rels")
_CODES = {"file-unsafe": "document-unsafe", "file-encrypted": "document-encrypted", "file-corrupt": "document-corrupt"}


def precheck_document(path: Path, display_name: str) -> Finding | None:
    """Return a finding if the file must not reach a Word parser (python-docx, docxtpl, the redline engine)."""
    try:
        if path.is_symlink():
            return Finding("document-unsafe", display_name, detail="是一个指向其他位置的链接（符号链接），不会打开")
        if not path.is_file():
            return Finding("document-not-docx", display_name, detail="不是普通文件")
        size = path.stat().st_size
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return Finding("document-unreadable", display_name, detail="无法打开文件")
    if size == 0:
        return Finding("document-not-docx", display_name, detail="文件大小为 0 字节")
    if size > MAX_DOCUMENT_BYTES:
        return Finding("document-unsafe", display_name, detail=size_over(size, MAX_DOCUMENT_BYTES))
    if head.startswith(OLE_MAGIC):
        return _ole_document(path, display_name)
    if not head.startswith(ZIP_MAGIC):
        return Finding("document-not-docx", display_name, detail=describe(head))
    code, detail = _zip_document(path, size)
    return Finding(code, display_name, detail=detail) if code else None


def _ole_document(path: Path, display_name: str) -> Finding:
    """An OLE2 file is never a .docx: a password-protected one, or an old .doc."""
    try:
        streams = _ole_streams_of(path)
    except (OSError, ValueError):
        streams = set()
    if streams & {"EncryptionInfo", "EncryptedPackage"}:
        return Finding("document-encrypted", display_name)
    if "WordDocument" in streams:
        return Finding("document-not-docx", display_name, detail="是旧版 Word 文档（.doc）")
    return Finding("document-not-docx", display_name, detail="是 Office 复合文档，但不是 Word 文档（.docx）")


def _ole_streams_of(path: Path) -> set[str]:
    import mmap

    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        return ole_streams(data)


def _zip_document(path: Path, size: int) -> tuple[str, str]:
    """("", "") when the package looks like a safe .docx, else (code, detail)."""
    try:
        with zipfile.ZipFile(path) as archive:
            problem = check_entries(archive, size)
            if problem is not None:
                detail = problem.detail.replace("Excel", "Word")
                return _CODES.get(problem.code, "document-unsafe"), detail
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                what = "看起来是 Excel 工作簿" if "xl/workbook.xml" in names else describe_zip(names)
                return "document-not-docx", what.replace("看起来是 Word 文档（.docx）", "缺少正文部件")
            for info in archive.infolist():
                if info.filename.lower().endswith(_XML_SUFFIXES) and _declares_entities(archive, info):
                    return "document-unsafe", "XML 中含有 DOCTYPE/ENTITY 声明"
            macro = _macro_content(archive, names)
            if macro:
                return "document-macro", macro
    except ZIP_ERRORS:
        return "document-corrupt", "压缩结构不完整"
    return "", ""


_MACRO_PARTS = ("vbaproject.bin", "vbadata.xml")


def _macro_content(archive: zipfile.ZipFile, names: set[str]) -> str:
    """What makes the package macro-enabled (a .docm renamed .docx, macros or ActiveX controls), or ""."""
    types = archive.read("[Content_Types].xml")  # bounded: check_entries limited every part's size
    if b"macroenabled" in types.lower():
        return "是启用宏的 Word 文档（.docm），只是改了扩展名"
    if any(name.lower().endswith(_MACRO_PARTS) for name in names):
        return "含有宏（VBA 代码）"
    if any(name.lower().startswith("word/activex/") for name in names):
        return "含有 ActiveX 控件"
    return ""


def _declares_entities(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    return any(declares_entities(chunk) for chunk in chunks(archive, info))
