"""A year's check as JSON-ready data: stable codes, places, values, Chinese messages."""

from __future__ import annotations

from typing import Any

from report_builder.results import BuildResult, CheckReport


def report_as_json(check: CheckReport) -> dict[str, Any]:
    """The check report as JSON-ready data (`report-builder check --json`)."""
    return {
        "year": check.year_dir.name,
        "ok": check.ok,
        "summary": check.totals(),
        "files": [{"file": r.file, "kind": r.kind, "department": r.department,
                   "errors": r.errors, "warnings": r.warnings, "rows_read": r.tally.read,
                   "rows_accepted": r.tally.accepted, "rows_rejected": r.tally.rejected,
                   "findings": [f.to_dict() for f in r.findings]} for r in check.files],
        "year_findings": [f.to_dict() for f in check.year_findings],
    }


def publication_as_json(result: BuildResult) -> dict[str, Any]:
    """The checks before publication of a build (`report-builder build --json`); {} when nothing was rendered."""
    found = result.publication
    if found is None:
        return {}
    return {"publication": {
        "summary": result.summary_line,
        "parts": {"found": found.parts_found, "required": found.parts_required},
        "checklist_table": None if found.checklist is None else {
            "rows": found.checklist.rows, "published": found.checklist.published, "linked": found.checklist.linked},
        "identities": {"passed": found.identities_passed, "total": found.identities_total},
        "deadline": found.deadline.isoformat(), "days_left": found.days_left,
        "findings": [f.to_dict() for f in found.findings]}}
