"""Measure report_builder against the floor, stage by stage and as a user runs it.

For each size (synthetic years from benchmarks/generate.py, cached under /tmp/rb_bench/<N>/):

- in-process stages, one process: read (reader.read_workbook, which runs safety.precheck), check
  (checks.check_office / check_department) and summarize (summary.summarize_department), timed file by
  file as a worker runs them (only each file's result and summary are kept; the garbage collector runs,
  untimed, after every chunk of files, where a worker would exit); then merge (merge.merge_year), render
  (render.render_report),
  write (manifests.make_manifest + versions.write_next_version); plus pipeline.check_submissions,
  which reads and checks in 2 worker processes and sends the results back pickled;
- the floor on the same files: every cell value read with python-calamine and nothing else (one
  process, and 2 processes), and the same report context rendered by a bare docxtpl call;
- the commands as a user runs them (`report-builder check DIR`, `report-builder build DIR --out TMP`,
  Python start included, median of several runs) and the same floor as a command.

Wall time is time.perf_counter. Peak memory in-process is the process's peak RSS during the stage
(VmHWM, reset before each stage through /proc/self/clear_refs); for commands it is ru_maxrss of the
command and its waited-for children (os.wait4: the largest single process) and, in one extra run,
the sampled sum of PSS over the whole process tree (shared pages counted once). "cores" is (user + sys CPU) / wall.

    python benchmarks/run.py [--sizes 15,40,400] [--repeat N] [--json out.json]

Only the standard library is imported at module level: `run.py _floor ...` is the floor command.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import inspect
import io
import json
import multiprocessing
import os
import pickle
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SAMPLE_YEAR = ROOT / "inputs" / "2017-2018"
TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
PYCACHE = Path("/tmp/rb_bench/pycache")
MB = 1024 * 1024
PIPELINE_STAGES = ("read", "check", "summarize", "merge", "render")  # compared with the floor: read + render


# ---- measuring -----------------------------------------------------------------------------------

def _status_kb(key: str) -> int:
    match = re.search(rf"^{key}:\s+(\d+) kB", Path("/proc/self/status").read_text(), re.M)
    return int(match[1]) if match else 0


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # not Linux, or not allowed: the peak is then the lifetime peak
        Path("/proc/self/clear_refs").write_text("5")


@dataclass
class Sample:
    """The wall times of repeated runs of one stage, and the highest peak RSS seen."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)
    peak_mb: float = 0.0

    @property
    def wall(self) -> float:
        return statistics.median(self.walls) if self.walls else float("nan")

    @property
    def cpu(self) -> float:
        """CPU time of this process only (not of worker processes)."""
        return statistics.median(self.cpus) if self.cpus else float("nan")


def measure(func: Callable[[], Any], repeat: int) -> tuple[Sample, Any]:
    """Run func `repeat` times; median wall time, peak RSS during a run, and the last result.

    The stages run with the cyclic GC paused when the code measured pauses it for the whole process
    (checkouts before issue 10: pipeline.gc_paused); since then only worker processes pause it."""
    sample, result = Sample(), None
    for _ in range(repeat):
        result = None
        gc.collect()
        _reset_peak()
        paused = _gc_paused()
        started, cpu = time.perf_counter(), time.process_time()
        with paused:
            result = func()
        sample.walls.append(time.perf_counter() - started)
        sample.cpus.append(time.process_time() - cpu)
        sample.peak_mb = max(sample.peak_mb, _status_kb("VmHWM") / 1024)
    return sample, result


def _gc_paused() -> contextlib.AbstractContextManager[None]:
    from report_builder import pipeline

    pause = getattr(pipeline, "gc_paused", None)
    return pause() if pause else contextlib.nullcontext()


