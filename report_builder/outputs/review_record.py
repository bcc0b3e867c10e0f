"""The 审核记录 of a version that may be published: `<报告名>_vN.审核记录.json`, a one-page `.docx` for the file and
its `.pdf` (when LibreOffice is there), written once beside the version when it is published.

Each file is written whole (atomic.write_atomic) and never replaced: a record already there is kept (decisions
made after it stay in the version's `.审核意见` folder). The JSON is written last, so a record with its JSON is
complete. Design: docs/publication.md, "The record".
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import docx
from docx.shared import Pt

from report_builder.atomic import write_atomic
from report_builder.findings import Finding
from report_builder.ooxml import normalize_zip
from report_builder.outputs.manifests import manifest_path
from report_builder.outputs.reviews import ReviewStatus, decision_data
from report_builder.outputs.staging import convert_pdf, output_failure

__all__ = ["RECORD_SUFFIX", "RECORD_SUFFIXES", "record_data", "record_docx", "write_review_record"]

RECORD_SUFFIX = ".审核记录"
RECORD_SUFFIXES = (f"{RECORD_SUFFIX}.docx", f"{RECORD_SUFFIX}.pdf", f"{RECORD_SUFFIX}.json")  # in writing order
RECORD_SCHEMA = 1


def record_path(report: Path, suffix: str) -> Path:
    return report.with_name(report.name.removesuffix(".docx") + suffix)


def record_data(status: ReviewStatus) -> dict[str, Any]:
    """The record as plain data: the version's report and manifest, their sha256, the roles, each decision."""
    manifest = manifest_path(status.report)
    return {
        "schema_version": RECORD_SCHEMA,
        "report": status.report.name,
        "report_sha256": status.report_sha256,
        "manifest": manifest.name,
        "manifest_sha256": next((d.manifest_sha256 for d in status.decisions), ""),
        "required": list(status.required),
        "approved": list(status.approved),
        "decisions": [decision_data(d) for d in status.decisions],
    }


def record_docx(data: dict[str, Any]) -> bytes:
    """The one-page 审核记录 for the file: the version, its hashes, the required roles, who decided what and when."""
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    document.add_heading("信息公开工作年度报告 审核记录", level=1)
    facts = (("报告文件", data["report"]), ("报告 sha256", data["report_sha256"]),
             ("版本说明文件", data["manifest"]), ("版本说明文件 sha256", data["manifest_sha256"]),
             ("须通过的审核", "、".join(data["required"])), ("结论", "可以发布（所要求的审核均已对该版本通过）"))
    _table(document, None, facts)
    document.add_paragraph()
    rows = [(d["reviewer"], d["role"], d["at"].replace("T", " ")[:16], "通过" if d["approved"] else "退回修改",
             "；".join(f"{c['quote']}：{c['text']}" for c in d["comments"]) or "无") for d in data["decisions"]]
    _table(document, ("审核人", "角色", "时间", "结论", "意见"), rows)
    document.add_paragraph("审核结论记录的是上列 sha256 所指的报告文件：文件有任何改动，本记录即不适用。")
    document.core_properties.author = "report-builder"
    document.core_properties.title = "审核记录"
    buffer = io.BytesIO()
    document.save(buffer)
    return normalize_zip(buffer.getvalue())


def _table(document: Any, header: tuple[str, ...] | None, rows: Any) -> None:
    rows = list(rows)
    table = document.add_table(rows=len(rows) + (header is not None), cols=len(rows[0]) if rows else len(header or ()))
    table.style = "Table Grid"
    for r, values in enumerate(([header] if header else []) + rows):
        for c, value in enumerate(values):
            table.cell(r, c).text = str(value)


def write_review_record(status: ReviewStatus, *, pdf: bool = True) -> tuple[tuple[Path, ...], tuple[Finding, ...]]:
    """Write the record of a version that may be published (its JSON last): (files written, findings).

    Nothing is written for a version that may not be published (`review-missing`). A record already there is kept:
    the same record is nothing to do, another one is `review-record-exists`. Without LibreOffice the record has no
    PDF (a warning `pdf-failed`)."""
    report = status.report
    if not status.publishable:
        return (), (Finding("review-missing", report.name, detail=status.label),)
    data = record_data(status)
    text = json.dumps(data, ensure_ascii=False, indent=2).encode() + b"\n"
    final = record_path(report, RECORD_SUFFIXES[-1])
    if final.is_file() or final.is_symlink():
        same = not final.is_symlink() and final.read_bytes() == text
        return (), () if same else (Finding("review-record-exists", final.name),)
    word = record_docx(data)
    files: dict[str, bytes | Finding] = {RECORD_SUFFIXES[0]: word}
    if pdf and not record_path(report, RECORD_SUFFIXES[1]).is_file():
        files[RECORD_SUFFIXES[1]] = convert_pdf(word, record_path(report, RECORD_SUFFIXES[0]).name)
    files[RECORD_SUFFIXES[2]] = text
    written: list[Path] = []
    findings: list[Finding] = []
    for suffix, content in files.items():
        if isinstance(content, Finding):
            findings.append(content)
            continue
        path = record_path(report, suffix)
        try:
            write_atomic(path, content)
        except FileExistsError:  # a record begun by an earlier run: kept as it is
            if suffix != RECORD_SUFFIXES[1] and path.read_bytes() != content:
                return tuple(written), (Finding("review-record-exists", path.name),)
            continue
        except OSError as error:
            return tuple(written), (output_failure(report.parent, error),)
        written.append(path)
    return tuple(written), tuple(findings)
