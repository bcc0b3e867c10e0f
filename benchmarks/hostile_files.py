"""Time and peak memory of reading a folder of hostile files, one file per worker process.

    python benchmarks/hostile_files.py [FOLDER] [--raw] [--many N]

Without FOLDER, builds tests/hostile.py's cases in a temporary folder. Each file is read
by `run_isolated` in a fresh Python process, so the peak RSS printed (RUSAGE_CHILDREN) is
that file's worker alone; the time is that of the `run_isolated` call (fork included).
`--raw` reads with python-calamine directly, without `safety.precheck`: it shows what
calamine itself does with each file. `--many N` also
times reading N copies of a small valid workbook through one `run_isolated` call.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import python_calamine  # noqa: E402
from hostile import build_hostile, write_valid_xlsx  # noqa: E402

from report_builder.findings import Finding  # noqa: E402
from report_builder.intake.reader import read_workbook  # noqa: E402
from report_builder.isolation import Crash, run_isolated  # noqa: E402


def read(path: Path) -> str:
    result = read_workbook(path, path.name)
    return result.code if isinstance(result, Finding) else f"ok ({len(result.sheets)} sheets)"


def read_raw(path: Path) -> str:
    try:
        with python_calamine.CalamineWorkbook.from_path(path) as book:
            rows = sum(len(book.get_sheet_by_index(i).to_python()) for i in range(len(book.sheet_names)))
        return f"ok ({rows} rows)"
    except python_calamine.CalamineError as error:
        return f"{type(error).__name__}: {str(error)[:40]}"


def bench_one(path: Path, raw: bool) -> None:
    """In a fresh process (so the children's peak RSS is this file's worker's alone): print JSON."""
    started = time.perf_counter()
    (result,) = run_isolated(read_raw if raw else read, [path], workers=1)
    seconds = time.perf_counter() - started
    if isinstance(result, Crash):
        result = f"Crash({result.reason}) {result.detail.splitlines()[0][:30] if result.detail else ''}"
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"result": result, "seconds": seconds, "worker_mb": peak}))


def bench_folder(folder: Path, raw: bool) -> None:
    print(f"{'file':<14}{'result':<52}{'seconds':>8}{'worker peak MB':>16}")
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        command = [sys.executable, __file__, "--one", str(path)] + (["--raw"] if raw else [])
        line = json.loads(subprocess.run(command, capture_output=True, text=True, check=True).stdout)
        print(f"{path.name:<14}{line['result']:<52}{line['seconds']:>8.3f}{line['worker_mb']:>16.0f}")


def bench_many(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = write_valid_xlsx(Path(tmp) / "source.xlsx")
        paths = [Path(tmp) / f"部门{i}.xlsx" for i in range(count)]
        for path in paths:
            shutil.copyfile(source, path)
        for workers in (1, 2):
            started = time.perf_counter()
            results = run_isolated(read, paths, workers=workers)
            seconds = time.perf_counter() - started
            assert all(r.startswith("ok") for r in results if isinstance(r, str))
            each = seconds / count * 1000
            print(f"{count} small workbooks, {workers} worker(s): {seconds:.2f} s ({each:.2f} ms each)")
        started = time.perf_counter()
        for path in paths:
            read(path)
        seconds = time.perf_counter() - started
        print(f"{count} small workbooks in-process, no isolation: {seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path)
    parser.add_argument("--raw", action="store_true", help="read with calamine directly, no precheck")
    parser.add_argument("--many", type=int, default=0, help="also read N small valid workbooks")
    parser.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one is not None:
        bench_one(args.one, args.raw)
        return
    if args.folder is None:
        with tempfile.TemporaryDirectory() as tmp:
            build_hostile(Path(tmp))
            bench_folder(Path(tmp), args.raw)
    else:
        bench_folder(args.folder, args.raw)
    if args.many:
        bench_many(args.many)


if __name__ == "__main__":
    main()
