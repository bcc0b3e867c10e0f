"""The template check on long templates, and `diff` on long documents, as whole commands (issue 19).

    python benchmarks/hostile_template.py [--paragraphs 2000,4000,8000,120000] [--diff 16000,29000]
                                          [--base DIR] [--timeout 330]

Each template is the bundled one with N more short paragraphs (tests/hostile.py `many_paragraphs`;
120,000 make a 1.5 MB file, the size of issue 19's case). It runs `report-builder check-template T.docx`
and `report-builder build YEAR` with it as the year folder's 年度报告模板.docx. The diff pairs are
benchmarks/hostile_commands.py's `long_docx` documents (every 50th paragraph changed).

With `--base DIR` (an unpacked older checkout, e.g. `git archive e69afdd | tar -x -C DIR`) each command
runs with DIR first on PYTHONPATH, then with this checkout, in turn: before and after paired in one run.
A run longer than `--timeout` seconds is stopped and shown as "> N". Bounds: 10 s and 500 MB a file.
Each size also times `check_template()` alone in a fresh process (`_check`): the check's own scaling,
without Python's start and the worker (after: more than 20,000 paragraphs are refused before the check).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "scripts"))

import make_sample_inputs  # noqa: E402
from hostile import many_paragraphs  # noqa: E402
from hostile_commands import long_docx  # noqa: E402
from run import Run, run_command  # noqa: E402

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
EXE = str(Path(sys.executable).parent / "report-builder")


def timed(command: list[str], timeout: float, env: dict[str, str]) -> Run | None:
    """The command's run, or None when it took longer than `timeout` (its process group is killed)."""
    def alarm(signum: int, frame: object) -> None:
        raise TimeoutError

    before = set(_children())
    signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        return run_command(command, sample_tree=True, extra_env=env)
    except TimeoutError:
        for pid in set(_children()) - before:
            try:
                os.killpg(os.getpgid(pid), signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.5)
        return None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


def _check_alone(template: Path, timeout: float, env: dict[str, str]) -> str:
    try:
        done = subprocess.run([sys.executable, __file__, "_check", str(template)], capture_output=True, text=True,
                              timeout=timeout, env={**os.environ, **env}, cwd="/")
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f}"
    return done.stdout.strip() or done.stderr.strip().splitlines()[-1][:60]


def _children() -> list[int]:
    me = os.getpid()
    path = Path(f"/proc/{me}/task/{me}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def shown(run: Run | None, timeout: float) -> str:
    if run is None:
        return f"> {timeout:.0f} | — | —"
    return f"{run.wall:.2f} | {run.maxrss_mb:.0f} | {run.code}"


def check_only(path: str) -> None:
    """`hostile_template.py _check T.docx`: the template check alone, in this process (the code on PYTHONPATH);
    prints its seconds. What the whole command adds (Python's start, imports, the worker) is left out."""
    from report_builder.report.template_check import check_template

    started = time.perf_counter()
    check_template(Path(path))
    print(f"{time.perf_counter() - started:.3f}")


def main() -> None:
    if sys.argv[1:2] == ["_check"]:
        check_only(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", default="2000,4000,8000,120000")
    parser.add_argument("--diff", default="16000,29000")
    parser.add_argument("--base", type=Path, help="an older checkout to pair with (before)")
    parser.add_argument("--timeout", type=float, default=330.0)
    args = parser.parse_args()
    versions = [("before", {"PYTHONPATH": str(args.base.resolve())})] if args.base else []
    versions.append(("after" if args.base else "now", {}))
    work = Path(tempfile.mkdtemp(prefix="rb_hostile_template_"))
    try:
        year = work / "2017-2018"
        make_sample_inputs.write_year(year)
        print("| case | code | wall s | peak RSS of 1 process MB | exit |")
        print("|---|---|---:|---:|---:|")
        for count in [int(n) for n in args.paragraphs.split(",") if n]:
            template = many_paragraphs(TEMPLATE, work / f"模板{count}.docx", count)
            cases = [(f"check-template, {count:,} paragraphs", [EXE, "check-template", str(template)])]
            built = year / "年度报告模板.docx"
            shutil.copyfile(template, built)
            cases.append((f"build, {count:,}-paragraph template in the year folder",
                          [EXE, "build", str(year), "--out", str(work / "out")]))
            for what, command in cases:
                for label, env in versions:
                    run = timed(command, args.timeout, env)
                    print(f"| {what} | {label} | {shown(run, args.timeout)} |", flush=True)
            built.unlink()
            for label, env in versions:  # the check alone, in one process, as the code on PYTHONPATH has it
                alone = _check_alone(template, args.timeout, env)
                print(f"| check_template() alone, {count:,} paragraphs | {label} | {alone} | — | — |", flush=True)
        for count in [int(n) for n in args.diff.split(",") if n]:
            old = long_docx(work / f"旧{count}.docx", count, seed=1)
            new = long_docx(work / f"新{count}.docx", count, seed=1, change_every=50)
            for label, env in versions:
                out = work / f"修订{count}{label}.docx"
                run = timed([EXE, "diff", str(old), str(new), "--out", str(out)], args.timeout, env)
                print(f"| diff, two {count:,}-paragraph documents | {label} | {shown(run, args.timeout)} |",
                      flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        subprocess.run(["true"], check=False)


if __name__ == "__main__":
    main()
