"""The library stays typed (mypy --strict) and lint-clean (ruff), as docs/architecture.md promises."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import ROOT


@pytest.mark.skipif(shutil.which("ruff") is None, reason="ruff is not installed (pip install -e '.[test]')")
def test_ruff_is_clean() -> None:
    done = subprocess.run(["ruff", "check", "report_builder", "tests", "scripts", "benchmarks"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout


def test_mypy_strict_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy is not installed (pip install -e '.[test]')")
    done = subprocess.run([sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
