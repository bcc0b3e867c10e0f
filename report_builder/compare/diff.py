"""Comparing versions: Word redlines of two reports and cell changes of two workbooks.

`redline_docx` wraps the Docxodus engine (python-redlines) to write NEW with native Word
tracked changes against OLD; `accept_all` / `reject_all` read such a file back as plain
paragraph texts; `diff_workbooks` lists changed cells of two department workbooks.
Every file given is untrusted: it is pre-checked, then read in a worker process with a
memory and time cap (report_builder.isolation); the engine runs with a heap and time cap.
Every failure is a `DiffError` with a Chinese message (and a `Finding` when the user can fix it).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import re
import signal
import subprocess
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TypeVar

from docx import Document as open_docx
from lxml import etree

from report_builder.compare import paragraph_diff
from report_builder.findings import Finding
from report_builder.intake.document_safety import precheck_document
from report_builder.intake.reader import RawWorkbook, column_letter, read_workbook
from report_builder.isolation import Crash, run_isolated
from report_builder.ooxml import normalize_zip
from report_builder.outputs.versions import write_atomic

__all__ = [
    "CellChange",
    "DiffError",
    "RedlineSummary",
    "accept_all",
    "diff_workbooks",
    "format_cell_changes",
    "format_summary",
    "paragraph_texts",
    "redline_docx",
    "reject_all",
    "summarize_paragraphs",
]

_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
Mode = Literal["accept", "reject"]
T = TypeVar("T")

READ_MEMORY_MB, READ_TIMEOUT_S = 1500, 60.0  # per .docx read (python-docx/lxml hold the whole body)
WORKBOOK_MEMORY_MB, WORKBOOK_TIMEOUT_S = 500, 30.0  # per workbook read, as for `check`
ENGINE_HEAP_MB = 3000  # the redline engine's .NET heap (DOTNET_GCHeapHardLimit)
ENGINE_TIMEOUT_S = 180.0
MAX_PARAGRAPHS = 30_000  # per document; a yearly report has a few hundred, 16,000 compare in about 15 s
_CRASH_DETAIL = {"crashed": "读取时程序异常退出", "memory": "读取时占用内存超过上限", "timeout": "读取超时"}


class DiffError(Exception):
    """A comparison could not be made; `message` is Chinese and meant for the user.

    `finding` is set when the cause is in a file the user gave; `detail` keeps a tool's own
    (English) text for --debug, never for the message.
    """

    def __init__(self, message: str, *, finding: Finding | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.finding = finding
        self.detail = detail

    @classmethod
    def of(cls, finding: Finding, detail: str = "") -> DiffError:
        return cls(str(finding), finding=finding, detail=detail)


@dataclass(frozen=True)
class RedlineSummary:
    """Paragraph-level counts of what changed between two documents (empty paragraphs ignored)."""

    added: int
    deleted: int
    changed: int
    unchanged: int
    changes: tuple[tuple[str, str], ...] = ()
    added_texts: tuple[str, ...] = ()
    deleted_texts: tuple[str, ...] = ()
    moved_texts: tuple[str, ...] = ()

    @property
    def moved(self) -> int:
        """Paragraphs deleted in one place and added unchanged in another (not in added/deleted)."""
        return len(self.moved_texts)


@dataclass(frozen=True)
class CellChange:
    """One cell whose displayed value differs; "" stands for an empty cell or a missing sheet."""

    sheet: str
    cell: str
    old: str
    new: str


# ---------------------------------------------------------------- redline


def redline_docx(
    old: Path,
    new: Path,
    out: Path,
    *,
    author: str = "report-builder",
    date: str = "2000-01-01T00:00:00Z",
) -> RedlineSummary:
    """Write NEW with tracked changes against OLD to `out` (byte-reproducible); summarize."""
    _check_date(date)
    old_texts, new_texts = _read_documents([Path(old), Path(new)], "accept")
    for path, texts in ((old, old_texts), (new, new_texts)):
        if len(texts) > MAX_PARAGRAPHS:
            raise DiffError.of(Finding("compare-too-large", str(path), detail=(
                f"文件有 {len(texts)} 个段落，超过上限 {MAX_PARAGRAPHS}")))
    summary = summarize_paragraphs(old_texts, new_texts)
    raw = _run_engine(Path(old), Path(new), author, date)
    _write_atomic(out, _normalize_zip(raw))
    return summary


def _check_date(date: str) -> None:
    try:
        dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        raise DiffError(f"修订时间“{date}”格式有误，应为 2024-10-01T00:00:00Z 的形式。") from None


def _engine_command(old: Path, new: Path, target: Path, author: str, date: str) -> list[str]:
    """The Docxodus command line (python-redlines builds it; we run it ourselves, bounded)."""
    try:
        from python_redlines import DocxodusEngine

        engine: Any = DocxodusEngine()
    except (ImportError, OSError) as exc:
        raise DiffError(
            "未安装修订比对组件（python-redlines），无法生成修订版。"
            '请重新安装本工具（pip install .）后重试。'
        ) from exc
    command: list[str] = engine._build_command(author, str(old), str(new), str(target), date_time=date)
    return command


def _run_engine(old: Path, new: Path, author: str, date: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="report-builder-redline-") as scratch:
        target = Path(scratch) / "redline.docx"
        command = _engine_command(old, new, target, author, date)
        code, output = _run_bounded(command, Path(scratch))
        files = f"{old.name}、{new.name}"
        if code is None:
            raise DiffError.of(Finding("compare-too-large", files, detail=(
                f"修订比对超过 {ENGINE_TIMEOUT_S:.0f} 秒仍未完成，已停止")), output)
        if code != 0:
            if "OutOfMemory" in output:
                raise DiffError.of(Finding("compare-too-large", files, detail=(
                    f"修订比对占用内存超过上限 {ENGINE_HEAP_MB} MB")), output)
            raise DiffError.of(Finding("compare-failed", files, detail=f"退出码 {code}"), output)
        try:
            data = target.read_bytes()
        except OSError:
            data = b""
    if not data:
        raise DiffError("修订比对组件没有生成结果文件。", detail=output)
    return data


def _run_bounded(command: list[str], scratch: Path) -> tuple[int | None, str]:
    """Run the engine in its own process group, heap-capped; kill the whole group on timeout.

    Returns (exit code, None on timeout; the start of its output, for --debug only: English).
    """
    env = {**os.environ, "DOTNET_GCHeapHardLimit": hex(ENGINE_HEAP_MB * 1024 * 1024),
           "DOTNET_CLI_TELEMETRY_OPTOUT": "1"}
    with (scratch / "engine.log").open("w+b") as log:
        try:
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                       start_new_session=True, env=env)
        except OSError as exc:
            raise DiffError("无法运行修订比对组件。请重新安装本工具（pip install .）后重试。",
                            detail=str(exc)) from exc
        try:
            code = process.wait(timeout=ENGINE_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            return None, _head(log)
        except BaseException:  # Ctrl-C: the engine must not outlive us
            _kill_group(process)
            raise
        return code, _head(log)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _head(log: IO[bytes]) -> str:
    log.seek(0)
    return log.read(65536).decode("utf-8", errors="replace").strip()


def _normalize_zip(data: bytes) -> bytes:
    """Fixed timestamps and entry order, and deletions before insertions in every story part."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as src:
            if "word/document.xml" not in src.namelist():
                raise DiffError("修订比对组件生成的文件不是 Word 文档。")
        return normalize_zip(data, lambda name, xml: _deletions_first(xml) if _STORY_PART.fullmatch(name) else xml)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DiffError("修订比对组件生成的文件已损坏。") from exc


