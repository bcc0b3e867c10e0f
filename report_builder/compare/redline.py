"""Word redlines: NEW written with native Word tracked changes against OLD, by a bounded engine.

`redline_docx` wraps the Docxodus engine (python-redlines). Both files are pre-checked and read
in capped workers first (compare.inputs); the engine runs in its own process group with a heap
and time cap. Every failure is a `DiffError` with a Chinese message.
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
from pathlib import Path
from typing import IO, Any

from lxml import etree

from report_builder.atomic import write_atomic
from report_builder.compare.inputs import DiffError, read_documents
from report_builder.compare.paragraph_diff import RedlineSummary, summarize_paragraphs
from report_builder.findings import Finding
from report_builder.ooxml import normalize_zip
from report_builder.outputs.staging import output_failure
from report_builder.wordml import W

__all__ = ["ENGINE_HEAP_MB", "ENGINE_TIMEOUT_S", "MAX_PARAGRAPHS", "redline_docx"]

# The engine's cost grows faster than its input: two documents of 8,000 paragraphs compare in ~6 s and 270 MB,
# 16,000 in ~19 s and 1 GB, 29,000 in 107 s and 1.5 GB (benchmarks/README.md). A yearly report has a few
# hundred paragraphs: the limit keeps `diff` of untrusted files within 10 s and 500 MB a file.
ENGINE_HEAP_MB = 1000  # the redline engine's .NET heap (DOTNET_GCHeapHardLimit)
ENGINE_TIMEOUT_S = 60.0
MAX_PARAGRAPHS = 8_000  # per document


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
    old_texts, new_texts = read_documents([Path(old), Path(new)], "accept")
    for path, texts in ((old, old_texts), (new, new_texts)):
        if len(texts) > MAX_PARAGRAPHS:
            raise DiffError.of(Finding("compare-too-large", str(path), detail=(
                f"文件有 {len(texts):,} 个段落，超过上限 {MAX_PARAGRAPHS:,}（年度报告通常只有几百段）")))
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
    for ins in list(root.iter(W + "ins")):
        after = ins.getnext()
        if after is not None and after.tag == W + "del" and not (ins.tail or "").strip():
            ins.addprevious(after)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _write_atomic(out: Path, data: bytes) -> None:
    try:
        write_atomic(Path(out), data, overwrite=True)
    except OSError as exc:  # the cause in Chinese ("Read-only file system" was printed as it came)
        reason = output_failure(Path(out).parent, exc).detail
        raise DiffError(f"无法写入“{out}”：{reason}。若该文件正在 Word 中打开，请先关闭。", detail=str(exc)) from exc
