"""Docs that are checked: generated pages are current, every command and finding code is documented."""

from __future__ import annotations

import re

import make_docs
from conftest import ROOT

from report_builder.cli.parser import make_parser
from report_builder.findings import CATALOG


def test_generated_pages_are_current() -> None:
    for name, make in make_docs.PAGES.items():
        assert (ROOT / name).read_text(encoding="utf-8") == make(), f"{name} is stale: run scripts/make_docs.py"


def test_every_finding_code_is_documented() -> None:
    page = (ROOT / "docs" / "findings.md").read_text(encoding="utf-8")
    assert set(re.findall(r"`([a-z-]+)`", page)) >= set(CATALOG)


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = make_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    assert commands, "no commands found"
    for command in commands:
        assert f"report-builder {command}" in readme, command


def test_readme_starts_with_the_two_commands() -> None:
    first = [line for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
             if line.startswith("python3 -m venv")]
    assert "report-builder build inputs/2017-2018" in first[0]
    assert "pytest" in first[1]