_STORY_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def _deletions_first(xml: bytes) -> bytes:
    """Put a deletion before the insertion it replaces ("15" struck, then "16"), as Word does."""
    if b"<w:ins" not in xml:
        return xml
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise DiffError("修订比对组件生成的文件已损坏。") from exc
    for ins in list(root.iter(_NS + "ins")):
        after = ins.getnext()
        if after is not None and after.tag == _NS + "del" and not (ins.tail or "").strip():
            ins.addprevious(after)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _write_atomic(out: Path, data: bytes) -> None:
    try:
        write_atomic(Path(out), data, overwrite=True)
    except OSError as exc:
        raise DiffError(
            f"无法写入“{out}”：{exc.strerror or exc}。若该文件正在 Word 中打开，请先关闭。"
        ) from exc


# ---------------------------------------------------------------- reading paragraphs


def paragraph_texts(path: Path) -> list[str]:
    """Paragraph texts of a .docx in reading order, table cells included (changes accepted)."""
    return _read_documents([Path(path)], "accept")[0]


def accept_all(docx: Path) -> list[str]:
    """Paragraph texts of a tracked-changes document with every change accepted."""
    return _read_documents([Path(docx)], "accept")[0]


def reject_all(docx: Path) -> list[str]:
    """Paragraph texts of a tracked-changes document with every change rejected."""
    return _read_documents([Path(docx)], "reject")[0]