@dataclass
class Stopwatch:
    """Wall and CPU time summed per stage over many calls."""

    wall: dict[str, float] = field(default_factory=lambda: dict.fromkeys(("read", "check", "summarize"), 0.0))
    cpu: dict[str, float] = field(default_factory=lambda: dict.fromkeys(("read", "check", "summarize"), 0.0))

    def run(self, stage: str, func: Callable[..., Any], *args: Any) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        result = func(*args)
        self.wall[stage] += time.perf_counter() - wall
        self.cpu[stage] += time.process_time() - cpu
        return result


@dataclass
class Run:
    """One command run: wall, exit code, CPU of the whole tree, largest RSS of one process."""

    wall: float
    code: int
    cpu: float
    maxrss_mb: float
    tree_mb: float = 0.0


def run_command(args: Sequence[str], *, sample_tree: bool = False, extra_env: dict[str, str] | None = None) -> Run:
    """Run a command as a user would; with sample_tree, also poll the RSS sum of its process tree.
    `extra_env` (e.g. PYTHONPATH of an older checkout, to pair before and after) is added to the environment."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"} | (extra_env or {})
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)  # compiled once, as in a user's install; not in the checkout
    started = time.perf_counter()
    process = subprocess.Popen(list(args), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                               cwd="/")  # not the checkout: `python -c` puts the cwd before PYTHONPATH
    tree = largest = 0
    if sample_tree:
        while not _exited(process.pid):  # not poll(): it would reap the child, and wait4 lose its usage
            pss, hwm = _tree_memory_kb(process.pid)
            tree, largest = max(tree, pss), max(largest, hwm)
            time.sleep(0.02)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss survives exec: a command started from this (large) process would report this process's
    # size. The sampled VmHWM of each process of the tree is right; ru_maxrss is the fallback.
    return Run(wall, process.returncode, usage.ru_utime + usage.ru_stime,
               (largest or usage.ru_maxrss) / 1024, tree / 1024)


def _exited(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] == "Z"
    except OSError:
        return True


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """The memory of a process and all its descendants: the sum of their PSS (shared pages counted once
    in all: a forked worker shares its parent's pages, which their RSS would count twice), and the
    largest peak RSS (VmHWM) of one of them."""
    total, largest, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:  # gone meanwhile
            continue
        match = re.search(r"^Pss:\s+(\d+) kB", rollup, re.M)
        total += int(match[1]) if match else 0
        match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
        largest = max(largest, int(match[1]) if match else 0)
    return total, largest


# ---- the floor ---------------------------------------------------------------------------------

def floor_read_one(path: Path) -> int:
    """Every cell value of every sheet, with calamine and nothing else; returns the number of cells."""
    import python_calamine as calamine

    cells = 0
    with calamine.CalamineWorkbook.from_path(path) as book:
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python():
                cells += len(row)
    return cells


def floor_read(paths: Sequence[Path], processes: int = 1) -> int:
    if processes == 1:
        return sum(floor_read_one(p) for p in paths)
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        return sum(pool.imap_unordered(floor_read_one, paths, chunksize=max(1, len(paths) // (processes * 8))))


def floor_render(template: Path, context: dict[str, Any]) -> bytes:
    """The bare docxtpl call on the same context."""
    from docxtpl import DocxTemplate

    document = DocxTemplate(str(template))
    document.render(context)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def floor_command(argv: Sequence[str]) -> None:
    """`run.py _floor check DIR` / `run.py _floor build DIR CONTEXT.pkl TEMPLATE OUT.docx`."""
    what, year = argv[0], Path(argv[1])
    floor_read(sorted(year.glob("*.xlsx")), processes=len(os.sched_getaffinity(0)))
    if what == "build":
        context = pickle.loads(Path(argv[2]).read_bytes())
        Path(argv[4]).write_bytes(floor_render(Path(argv[3]), context))


# ---- the stages ------------------------------------------------------------------------------------

@dataclass
class SizeResult:
    label: str
    files: int
    rows: int
    stages: dict[str, Sample]
    floors: dict[str, Sample]
    commands: dict[str, list[Run]]
    extra: dict[str, float]


def measure_stages(year: Path, repeat: int) -> tuple[dict[str, Sample], dict[str, Sample], dict[str, float], Any]:
    """In-process stages and floors on one year folder."""
    from report_builder import atomic, pipeline
    from report_builder.checking import file_result
    from report_builder.intake import checks, reader, safety
    from report_builder.intake.report_template import UsedTemplate, file_sha256
    from report_builder.isolation import MAX_CHUNK
    from report_builder.outputs import versions
    from report_builder.outputs.manifests import make_manifest
    from report_builder.report import merge, render, summary
    from report_builder.results import CheckReport
    from report_builder.schema import OFFICE_FILE, DepartmentWorkbook

    paths = [year / OFFICE_FILE] + sorted(p for p in year.glob("*.xlsx") if p.name != OFFICE_FILE)
    stages: dict[str, Sample] = {}
    floors: dict[str, Sample] = {}
    extra: dict[str, float] = {}

    lists = render.template_lists(TEMPLATE)  # as build_report asks: only the lists its template prints
    stages["precheck alone"], _ = measure(lambda: [safety.precheck(p, p.name) for p in paths], repeat)
    read, check, summarize = Sample(), Sample(), Sample()
    for _ in range(repeat):  # file by file, as a worker does: only the summary is kept
        watch = Stopwatch()
        gc.collect()
        _reset_peak()
        with _gc_paused():
            raw = watch.run("read", reader.read_workbook, paths[0], paths[0].name)
            office_checked = watch.run("check", checks.check_office, raw, year.name)
            office = office_checked.workbook
            office_index = checks.OfficeIndex.of(office)
            checked: list[Any] = [office_checked]
            summaries: list[Any] = []
            for index, path in enumerate(paths[1:]):
                raw = watch.run("read", reader.read_workbook, path, path.name)
                result = watch.run("check", checks.check_department, raw, office, office_index)
                if isinstance(result.workbook, DepartmentWorkbook):
                    summaries.append(watch.run("summarize", summary.summarize_department, result.workbook, lists))
                checked.append(checks.Checked(result.file, result.kind, None, result.findings, result.tally))
                del raw, result
                if index % MAX_CHUNK == MAX_CHUNK - 1:
                    gc.collect()  # untimed: a worker ends after a chunk of files, freeing all it made
        for sample, stage in ((read, "read"), (check, "check"), (summarize, "summarize")):
            sample.walls.append(watch.wall[stage])
            sample.cpus.append(watch.cpu[stage])
            sample.peak_mb = max(sample.peak_mb, _status_kb("VmHWM") / 1024)
    stages["read"], stages["check"], stages["summarize"] = read, check, summarize
    office = checked[0].workbook
    stages["merge"], (data, merge_findings) = measure(lambda: merge.merge_year(office, summaries), repeat)
    def render_stage() -> tuple[bytes, bytes]:
        """As build_report renders: once with figures marked (for 数据来源), marks stripped for the report."""
        if hasattr(render, "strip_marks"):
            marked = render.render_report(data, TEMPLATE, marked=True)
            return marked, render.strip_marks(marked)
        plain = render.render_report(data, TEMPLATE)
        return plain, plain

    stages["render"], (marked, docx) = measure(render_stage, repeat)

    report = CheckReport(year, tuple(file_result(c) for c in checked), tuple(merge_findings), office, data)
    used = UsedTemplate(TEMPLATE, "default", file_sha256(TEMPLATE), TEMPLATE.read_bytes())
    out = Path(tempfile.mkdtemp(prefix="rb_bench_write_"))

    def write() -> None:
        manifest = make_manifest(year, {r.file: r.sha256 for r in report.files}, report.totals(), data, used, docx)
        versions.write_next_version(out, "报告", ".docx", docx)
        atomic.write_atomic(out / "manifest.json", json.dumps(manifest, ensure_ascii=False).encode(),
                              overwrite=True)

    stages["write"], _ = measure(write, repeat)

    def sources() -> None:  # what build_report writes beside a new version: the 数据来源 workbook
        from report_builder.outputs.excel import save_workbook
        from report_builder.outputs.sources_workbook import sources_workbook
        from report_builder.report import sources as src

        takes_template = list(inspect.signature(src.figure_uses).parameters)[1] == "template"
        uses: Any = src.figure_uses(data, TEMPLATE if takes_template else marked)  # type: ignore[arg-type]
        atomic.write_atomic(out / "数据来源.xlsx", save_workbook(sources_workbook(uses)), overwrite=True)

    with contextlib.suppress(ImportError):  # older checkouts have no 数据来源 workbook
        stages["sources"], _ = measure(sources, repeat)
    shutil.rmtree(out, ignore_errors=True)
    stages["check_submissions (2 workers)"], _ = measure(lambda: pipeline.check_submissions(year), repeat)

    started = time.perf_counter()  # what the workers send back: each file's result and summary
    sent = [(file_result(c), s) for c, s in zip(checked[1:], summaries, strict=False)]
    blob = pickle.dumps(sent, protocol=pickle.HIGHEST_PROTOCOL)
    extra["pickle dumps s"] = time.perf_counter() - started
    started = time.perf_counter()
    pickle.loads(blob)
    extra["pickle loads s"] = time.perf_counter() - started
    extra["pickle MB"] = len(blob) / MB
    extra["docx MB"] = len(docx) / MB
    rows = sum(c.tally.read for c in checked)

    context = _plain(render.report_context(data))  # the floor renders the plain report: no marks
    floors["read"], cells = measure(lambda: floor_read(paths), repeat)
    floors["read ×2 procs"], _ = measure(lambda: floor_read(paths, 2), repeat)
    floors["render"], _ = measure(lambda: floor_render(TEMPLATE, context), repeat)
    extra["cells"] = cells
    extra["rows"] = rows
    return stages, floors, extra, context


def _plain(value: Any) -> Any:
    """The context as plain dicts and lists (a lazy sequence made whole), so it pickles for the floor."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        return [_plain(v) for v in value]
    return value


def measure_commands(year: Path, context: Any, repeat: int) -> dict[str, list[Run]]:
    """The CLI commands and the floor command, each run `repeat` times plus one memory-sampled run."""
    exe = shutil.which("report-builder") or "report-builder"
    work = Path(tempfile.mkdtemp(prefix="rb_bench_cmd_"))
    pkl = work / "context.pkl"
    pkl.write_bytes(pickle.dumps(context))
    commands: dict[str, Callable[[int], list[str]]] = {
        "check": lambda i: [exe, "check", str(year)],
        "build": lambda i: [exe, "build", str(year), "--out", str(work / f"out{i}")],
        "floor check": lambda i: [sys.executable, str(Path(__file__)), "_floor", "check", str(year)],
        "floor build": lambda i: [sys.executable, str(Path(__file__)), "_floor", "build", str(year), str(pkl),
                                  str(TEMPLATE), str(work / f"floor{i}.docx")],
    }
    runs: dict[str, list[Run]] = {}
    warm = {"check": [exe, "check", str(SAMPLE_YEAR)], "build": [exe, "build", str(SAMPLE_YEAR), "--out",
                                                                  str(work / "warm")]}
    for name, make in commands.items():
        if name in warm:  # compiles into PYCACHE; the files themselves are in the page cache since the stages
            run_command(warm[name])
        runs[name] = [run_command(make(i), sample_tree=repeat == 1) for i in range(repeat)]
        if repeat > 1:  # the timed runs are not sampled; one more run is, for the memory of the whole tree
            sampled = run_command(make(repeat), sample_tree=True)
            runs[name][0].tree_mb, runs[name][0].maxrss_mb = sampled.tree_mb, sampled.maxrss_mb
        if any(r.code not in (0, 1) for r in runs[name]):
            print(f"warning: {name} exited with {[r.code for r in runs[name]]}", file=sys.stderr)
    shutil.rmtree(work, ignore_errors=True)
    return runs


# ---- output ------------------------------------------------------------------------------------

def _s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def stage_table(r: SizeResult) -> str:
    """One year's stages; single-process rows are compared on CPU time (robust to a busy machine)."""
    rows, files = max(r.rows, 1), max(r.files, 1)
    st, fl = r.stages, r.floors
    lines = [f"### {r.label}: {r.files} files, {r.rows:,} rows, {int(r.extra['cells']):,} cells "
             f"(load average {r.extra['load before']:.1f} → {r.extra['load after']:.1f})",
             "", "| stage | wall s | CPU s | peak RSS MB | CPU ms / workbook | CPU µs / row | floor | floor s | "
             "ours / floor |", "|---|---:|---:|---:|---:|---:|---|---:|---:|"]

    def line(name: str, wall: float, cpu: float, peak: float, floor_name: str = "", floor: float = 0.0,
             by_wall: bool = False) -> None:
        ratio = f"{(wall if by_wall else cpu) / floor:.2f}" if floor else ""
        peak_text = f"{peak:.0f}" if peak else ""
        lines.append(f"| {name} | {_s(wall)} | {_s(cpu)} | {peak_text} | {cpu / files * 1000:.2f} | "
                     f"{cpu / rows * 1e6:.1f} | {floor_name} | {_s(floor) if floor else ''} | {ratio} |")

    def stage(name: str, key: str, floor_name: str = "", floor: float = 0.0) -> None:
        line(name, st[key].wall, st[key].cpu, st[key].peak_mb, floor_name, floor)

    stage("read (read_workbook: precheck + calamine + normalise)", "read", "calamine, 1 process (CPU)",
          fl["read"].cpu)
    stage("  of which safety.precheck", "precheck alone")
    stage("check", "check")
    stage("summarize (runs in the workers)", "summarize")
    stage("merge", "merge")
    stage("render", "render", "bare docxtpl (CPU)", fl["render"].cpu)
    stage("write (manifest + version)", "write")
    if "sources" in st:
        stage("sources (figure_uses + 数据来源.xlsx)", "sources")
    keys = PIPELINE_STAGES
    line("read + check + summarize + merge + render", sum(st[k].wall for k in keys), sum(st[k].cpu for k in keys), 0,
         "calamine + docxtpl (CPU)", fl["read"].cpu + fl["render"].cpu)
    cs = st["check_submissions (2 workers)"]
    line("check_submissions (read + check in 2 workers)", cs.wall, cs.cpu, cs.peak_mb,
         "calamine, 2 processes (wall)", fl["read ×2 procs"].wall, by_wall=True)
    e = r.extra
    lines += ["", f"What the workers send back (file results + summaries) pickled: {e['pickle MB']:.1f} MB; dumps "
              f"{_s(e['pickle dumps s'])} s, loads {_s(e['pickle loads s'])} s in one process. "
              f"Report: {e['docx MB']:.2f} MB. Peak RSS of check_submissions is the main process only."]
    return "\n".join(lines)


def command_table(results: Sequence[SizeResult]) -> str:
    lines = ["| year | command | runs | wall s median (min–max) | CPU cores used | peak RSS of 1 process MB | "
             "PSS whole tree MB | floor s | ours / floor |", "|---|---|---:|---|---:|---:|---:|---:|---:|"]
    for r in results:
        for name in ("check", "build"):
            runs, floor = r.commands[name], r.commands[f"floor {name}"]
            walls = [x.wall for x in runs]
            wall, fwall = statistics.median(walls), statistics.median(x.wall for x in floor)
            cores = statistics.median(x.cpu / x.wall for x in runs)
            lines.append(f"| {r.label} | `{name}` | {len(runs)} | {_s(wall)} ({_s(min(walls))}–{_s(max(walls))}) | "
                         f"{cores:.2f} | {runs[0].maxrss_mb:.0f} | {runs[0].tree_mb:.0f} | "
                         f"{_s(fwall)} | {wall / fwall:.2f} |")
    return "\n".join(lines)


def flat_table(results: Sequence[SizeResult]) -> str:
    lines = ["| year | files | rows | " + " | ".join(f"{k} CPU µs/row" for k in PIPELINE_STAGES) +
             " | build ms/workbook | check ms/workbook |", "|---|---:|---:|" + "---:|" * (len(PIPELINE_STAGES) + 2)]
    for r in results:
        rows = max(r.rows, 1)
        per = " | ".join(f"{r.stages[k].cpu / rows * 1e6:.1f}" for k in PIPELINE_STAGES)
        build = statistics.median(x.wall for x in r.commands["build"]) / r.files * 1000
        check = statistics.median(x.wall for x in r.commands["check"]) / r.files * 1000
        lines.append(f"| {r.label} | {r.files} | {r.rows:,} | {per} | {build:.1f} | {check:.1f} |")
    return "\n".join(lines)


def goals(results: Sequence[SizeResult]) -> str:
    by = {r.label: r for r in results}
    out = []

    def say(ok: bool, text: str) -> None:
        out.append(f"- {'MET' if ok else 'MISSED'}: {text}")

    def build_wall(label: str) -> float:
        return statistics.median(x.wall for x in by[label].commands["build"])

    if "sample" in by:
        say(build_wall("sample") < 1.0, f"sample year build {build_wall('sample'):.2f} s (goal well under 1 s)")
    if "40" in by:
        say(build_wall("40") < 1.5, f"40-department build {build_wall('40'):.2f} s (goal < 1.5 s)")
    for r in results:
        ours = sum(r.stages[k].cpu for k in PIPELINE_STAGES)
        floor = r.floors["read"].cpu + r.floors["render"].cpu
        say(ours / floor <= 2, f"{r.label}: read+check+summarize+merge+render / (calamine read + bare docxtpl) = "
            f"{ours / floor:.2f} (goal ≤ 2)")
    sized = [r for r in results if r.label != "sample"]
    if len(sized) >= 2:
        small, large = sized[0], sized[-1]
        for stage in PIPELINE_STAGES:
            a = small.stages[stage].cpu / small.rows
            b = large.stages[stage].cpu / large.rows
            say(b / a < 1.5, f"{stage} cost per row {small.label}→{large.label}: ×{b / a:.2f} (goal flat, < ×1.5)")
        for name in ("check", "build"):
            cores = statistics.median(x.cpu / x.wall for x in large.commands[name])
            say(cores > 1.6, f"`{name}` on {large.label} uses {cores:.2f} cores (goal: both of 2)")
    if "4000" in by:
        peak = max(by["4000"].commands[n][0].tree_mb for n in ("check", "build"))
        say(peak < 1024, f"4000-department peak memory (PSS) of the whole tree {peak:.0f} MB (goal < 1 GB)")
    return "\n".join(out)


def cli_start() -> str:
    """Python start, CLI import, and which heavy modules `check` imports at start."""
    exe = shutil.which("report-builder") or "report-builder"
    bare = statistics.median(run_command([sys.executable, "-c", "pass"]).wall for _ in range(7))
    imp = statistics.median(run_command([sys.executable, "-c", "import report_builder.cli"]).wall for _ in range(7))
    helps = statistics.median(run_command([exe, "--help"]).wall for _ in range(7))
    probe = ("import sys, report_builder.cli; print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & "
             "{'docxtpl','docx','openpyxl','lxml','jinja2','pydantic','python_calamine','docxcompose','PIL'})))")
    heavy = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd="/").stdout.strip()
    return (f"- `python -c pass`: {bare:.3f} s; `python -c 'import report_builder.cli'`: {imp:.3f} s; "
            f"`report-builder --help`: {helps:.3f} s\n- heavy modules imported by the CLI at start: {heavy}")


