"""A year's check as JSON-ready data: stable codes, places, values, Chinese messages."""

from __future__ import annotations

from typing import Any

from report_builder.results import CheckReport


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