def _read_documents(paths: Sequence[Path], mode: Mode) -> list[list[str]]:
    """Pre-check every file, then read each in a capped worker; the first problem is a DiffError."""
    for path in paths:
        _require_file(path)
        problem = precheck_document(path, str(path))
        if problem is not None:
            raise DiffError.of(problem)
    results = run_isolated(lambda path: _texts(path, mode), paths, memory_mb=READ_MEMORY_MB,
                           timeout_s=READ_TIMEOUT_S)
    caps = ("compare-too-large", READ_MEMORY_MB, READ_TIMEOUT_S)
    return [_unwrap(result, path, caps) for path, result in zip(paths, results, strict=True)]


def _require_file(path: Path) -> None:
    if not path.is_file():
        raise DiffError(f"找不到文件“{path}”。")


def _unwrap(result: T | Finding | Crash, path: Path, caps: tuple[str, int, float]) -> T:
    """A worker's result, or the DiffError that says what went wrong with `path`.

    `caps` is (the finding code for a worker that crashed or hit a cap, its memory cap, its time cap).
    """
    if isinstance(result, Finding):
        raise DiffError.of(result)
    if isinstance(result, Crash):
        code, memory_mb, timeout_s = caps
        limit = {"memory": f"（上限 {memory_mb} MB）", "timeout": f"（上限 {timeout_s:.0f} 秒）"}
        detail = _CRASH_DETAIL[result.reason] + limit.get(result.reason, "")
        raise DiffError.of(Finding(code, str(path), detail=detail), result.detail)
    return result


def _texts(path: Path, mode: Mode) -> list[str] | Finding:
    """In a worker: the paragraph texts, or a finding when python-docx cannot read the file."""
    try:
        body = open_docx(str(path)).element.body
    except MemoryError:
        raise  # the worker reports it as a cap that was hit
    except etree.XMLSyntaxError as error:
        if _out_of_memory(error):
            raise MemoryError(str(error)) from error
        return Finding("document-corrupt", str(path), detail="Word 文档的内容无法解析")
    except Exception:  # python-docx raises many kinds on a bad file
        return Finding("document-corrupt", str(path), detail="Word 文档的内容无法解析")
    out: list[str] = []
    _read_blocks(body, mode, out)
    return out


def _out_of_memory(error: etree.XMLSyntaxError) -> bool:
    """libxml2 reports a failed allocation as a syntax error ("Memory allocation failed", "unknown error")."""
    text = str(error).lower()
    return "memory" in text or text.startswith("unknown error")


_REMOVED = {"accept": {_NS + "del", _NS + "moveFrom"}, "reject": {_NS + "ins", _NS + "moveTo"}}
_ROW_REMOVED = {"accept": _NS + "del", "reject": _NS + "ins"}
_CELL_REMOVED = {"accept": _NS + "cellDel", "reject": _NS + "cellIns"}
_WRAPPERS = {_NS + "sdt", _NS + "sdtContent", _NS + "customXml", _NS + "smartTag"}
_NOT_TEXT = {_NS + n for n in ("pPr", "rPr", "drawing", "pict", "object", "instrText", "delInstrText")}


def _flat(parent: etree._Element) -> Iterator[etree._Element]:
    """Children of `parent`, looking through content controls and custom XML wrappers."""
    for child in parent:
        if child.tag in _WRAPPERS:
            yield from _flat(child)
        else:
            yield child


def _read_blocks(container: etree._Element, mode: Mode, out: list[str]) -> None:
    """Append the paragraphs of a body or cell; a removed paragraph mark joins the next one."""
    pending: str | None = None
    for child in _flat(container):
        if child.tag == _NS + "p":
            text = (pending or "") + _inline_text(child, _REMOVED[mode])
            pending = text if _mark_removed(child, mode) else None
            if pending is None:
                out.append(text)
        elif child.tag == _NS + "tbl":
            if pending:
                out.append(pending)
            pending = None
            _read_table(child, mode, out)
    if pending:
        out.append(pending)