def machine() -> str:
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "?")
    nproc = len(os.sched_getaffinity(0))
    return f"{os.cpu_count()} cores (nproc {nproc}), {cpu}, {total} RAM, Python {sys.version.split()[0]}"


def _code_version() -> str:
    """Where report_builder is imported from, and its commit (with `+dirty` when its tree has changes)."""
    found = subprocess.run([sys.executable, "-c", "import report_builder; print(report_builder.__file__)"],
                           capture_output=True, text=True, cwd="/").stdout.strip()
    folder = Path(found).parent.parent if found else ROOT
    git = ["git", "-C", str(folder)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run([*git, "status", "--porcelain", "report_builder"], capture_output=True, text=True).stdout
    return f"{folder} at {head or '?'}{'+dirty' if dirty.strip() else ''}"


def main(argv: Sequence[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["_floor"]:
        floor_command(argv[1:])
        return
    parser = argparse.ArgumentParser(description="report_builder against the floor")
    parser.add_argument("--sizes", default="15,40,400", help="department counts, comma-separated (4000 on request)")
    parser.add_argument("--repeat", type=int, help="runs per measurement (default: 5 up to 40 departments, else 1)")
    parser.add_argument("--no-sample", action="store_true", help="skip the sample year inputs/2017-2018")
    parser.add_argument("--json", type=Path, help="also write the raw measurements here")
    parser.add_argument("--root", type=Path, default=Path("/tmp/rb_bench"))
    parser.add_argument("--code", type=Path, help="measure the report_builder package in this folder instead "
                        "(a patched copy: CODE/report_builder, CODE/templates)")
    args = parser.parse_args(argv)
    if args.code:  # before anything imports report_builder; commands get it through PYTHONPATH
        sys.path.insert(0, str(args.code.resolve()))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(args.code.resolve()),
                                                                  os.environ.get("PYTHONPATH")]))
    sys.path.insert(0, str(HERE))
    from generate import describe, generate_year

    years = [] if args.no_sample else [("sample", SAMPLE_YEAR)]
    for n in (int(s) for s in args.sizes.split(",") if s.strip()):
        started = time.perf_counter()
        year = generate_year(n, args.root)
        print(f"year {n}: {year} {describe(year)} (ready in {time.perf_counter() - started:.1f} s)", file=sys.stderr)
        years.append((str(n), year))
    results: list[SizeResult] = []
    for label, year in years:
        files = len(list(year.glob("*.xlsx")))
        repeat = args.repeat or (5 if files <= 41 else 1)
        print(f"measuring {label} ({files} files, repeat {repeat})…", file=sys.stderr)
        load = os.getloadavg()[0]
        stages, floors, extra, context = measure_stages(year, repeat)
        extra["load before"], extra["load after"] = load, os.getloadavg()[0]
        commands = measure_commands(year, context, max(repeat, 3) if files <= 41 else repeat)
        results.append(SizeResult(label, files, int(extra["rows"]), stages, floors, commands, extra))
        print(stage_table(results[-1]), file=sys.stderr)
    report = ["## Machine", "", machine(), "", f"report_builder from {_code_version()}", "",
              "## CLI start", "", cli_start(), "",
              "## In-process stages (one process) against the floor", ""]
    report += [stage_table(r) + "\n" for r in results]
    report += ["## Commands as a user runs them (Python start included)", "", command_table(results), "",
               "## Cost per row and per workbook", "", flat_table(results), "", "## Goals", "", goals(results)]
    print("\n".join(report))
    if args.json:
        raw = [{"label": r.label, "files": r.files, "rows": r.rows, "extra": r.extra,
                "stages": {k: vars(v) for k, v in r.stages.items()},
                "floors": {k: vars(v) for k, v in r.floors.items()},
                "commands": {k: [vars(x) for x in v] for k, v in r.commands.items()}} for r in results]
        args.json.write_text(json.dumps(raw, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
