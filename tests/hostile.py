"""Hostile and broken workbook files, built from code (no binary blobs).

`build_hostile(folder)` writes every case into `folder` and returns them with the finding
code `read_workbook` must give (None: the file must read). Cases that need an optional
test dependency (xlwt for .xls, msoffcrypto-tool for real encryption) are left out
when it is missing; `missing_optional()` says which.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import random
import struct
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import openpyxl


@dataclass(frozen=True)
class Case:
    name: str  # the file name, as a department would send it
    expect: str | None  # the finding code read_workbook returns, None if the file reads
    why: str


MB = 1024 * 1024
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


# ---- a minimal .xlsx written part by part ---------------------------------------------------------

def content_types(extra: str = "") -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        f"{extra}</Types>"
    )


def package_parts(sheet_xml: str | None = None, shared_strings: str | None = None) -> dict[str, str]:
    """The parts of a one-sheet workbook named "填报"."""
    rels = f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    extra = ""
    if shared_strings is not None:
        rels += f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        extra = ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                 'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    parts = {
        "[Content_Types].xml": content_types(extra),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{REL_NS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="{REL_NS}">'
            '<sheets><sheet name="填报" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships">{rels}</Relationships>'
        ),
        "xl/worksheets/sheet1.xml": sheet_xml if sheet_xml is not None else sheet([("A1", 1)]),
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    return parts


def sheet(cells: list[tuple[str, float]], dimension: str = "", prolog: str = "") -> str:
    """A worksheet part with numeric cells, e.g. [("A1", 1), ("C3", 2.5)]."""
    rows: dict[int, list[str]] = {}
    for ref, value in cells:
        rows.setdefault(int(ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")), []).append(
            f'<c r="{ref}"><v>{value}</v></c>')
    body = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<worksheet {NS}>{dim}'
            f"<sheetData>{body}</sheetData></worksheet>")


def write_zip(path: Path, parts: Mapping[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def write_valid_xlsx(path: Path) -> Path:
    """A small real workbook saved by openpyxl: text, numbers, a date, data from C3."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "基本信息"
    ws["A1"] = "部门基本信息"
    ws["C3"] = dt.date(2017, 9, 1)
    ws["D3"] = 12
    ws["E3"] = "2017.9.1"
    book.save(path)
    return path


# ---- hostile zips ---------------------------------------------------------------------------------

def write_bomb(path: Path, megabytes: int = 500) -> Path:
    """One worksheet of `megabytes` MB of repetitive XML, deflated to ~1/170 of that."""
    parts: dict[str, str | bytes] = dict(package_parts())
    del parts["xl/worksheets/sheet1.xml"]
    block = b"<row><c><v>0</v></c></row>" * 40_000  # ~1 MB
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode())
            for _ in range(megabytes * MB // len(block)):
                part.write(block)
            part.write(b"</sheetData></worksheet>")
    return path


def write_lying_bomb(path: Path, megabytes: int = 100) -> Path:
    """A bomb whose zip headers declare 1 KB for the sheet (with the CRC of its first 1 KB)."""
    write_bomb(path, megabytes)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
        with archive.open(info) as part:
            head = part.read(1024)
    crc = zlib.crc32(head)
    struct.pack_into("<I", data, info.header_offset + 14, crc)  # local header: crc, sizes at 14, 18, 22
    struct.pack_into("<I", data, info.header_offset + 22, len(head))
    central = _central_entry(data, info.filename)
    struct.pack_into("<I", data, central + 16, crc)  # central entry: crc, sizes at 16, 20, 24
    struct.pack_into("<I", data, central + 24, len(head))
    path.write_bytes(bytes(data))
    return path


def _central_entry(data: bytearray, name: str) -> int:
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + length] == name.encode():
            return at
        at = data.find(b"PK\x01\x02", at + 4)
    raise ValueError(name)


def billion_laughs() -> str:
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    return f"<!DOCTYPE worksheet [{entities}]>"


def write_too_many_entries(path: Path) -> Path:
    parts: dict[str, str | bytes] = dict(package_parts())
    parts.update({f"xl/media/image{i}.png": b"" for i in range(1200)})
    return write_zip(path, parts)


def write_docx(path: Path) -> Path:
    return write_zip(path, {
        "[Content_Types].xml": content_types(),
        "word/document.xml": '<?xml version="1.0"?><w:document xmlns:w="urn:w"><w:body/></w:document>',
    })


# ---- OLE2 compound files --------------------------------------------------------------------------

FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE2 compound file (v3, 512-byte sectors, every stream >= 4096 bytes, one FAT sector)."""
    names = list(streams)
    body = b""
    fat = [FAT_SECTOR, END]  # sector 0: the FAT, sector 1: the directory
    entries = [_dir_entry("Root Entry", 5, child=1 if names else NO_STREAM, start=END, size=0)]
    for i, name in enumerate(names):
        data = streams[name].ljust(4096, b"\0")
        data += b"\0" * (-len(data) % 512)
        first = len(fat)
        count = len(data) // 512
        fat += [first + k + 1 for k in range(count - 1)] + [END]
        right = i + 2 if i + 1 < len(names) else NO_STREAM  # a right-leaning chain of siblings
        entries.append(_dir_entry(name, 2, right=right, start=first, size=len(streams[name])))
        body += data
    if len(entries) > 4 or len(fat) > 128:
        raise ValueError("too many streams for this minimal writer")
    entries += [_dir_entry("", 0, start=0, size=0)] * (4 - len(entries))
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 0x28, 0, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into("<I", header, 0x4C, 0)  # DIFAT[0]: the FAT is sector 0
    for k in range(1, 109):
        struct.pack_into("<I", header, 0x4C + 4 * k, FREE)
    fat_sector = struct.pack("<128I", *(fat + [FREE] * (128 - len(fat))))
    return bytes(header) + fat_sector + b"".join(entries) + body


def _dir_entry(name: str, kind: int, *, child: int = NO_STREAM, right: int = NO_STREAM,
               start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return struct.pack("<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, NO_STREAM, right, child,
                       b"\0" * 16, 0, 0, 0, start, size)


def write_encrypted_lookalike(path: Path) -> Path:
    """What Excel writes for a password-protected .xlsx: an OLE2 file with EncryptionInfo."""
    path.write_bytes(compound_file({
        "EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00" + bytes(range(200)),
        "EncryptedPackage": random.Random(1).randbytes(6000),
    }))
    return path


def write_encrypted_real(path: Path, source: Path) -> Path:
    """A real password-protected .xlsx (needs msoffcrypto-tool, a test-only dependency)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    with source.open("rb") as plain, path.open("wb") as out:
        OOXMLFile(plain).encrypt("密码123", out)
    return path


def write_xls(path: Path) -> Path:
    """A real .xls in the 1900 date system (needs xlwt, a test-only dependency)."""
    import xlwt

    book = xlwt.Workbook()
    ws = book.add_sheet("基本信息")
    ws.write(0, 0, "部门基本信息")
    ws.write(2, 2, dt.date(2017, 9, 1), xlwt.easyxf(num_format_str="YYYY-MM-DD"))
    ws.write(2, 3, 12)
    ws.write(2, 4, "2017.9.1")
    book.save(str(path))
    return path


def write_bad_ole_header(path: Path) -> Path:
    """An .xls whose header declares 2^32-1 DIFAT sectors (calamine would allocate 16 GB)."""
    data = bytearray(compound_file({"Workbook": b"\x09\x08" + bytes(5000)}))
    struct.pack_into("<I", data, 0x48, 0xFFFFFFFF)
    path.write_bytes(bytes(data))
    return path


# ---- the folder -----------------------------------------------------------------------------------

def has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def missing_optional() -> list[str]:
    return [m for m in ("xlwt", "msoffcrypto") if not has(m)]


