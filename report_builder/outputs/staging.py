"""Where outputs go and what a failed write says: safe report names, PDF bytes, write failures as findings.

See docs/outputs.md. `versions` writes; this module names, converts and explains.
"""

from __future__ import annotations

import contextlib
import errno
import io
import itertools
import zipfile
from pathlib import Path

from lxml import etree

from report_builder.atomic import write_atomic
from report_builder.findings import Finding
from report_builder.names import MAX_STEM_BYTES, safe_stem
from report_builder.wordml import W, main_part, parse_part

INCOMPLETE_DETAIL = "缺少或无法识别同名的版本说明文件（.manifest.json）"
SOURCES_SUFFIX = ".数据来源.xlsx"
REPORT_TITLE = "信息公开工作年度报告"


def report_stem(school_name: str, year_label: str) -> str:
    """`<学校名称><年度名称>信息公开工作年度报告` from safe parts, at most MAX_STEM_BYTES bytes (school cut first)."""
    year = safe_stem(year_label, 60, fallback="")
    room = MAX_STEM_BYTES - len(year.encode()) - len(REPORT_TITLE.encode())
    return safe_stem(school_name, room, fallback="") + year + REPORT_TITLE


_TITLE_STYLE = "Title"  # a built-in style's w:name is English whatever the language of Word
_LOOKED_AT = 5  # non-empty paragraphs at the top where a title without the Title style is looked for


def titled_stem(docx: bytes, school_name: str, year_label: str) -> str:
    """The report's file name from the title its template rendered, so "…信息公开工作报告" is named so.

    The title is the paragraphs in the Title style that open the document (else the first of its
    first paragraphs that names a 报告), the school's name put first when the title lacks it (a title that
    holds it anywhere, "2022年某某学院…年度报告", is not given it twice).
    Without a title, or with one too long for a file name: `report_stem`."""
    try:
        title = "".join(_rendered_title(docx).split())
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError):
        title = ""
    school = "".join(school_name.split())
    if title and school and school not in title:
        title = school + title
    stem = safe_stem(title, 10 * MAX_STEM_BYTES, fallback="")
    return stem if stem and len(stem.encode()) <= MAX_STEM_BYTES else report_stem(school_name, year_label)


def _rendered_title(docx: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        body = parse_part(package.read(main_part(package))).find(W + "body")
        try:
            styles = parse_part(package.read("word/styles.xml"))
        except KeyError:
            styles = None
    title_ids = {s.get(W + "styleId") for s in styles.iter(W + "style")
                 if (name := s.find(W + "name")) is not None and name.get(W + "val") == _TITLE_STYLE
                 } if styles is not None else set()
    paragraphs = [] if body is None else [p for p in body if p.tag == W + "p"]
    texts = [(_style(p), "".join(t.text or "" for t in p.iter(W + "t")).strip()) for p in paragraphs]
    texts = [(style, text) for style, text in texts if text][:_LOOKED_AT]
    leading = "".join(text for _, text in itertools.takewhile(lambda t: t[0] in title_ids, texts))
    return leading or next((text for _, text in texts if "报告" in text or "年报" in text), "")


def _style(paragraph: etree._Element) -> str | None:
    found = paragraph.find(f"{W}pPr/{W}pStyle")
    return None if found is None else found.get(W + "val")


_WRITE_PROBLEMS = {
    errno.EACCES: "没有写入权限", errno.EPERM: "没有写入权限", errno.EROFS: "所在磁盘只读，不能写入",
    errno.ENOSPC: "磁盘空间不足", errno.EDQUOT: "磁盘配额已用完", errno.ENAMETOOLONG: "文件名或路径过长",
    errno.ENOTDIR: "路径中有同名的文件，不是文件夹", errno.EEXIST: "路径中有同名的文件，不是文件夹",
    errno.EIO: "磁盘读写错误",
}


def output_failure(folder: Path, error: OSError) -> Finding:
    """An output that could not be written, as a finding naming the folder and the cause in Chinese."""
    reason = _WRITE_PROBLEMS.get(error.errno or 0) or f"系统错误 {errno.errorcode.get(error.errno or 0, error.errno)}"
    return Finding("output-write-failed", str(folder), detail=reason)


def convert_pdf(docx: bytes, name: str) -> bytes | Finding:
    """The report as PDF bytes, through LibreOffice in a private folder; a finding when that cannot be done."""
    import tempfile

    from report_builder.outputs.pdf import PdfError, convert_to_pdf

    work = tempfile.gettempdir()
    try:
        with tempfile.TemporaryDirectory(prefix="report-builder-") as work:
            source = Path(work) / "report.docx"
            source.write_bytes(docx)
            return convert_to_pdf(source, Path(work) / "pdf").read_bytes()
    except PdfError as error:
        return Finding("pdf-failed", name, detail=error.reason)  # the catalog's hint says how to install it
    except OSError as error:
        return Finding("pdf-failed", name, detail=f"临时文件夹无法写入（{output_failure(Path(work), error).detail}）")


def add_pdf(report: Path) -> tuple[Finding, ...]:
    """The PDF of an existing whole version, when it has none yet (published all at once)."""
    target = report.with_suffix(".pdf")
    if target.is_file():
        return ()
    converted = convert_pdf(report.read_bytes(), report.name)
    if isinstance(converted, Finding):
        return (converted,)
    with contextlib.suppress(FileExistsError):  # another build made it meanwhile
        write_atomic(target, converted)
    return ()


FEEDBACK_SUFFIX = "_反馈"


def feedback_stem(attachment: str) -> str:
    """`<attachment stem>_反馈`, from safe parts and bounded, whatever the attachment's name."""
    return safe_stem(Path(attachment).stem, MAX_STEM_BYTES - len(FEEDBACK_SUFFIX.encode())) + FEEDBACK_SUFFIX