def _mark_removed(paragraph: etree._Element, mode: Mode) -> bool:
    marks = paragraph.find(f"{_NS}pPr/{_NS}rPr")
    return marks is not None and any(m.tag in _REMOVED[mode] for m in marks)


def _read_table(table: etree._Element, mode: Mode, out: list[str]) -> None:
    for row in _flat(table):
        if row.tag != _NS + "tr" or row.find(f"{_NS}trPr/{_ROW_REMOVED[mode]}") is not None:
            continue
        for cell in _flat(row):
            if cell.tag != _NS + "tc" or cell.find(f"{_NS}tcPr/{_CELL_REMOVED[mode]}") is not None:
                continue
            cell_texts: list[str] = []
            _read_blocks(cell, mode, cell_texts)
            out.extend(cell_texts or [""])


def _inline_text(element: etree._Element, removed: set[str]) -> str:
    parts: list[str] = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or not tag.startswith(_NS) or tag in removed or tag in _NOT_TEXT:
            continue
        if tag in (_NS + "t", _NS + "delText"):
            parts.append(child.text or "")
        elif tag in (_NS + "tab", _NS + "ptab"):
            parts.append("\t")
        elif tag == _NS + "br":
            parts.append("" if child.get(_NS + "type") in ("page", "column") else "\n")
        elif tag == _NS + "cr":
            parts.append("\n")
        elif tag == _NS + "noBreakHyphen":
            parts.append("-")
        else:
            parts.append(_inline_text(child, removed))
    return "".join(parts)


# ---------------------------------------------------------------- paragraph summary


def summarize_paragraphs(old: Sequence[str], new: Sequence[str]) -> RedlineSummary:
    """Count added / deleted / changed / unchanged paragraphs (blank ones ignored); near-linear."""
    a = [t for t in old if t.strip()]
    b = [t for t in new if t.strip()]
    unchanged = 0
    pairs: list[tuple[str, str]] = []
    added: list[str] = []
    deleted: list[str] = []
    for tag, i1, i2, j1, j2 in paragraph_diff.opcodes(a, b):
        if tag == "equal":
            unchanged += i2 - i1
            continue
        matched = _pair_block(a[i1:i2], b[j1:j2])
        pairs.extend((a[i1 + i], b[j1 + j]) for i, j in matched)
        paired_a, paired_b = {i for i, _ in matched}, {j for _, j in matched}
        deleted.extend(a[i] for i in range(i1, i2) if i - i1 not in paired_a)
        added.extend(b[j] for j in range(j1, j2) if j - j1 not in paired_b)
    added, deleted, moved = _moves(added, deleted)
    return RedlineSummary(
        len(added),
        len(deleted),
        len(pairs),
        unchanged,
        tuple(pairs),
        tuple(added),
        tuple(deleted),
        tuple(moved),
    )


def _moves(added: list[str], deleted: list[str]) -> tuple[list[str], list[str], list[str]]:
    """A deleted paragraph added unchanged elsewhere is moved: (added, deleted, moved), in order."""
    available = Counter(added)
    moved: list[str] = []
    kept_deleted: list[str] = []
    for text in deleted:
        if available[text] > 0:
            available[text] -= 1
            moved.append(text)
        else:
            kept_deleted.append(text)
    to_drop = Counter(moved)
    kept_added: list[str] = []
    for text in added:
        if to_drop[text] > 0:
            to_drop[text] -= 1
        else:
            kept_added.append(text)
    return kept_added, kept_deleted, moved


def _similarity(x: str, y: str) -> float:
    return paragraph_diff.similarity(x, y)


def _pair_block(a: Sequence[str], b: Sequence[str], threshold: float = 0.4) -> list[tuple[int, int]]:
    """Order-preserving pairs of similar paragraphs inside one replaced block."""
    if not a or not b:
        return []
    if len(a) * len(b) > 400:
        return [(i, i) for i in range(min(len(a), len(b)))]
    score = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            ratio = _similarity(a[i], b[j])
            take = ratio + score[i + 1][j + 1] if ratio >= threshold else -1.0
            score[i][j] = max(take, score[i + 1][j], score[i][j + 1])
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if score[i][j] == score[i + 1][j]:
            i += 1
        elif score[i][j] == score[i][j + 1]:
            j += 1
        else:
            pairs.append((i, j))
            i, j = i + 1, j + 1
    return pairs