def build_hostile(folder: Path, *, bomb_mb: int = 500) -> list[Case]:
    """Write every hostile case into `folder`; return what reading each must give."""
    folder.mkdir(parents=True, exist_ok=True)
    cases: list[tuple[str, str | None, str, Callable[[Path], object]]] = [
        ("空文件.xlsx", "file-empty", "0 bytes", lambda p: p.write_bytes(b"")),
        ("乱码.xlsx", "file-not-workbook", "random bytes",
         lambda p: p.write_bytes(random.Random(7).randbytes(5000))),
        ("表格.xlsx", "file-not-workbook", "a CSV renamed",
         lambda p: p.write_text("部门,联络员\n教务处,张三\n", encoding="gbk")),
        ("扫描件.xlsx", "file-not-workbook", "a PDF renamed",
         lambda p: p.write_bytes(b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n")),
        ("网页导出.xls", "file-not-workbook", "HTML saved as .xls",
         lambda p: p.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")),
        ("大文件.xlsx", "file-too-large", "60 MB (sparse)", lambda p: _sparse(p, 60 * MB)),
        ("不完整.xlsx", "file-corrupt", "a real xlsx cut in half", _truncated),
        ("加密.xlsx", "file-encrypted", "OLE2 with EncryptionInfo", write_encrypted_lookalike),
        ("压缩炸弹.xlsx", "file-unsafe", f"{bomb_mb} MB of sheet XML", lambda p: write_bomb(p, bomb_mb)),
        ("谎报大小.xlsx", "file-unsafe", "bomb with 1 KB declared", lambda p: write_lying_bomb(p, 50)),
        ("巨大范围.xlsx", None, "declared A1:XFD1048576, one cell",
         lambda p: write_zip(p, package_parts(sheet([("A1", 1)], "A1:XFD1048576")))),
        ("远处单元格.xlsx", "file-unsafe", "cells at A1 and XFD1048576",
         lambda p: write_zip(p, package_parts(sheet([("A1", 1), ("XFD1048576", 2)])))),
        ("超出范围.xlsx", "file-unsafe", "a cell at XFE1 (outside Excel's grid)",
         lambda p: write_zip(p, package_parts(sheet([("A1", 1), ("XFE1", 2)])))),
        ("共享字符串.xlsx", "file-unsafe", "sharedStrings uniqueCount=4e9", _sst_bomb),
        ("实体炸弹.xlsx", "file-unsafe", "billion laughs DOCTYPE",
         lambda p: write_zip(p, package_parts(sheet([("A1", 1)], prolog=billion_laughs())))),
        ("部件过多.xlsx", "file-unsafe", "1,200 zip entries", write_too_many_entries),
        ("文档.xlsx", "file-not-workbook", "a .docx renamed", write_docx),
        ("坏文件头.xls", "file-corrupt", "OLE2 header with 2^32-1 DIFAT sectors", write_bad_ole_header),
        ("正常.xlsx", None, "a valid small xlsx", write_valid_xlsx),
    ]
    if has("xlwt"):
        cases.append(("旧格式.xls", None, "a valid .xls (xlwt)", write_xls))
    if has("msoffcrypto"):
        cases.append(("真加密.xlsx", "file-encrypted", "encrypted by msoffcrypto-tool",
                      lambda p: write_encrypted_real(p, write_valid_xlsx(folder / "_plain.tmp"))))
    built = []
    for name, expect, why, make in cases:
        make(folder / name)
        built.append(Case(name, expect, why))
    (folder / "_plain.tmp").unlink(missing_ok=True)
    return built


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as f:
        f.write(b"PK\x03\x04")
        f.truncate(size)


def _truncated(path: Path) -> None:
    write_valid_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _sst_bomb(path: Path) -> None:
    strings = f'<?xml version="1.0"?><sst {NS} count="1" uniqueCount="4000000000"><si><t>hi</t></si></sst>'
    cell = (f'<?xml version="1.0"?><worksheet {NS}><sheetData>'
            '<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>')
    write_zip(path, package_parts(cell, strings))


# ---- hostile Word templates ----------------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_with(source: Path, path: Path, body: str = "", rels: str = "",
              parts: Mapping[str, str | bytes] | None = None) -> Path:
    """A copy of the .docx `source` with `body` (WordprocessingML paragraphs) added before the section
    properties, `rels` (Relationship elements) added to the document's relationships, and `parts` put in."""
    with zipfile.ZipFile(source) as archive:
        contents: dict[str, str | bytes] = {name: archive.read(name) for name in archive.namelist()}
    document = bytes(contents["word/document.xml"]).decode()  # type: ignore[arg-type]
    at = document.rfind("<w:sectPr")
    contents["word/document.xml"] = document[:at] + body + document[at:]
    relationships = bytes(contents["word/_rels/document.xml.rels"]).decode()  # type: ignore[arg-type]
    contents["word/_rels/document.xml.rels"] = relationships.replace("</Relationships>", rels + "</Relationships>")
    contents.update(parts or {})
    return write_zip(path, contents)


def many_paragraphs(source: Path, path: Path, count: int) -> Path:
    """The template `source` with `count` more short paragraphs, each different (120,000 make a 1.5 MB file)."""
    rng = random.Random(count)
    words = "学院信息公开年度报告条件申请部门"
    texts = ("".join(rng.choices(words, k=4)) + rng.randbytes(3).hex() for _ in range(count))
    return docx_with(source, path, "".join(f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" for text in texts))


def png(width: int = 40, height: int = 40) -> bytes:
    """A red PNG image, made without an image library."""
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _picture(rel_id: str, attribute: str = "r:link") -> str:
    return ('<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
            '<wp:extent cx="914400" cy="914400"/><wp:docPr id="901" name="图片"/>'
            '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
            '<a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
            '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr>'
            '<pic:cNvPr id="901" name="图片"/><pic:cNvPicPr/></pic:nvPicPr>'
            f'<pic:blipFill><a:blip {attribute}="{rel_id}" xmlns:r="{REL_NS}"/><a:stretch><a:fillRect/></a:stretch>'
            '</pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="914400" cy="914400"/></a:xfrm>'
            '<a:prstGeom prst="rect"/></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def _field(instruction: str, shown: str) -> str:
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>'
            f'<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>{shown}</w:t></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def _external(rel_id: str, kind: str, target: str) -> str:
    return f'<Relationship Id="{rel_id}" Type="{REL_NS}/{kind}" Target="{target}" TargetMode="External"/>'


def reaching_template(source: Path, path: Path, url: str, local_file: Path) -> Path:
    """The template `source` reaching out every way a .docx can: an image linked to `url` and one to
    `local_file` (a PNG), a `file:` and a UNC hyperlink, INCLUDETEXT of `local_file`, INCLUDEPICTURE of
    `url`, LINK and DDEAUTO fields, a linked OLE object, and an attached template on a share."""
    local = local_file.as_uri()
    link = _field("LINK Excel.Sheet.12 &quot;C:\\\\数据.xlsx&quot; Sheet1!R1C1", "链接")
    picture = _field(f"INCLUDEPICTURE &quot;{url}/field.png&quot; \\d", "引用的图片")
    body = (f"<w:p><w:r><w:t>网上的图片</w:t></w:r>{_picture('rIdR1')}</w:p>"
            f"<w:p><w:r><w:t>本机的图片</w:t></w:r>{_picture('rIdR2')}</w:p>"
            f'<w:p><w:hyperlink r:id="rIdR3"><w:r><w:t>本机文件链接</w:t></w:r></w:hyperlink></w:p>'
            f'<w:p><w:hyperlink r:id="rIdR4"><w:r><w:t>共享文件夹链接</w:t></w:r></w:hyperlink></w:p>'
            f'<w:p>{_field(f"INCLUDETEXT &quot;{local_file}&quot;", "引用的文字")}</w:p>'
            f"<w:p>{picture}</w:p><w:p>{link}</w:p>"
            f'<w:p><w:fldSimple w:instr=" DDEAUTO cmd &quot;/c calc&quot; "><w:r><w:t>动态交换</w:t></w:r>'
            '</w:fldSimple></w:p>'
            '<w:p><w:r><w:object><o:OLEObject xmlns:o="urn:schemas-microsoft-com:office:office" Type="Link" '
            f'ProgID="Excel.Sheet.12" r:id="rIdR5" xmlns:r="{REL_NS}"/></w:object></w:r></w:p>')
    rels = (_external("rIdR1", "image", f"{url}/image.png") + _external("rIdR2", "image", local)
            + _external("rIdR3", "hyperlink", local) + _external("rIdR4", "hyperlink", "\\\\fileserver\\share\\x.docx")
            + _external("rIdR5", "oleObject", "file:///C:/数据.xlsx"))
    settings = _attached_template(source)
    return docx_with(source, path, body, rels, settings)


def _attached_template(source: Path) -> dict[str, str | bytes]:
    """settings.xml with an attached template on a share, and its relationship."""
    with zipfile.ZipFile(source) as archive:
        settings = archive.read("word/settings.xml").decode()
    head, _, tail = settings.partition(">")
    at = tail.find(">") + 1  # after <w:settings …>
    settings = (head + ">" + tail[:at] + f'<w:attachedTemplate r:id="rIdT1" xmlns:r="{REL_NS}"/>' + tail[at:])
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + _external("rIdT1", "attachedTemplate", "\\\\fileserver\\templates\\公文.dotm") + "</Relationships>")
    return {"word/settings.xml": settings, "word/_rels/settings.xml.rels": rels}


def linked_template(source: Path, path: Path, url: str) -> Path:
    """The template `source` with what can be taken out without changing the report: a hyperlink to `url`
    and an attached template on a share."""
    body = (f'<w:p><w:r><w:t>学院主页：</w:t></w:r><w:hyperlink r:id="rIdL1"><w:r><w:t>{url}</w:t></w:r>'
            "</w:hyperlink></w:p>")
    return docx_with(source, path, body, _external("rIdL1", "hyperlink", url), _attached_template(source))


def macro_template(source: Path, path: Path) -> Path:
    """A macro-enabled document (.docm) renamed .docx: its main part's content type says so."""
    with zipfile.ZipFile(source) as archive:
        types = archive.read("[Content_Types].xml").decode()
    types = types.replace("wordprocessingml.document.main+xml", "ms-word.document.macroEnabled.main+xml")
    macros = b"\xd0\xcf" + bytes(600)
    return docx_with(source, path, parts={"[Content_Types].xml": types, "word/vbaProject.bin": macros})
