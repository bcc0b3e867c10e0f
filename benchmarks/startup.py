"""The commands as a user starts them, each paired run by run with its floor (issue 20's table).

    python benchmarks/startup.py [--runs 9] [--year inputs/2017-2018]

Each row runs the command and its floor in turn (A B A B …, after one warm-up of each), as whole processes,
and prints the median wall and CPU time of each and the median of the per-pair ratios A/B: a ratio of two
runs taken a moment apart holds when the machine's speed drifts (machines here differ by 3× in absolute
speed, and other work on the machine slows both alike). CPU time counts the command's worker processes too
(`os.wait4` reports a process and its reaped children).

The floors: `build` against importing the libraries a build cannot do without, `check` against importing
python-calamine and pydantic; `--help` has no floor (its goal is an absolute 0.1 s). The desk's row (60
uploads at once) is `benchmarks/desk_load.py`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TOOL = [sys.executable, "-m", "report_builder"]
FLOOR_BUILD = [sys.executable, "-c", "import docxtpl, openpyxl, pydantic, python_calamine, docx, jinja2"]
FLOOR_CHECK = [sys.executable, "-c", "import python_calamine, pydantic"]
GOALS = {"build": 1.5, "check": 2.0}
HELP_GOAL_S = 0.1


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float


def run_once(argv: Sequence[str]) -> Run:
    """One whole process: wall time, and user + system CPU of it and the children it reaped."""
    started = time.perf_counter()
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(wall, usage.ru_utime + usage.ru_stime)


Command = Sequence[str] | Callable[[], Sequence[str]]


def paired(a: Command, b: Sequence[str] | None, runs: int) -> tuple[list[Run], list[Run]]:
    def argv() -> Sequence[str]:
        return a() if callable(a) else a

    run_once(argv())
    if b is not None:
        run_once(b)
    first, second = [], []
    for _ in range(runs):
        first.append(run_once(argv()))
        if b is not None:
            second.append(run_once(b))
    return first, second


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def row(name: str, a: list[Run], b: list[Run]) -> str:
    wall, cpu = median([r.wall for r in a]), median([r.cpu for r in a])
    if not b:
        goal = f"goal ≤ {HELP_GOAL_S:.1f} s"
        return f"| {name} | {wall:.3f} s | {cpu:.3f} s | — | — | — | {goal} |"
    floor = median([r.wall for r in b])
    ratio_wall = median([x.wall / y.wall for x, y in zip(a, b, strict=True)])
    ratio_cpu = median([x.cpu / max(y.cpu, 1e-3) for x, y in zip(a, b, strict=True)])
    return (f"| {name} | {wall:.3f} s | {cpu:.3f} s | {floor:.3f} s | {ratio_wall:.2f}× | {ratio_cpu:.2f}× "
            f"| goal ≤ {GOALS[name]:.1f}× |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--year", type=Path, default=ROOT / "inputs" / "2017-2018")
    args = parser.parse_args(argv)
    out = Path(tempfile.mkdtemp(prefix="rb_startup_"))
    try:
        # each build into a new output folder: the whole build, written as version 1 (a second build of the
        # same inputs would only say "unchanged")
        def build() -> list[str]:
            return [*TOOL, "build", str(args.year), "--out", tempfile.mkdtemp(dir=out)]

        rows = [
            row("build", *paired(build, FLOOR_BUILD, args.runs)),
            row("check", *paired([*TOOL, "check", str(args.year)], FLOOR_CHECK, args.runs)),
            row("--help", *paired([*TOOL, "--help"], None, args.runs)),
        ]
    finally:
        shutil.rmtree(out, ignore_errors=True)
    print(f"{args.runs} pairs each; medians; machine load {os.getloadavg()[0]:.2f}")
    print("| command (sample year) | wall | CPU | floor wall | ratio wall | ratio CPU | goal |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