# ---------------------------------------------------------------- terminal text


def format_summary(summary: RedlineSummary, *, limit: int = 20, width: int = 40) -> list[str]:
    """Chinese lines for the terminal: the counts, then each change clipped around what differs."""
    if not (summary.added or summary.deleted or summary.changed or summary.moved):
        return ["两个版本的文字内容相同。"]
    counts = f"新增段落 {summary.added}，删除段落 {summary.deleted}，修改段落 {summary.changed}"
    lines = [counts + (f"，移动段落 {summary.moved}" if summary.moved else "")]
    items = [f"  修改：{_clip_pair(o, n, width)}" for o, n in summary.changes]
    items += [f"  新增：{_clip(t, 0, len(t), width)}" for t in summary.added_texts]
    items += [f"  删除：{_clip(t, 0, len(t), width)}" for t in summary.deleted_texts]
    items += [f"  移动：{_clip(t, 0, len(t), width)}" for t in summary.moved_texts]
    lines += items[:limit]
    if len(items) > limit:
        lines.append(f"  ……另有 {len(items) - limit} 处未列出")
    return lines


def _clip_pair(old: str, new: str, width: int) -> str:
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return f"{_clip(old, start, len(old) - end, width)} → {_clip(new, start, len(new) - end, width)}"


def _clip(text: str, start: int, end: int, width: int, context: int = 10) -> str:
    """text[start:end] with `context` characters each side, … where cut."""
    middle = text[start:end]
    if len(middle) > width:
        middle = middle[:width] + "…"
    left, right = max(0, start - context), min(len(text), end + context)
    head = ("…" if left else "") + text[left:start]
    tail = text[end:right] + ("…" if right < len(text) else "")
    return head + middle + tail


def format_cell_changes(changes: Sequence[CellChange], *, limit: int = 50) -> list[str]:
    """Chinese lines for the terminal, one per changed cell."""
    if not changes:
        return ["两个版本的单元格内容相同。"]
    lines = [f"共有 {len(changes)} 个单元格不同："]
    for c in changes[:limit]:
        lines.append(
            f"  {c.sheet}!{c.cell}：“{_clip(c.old, 0, len(c.old), 30)}” → “{_clip(c.new, 0, len(c.new), 30)}”"
        )
    if len(changes) > limit:
        lines.append(f"  ……另有 {len(changes) - limit} 个单元格未列出")
    return lines


# ---------------------------------------------------------------- workbooks


def diff_workbooks(old: Path, new: Path) -> list[CellChange]:
    """Cells whose displayed value differs, by sheet (NEW's order, then removed sheets), row, column.

    Both files go through the reader's pre-checks, in capped worker processes.
    """
    paths = [Path(old), Path(new)]
    for path in paths:
        _require_file(path)
    results = run_isolated(lambda path: read_workbook(path, str(path)), paths,
                           memory_mb=WORKBOOK_MEMORY_MB, timeout_s=WORKBOOK_TIMEOUT_S)
    caps = ("file-unsafe", WORKBOOK_MEMORY_MB, WORKBOOK_TIMEOUT_S)
    before, after = (_sheets(_unwrap(result, path, caps)) for path, result in zip(paths, results, strict=True))
    names = list(after) + [name for name in before if name not in after]
    changes: list[CellChange] = []
    for name in names:
        rows_a, rows_b = before.get(name, []), after.get(name, [])
        for r in range(max(len(rows_a), len(rows_b))):
            row_a = rows_a[r] if r < len(rows_a) else []
            row_b = rows_b[r] if r < len(rows_b) else []
            for c in range(max(len(row_a), len(row_b))):
                value_a = row_a[c] if c < len(row_a) else ""
                value_b = row_b[c] if c < len(row_b) else ""
                if value_a != value_b:
                    changes.append(CellChange(name, f"{column_letter(c)}{r + 1}", value_a, value_b))
    return changes


def _sheets(book: RawWorkbook) -> dict[str, list[list[str]]]:
    """Every sheet as rows of displayed strings, from A1."""
    return {sheet.name: [[_display(v) for v in row] for row in sheet.rows] for sheet in book.sheets}


def _display(value: object) -> str:
    """A cell value as a string close to what Excel shows (dates as YYYY-MM-DD)."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return "" if value is None else str(value)
