"""The files given to `diff`: untrusted, so pre-checked, then read in capped worker processes.

Every failure is a `DiffError` with a Chinese message (and a `Finding` when the user can fix it).
.docx files are read by the one WordprocessingML reader (report_builder.wordml).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TypeVar

from lxml import etree

from report_builder import wordml
from report_builder.findings import Finding, ReportBuilderError
from report_builder.intake.document_safety import precheck_document
from report_builder.isolation import Crash, run_isolated

__all__ = ["DiffError", "accept_all", "paragraph_texts", "read_documents", "reject_all", "require_file", "unwrap"]

T = TypeVar("T")

READ_MEMORY_MB, READ_TIMEOUT_S = 1500, 60.0  # per .docx read (lxml holds the whole body)


class DiffError(ReportBuilderError):
    """A comparison could not be made; `message` is Chinese and meant for the user.

    `finding` is set when the cause is in a file the user gave; `detail` keeps a tool's own
    (English) text for --debug, never for the message; `usage` when the command was given wrong.
    The catalog code is the finding's, else `compare-usage` or `compare-failed`.
    """

    def __init__(self, message: str, *, finding: Finding | None = None, detail: str = "",
                 usage: bool = False) -> None:
        code = finding.code if finding else "compare-usage" if usage else "compare-failed"
        super().__init__(message, code)
        self.finding = finding
        self.detail = detail
        self.usage = usage

    @classmethod
    def of(cls, finding: Finding, detail: str = "") -> DiffError:
        return cls(str(finding), finding=finding, detail=detail)


def paragraph_texts(path: Path) -> list[str]:
    """Paragraph texts of a .docx in reading order, table cells included (changes accepted)."""
    return read_documents([Path(path)], "accept")[0]


def accept_all(docx: Path) -> list[str]:
    """Paragraph texts of a tracked-changes document with every change accepted."""
    return read_documents([Path(docx)], "accept")[0]


def reject_all(docx: Path) -> list[str]:
    """Paragraph texts of a tracked-changes document with every change rejected."""
    return read_documents([Path(docx)], "reject")[0]


def read_documents(paths: Sequence[Path], mode: wordml.Mode) -> list[list[str]]:
    """Pre-check every file, then read each in a capped worker; the first problem is a DiffError."""
    for path in paths:
        require_file(path)
        problem = precheck_document(path, str(path))
        if problem is not None:
            raise DiffError.of(problem)
    results = run_isolated(partial(_texts, mode=mode), paths, memory_mb=READ_MEMORY_MB,
                           timeout_s=READ_TIMEOUT_S)
    caps = ("compare-too-large", READ_MEMORY_MB, READ_TIMEOUT_S)
    return [unwrap(result, path, caps) for path, result in zip(paths, results, strict=True)]


def require_file(path: Path) -> None:
    if not path.is_file():
        raise DiffError(f"找不到文件“{path}”。", usage=True)


def unwrap(result: T | Finding | Crash, path: Path, caps: tuple[str, int, float]) -> T:
    """A worker's result, or the DiffError that says what went wrong with `path`.

    `caps` is (the finding code for a worker that crashed or hit a cap, its memory cap, its time cap).
    """
    if isinstance(result, Finding):
        raise DiffError.of(result)
    if isinstance(result, Crash):
        code, memory_mb, timeout_s = caps
        detail = result.words("读取", memory_mb, round(timeout_s))
        raise DiffError.of(Finding(code, str(path), detail=detail), result.detail)
    return result


def _texts(path: Path, mode: wordml.Mode) -> list[str] | Finding:
    """In a worker: the paragraph texts, or a finding when the file cannot be read as Word XML."""
    try:
        return wordml.paragraph_texts(path, mode)
    except MemoryError:
        raise  # the worker reports it as a cap that was hit
    except etree.XMLSyntaxError as error:
        if _out_of_memory(error):
            raise MemoryError(str(error)) from error
        return Finding("document-corrupt", str(path), detail="Word 文档的内容无法解析")
    except Exception:  # a bad zip or part raises many kinds
        return Finding("document-corrupt", str(path), detail="Word 文档的内容无法解析")


def _out_of_memory(error: etree.XMLSyntaxError) -> bool:
    """libxml2 reports a failed allocation as a syntax error ("Memory allocation failed", "unknown error")."""
    text = str(error).lower()
    return "memory" in text or text.startswith("unknown error")
