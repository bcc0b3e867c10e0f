"""The year's check, a public call of its own: every workbook of a year folder (`check_submissions`), the office
workbook (`load_office`) or one file (`check_file`), each file checked in a worker process.

In a worker, each file's bytes are read once, checked, and reduced to a small outcome (a department's summary),
so a file that crashes the reader costs only itself; what the year folder holds besides workbooks is listed
(`list_year`, `other_file`). `drafts` and `pipeline` build on these calls; nothing here writes a file.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from report_builder.atomic import is_temporary
from report_builder.findings import Finding
from report_builder.formats import DEFAULT_FORMAT, FORMATS
from report_builder.intake.checks import Checked, OfficeIndex, Tally, check_department, check_office
from report_builder.intake.document_safety import precheck_document
from report_builder.intake.reader import RawWorkbook, read_bytes, read_workbook
from report_builder.intake.report_template import MAX_HASHED_BYTES, TEMPLATE_FILES, file_sha256
from report_builder.isolation import Crash, run_isolated
from report_builder.report.merge import merge_year
from report_builder.report.summary import DepartmentSummary, summarize_department
from report_builder.report.year_on_year import LastYear, jumps
from report_builder.results import CheckReport, FileResult, OfficeResult
from report_builder.schema import OFFICE_FILE, WORKBOOK_SUFFIXES, DepartmentWorkbook, OfficeWorkbook

Progress = Callable[[int, int], None]




@dataclass(frozen=True)
class Outcome:
    """What a worker sends back for one file: small, whatever the size of the file."""

    result: FileResult
    office: OfficeWorkbook | None = None
    summary: DepartmentSummary | None = None


def check_isolated(paths: Sequence[Path], office: OfficeWorkbook | None, year: str, lists: frozenset[str],
                   on_progress: Progress | None) -> list[Outcome]:
    """Each file checked (and a department's summarized) in a worker process; a crash is the file's finding."""
    index = OfficeIndex.of(office) if office is not None else None
    work = functools.partial(_check_and_summarize, index=index, year=year, lists=lists)
    outcomes = run_isolated(work, list(paths), on_progress=on_progress)
    return [_crashed(path, outcome) if isinstance(outcome, Crash) else outcome
            for path, outcome in zip(paths, outcomes, strict=True)]


def _check_and_summarize(path: Path, *, index: OfficeIndex | None, year: str, lists: frozenset[str]) -> Outcome:
    """Runs in a worker: read the file's bytes once, check them, and reduce a department's rows to its
    summary. The sha256 sent back is that of the bytes checked, whatever happens to the file later."""
    data = read_bytes(path, path.name)
    checked = _check_data(path, data, index, year)
    digest = hashlib.sha256(data).hexdigest() if isinstance(data, bytes) else ""
    wb = checked.workbook
    return Outcome(file_result(checked, digest), wb if isinstance(wb, OfficeWorkbook) else None,
                   summarize_department(wb, lists) if isinstance(wb, DepartmentWorkbook) else None)


def check_workbook(path: Path, office: OfficeWorkbook | None = None, year: str = "") -> Checked:
    """Read (pre-checked) and check one file, in this process: findings and every row as a model.

    The file is the office workbook if it is named 年度总表.xlsx, else a department's. Only for trusted
    or pre-checked files (tests, benchmarks): `pipeline.check_file` is the isolated check.
    """
    index = OfficeIndex.of(office) if office is not None else None
    return _check_data(path, read_bytes(path, path.name), index, year)


def _check_data(path: Path, data: bytes | Finding, index: OfficeIndex | None, year: str) -> Checked:
    kind = _kind(path)
    raw: RawWorkbook | Finding = data if isinstance(data, Finding) else read_workbook(data, path.name)  # pre-checks
    if isinstance(raw, Finding):
        return Checked(path.name, kind, None, (raw,), Tally())
    office = index.office if index is not None else None
    checked = check_office(raw, year) if kind == "office" else check_department(raw, office, index)
    if raw.old_format:
        checked = Checked(checked.file, checked.kind, checked.workbook,
                          (Finding("file-old-format", path.name),) + checked.findings, checked.tally)
    return checked


def _kind(path: Path) -> Literal["office", "department"]:
    return "office" if path.name == OFFICE_FILE else "department"


def _crashed(path: Path, crash: Crash) -> Outcome:
    finding = Finding("file-unsafe", path.name, detail=crash.words("读取"))
    return Outcome(file_result(Checked(path.name, _kind(path), None, (finding,), Tally())))


def file_result(checked: Checked, sha256: str = "") -> FileResult:
    department = checked.department or (Path(checked.file).stem if checked.kind == "department" else "")
    return FileResult(checked.file, checked.kind, department, checked.findings, checked.tally, sha256)


def not_merged(outcome: Outcome, dropped: set[str]) -> bool:
    """Whether none of the file's rows can reach the report: it gave no workbook, or a department file
    has a file-level error (another year, an unknown or duplicate department, an unreadable file)."""
    result = outcome.result
    if outcome.office is None and outcome.summary is None or result.file in dropped:
        return True
    return result.kind == "department" and any(f.keeps_file_out for f in result.findings)


def rejected_whole(result: FileResult) -> FileResult:
    return dataclasses.replace(result, tally=Tally(result.tally.read, 0, result.tally.read))


# ---- what else the year folder holds ----------------------------------------------------------------------

def list_year(year_dir: Path) -> tuple[list[Path], list[Path], tuple[Finding, ...]]:
    """(links and files that are not workbooks, department workbooks), sorted by name, and one finding listing
    what is not read at all (sub-folders, hidden files, Excel's `~$` lock files). Links are never followed."""
    others: list[Path] = []
    workbooks: list[Path] = []
    skipped: list[str] = []
    for path in sorted(year_dir.iterdir()) if year_dir.is_dir() else []:
        if path.name == OFFICE_FILE or is_temporary(path.name):
            continue
        if path.name.startswith(("~$", ".")) or (path.is_dir() and not path.is_symlink()):
            skipped.append(path.name + ("/" if path.is_dir() and not path.is_symlink() else ""))
        elif path.is_symlink():
            others.append(path)
        elif path.is_file():
            (workbooks if path.suffix.lower() in WORKBOOK_SUFFIXES else others).append(path)
    listed = "、".join(skipped[:10]) + (f" 等 {len(skipped)} 项" if len(skipped) > 10 else "")
    return others, workbooks, (Finding("folder-entries-skipped", year_dir.name, detail=listed),) if skipped else ()


def other_file(path: Path) -> FileResult:
    """A link, the year's own report template (pre-checked, named with its sha256, what in it reaches outside
    said), or an unknown file (one too large to hash at every build is said to be recorded by its size)."""
    findings: tuple[Finding, ...]
    try:
        if path.is_symlink():
            findings = (Finding("file-link", path.name),)
        elif path.name in TEMPLATE_FILES:
            problem = precheck_document(path, path.name)
            used_for = next((f.name for f in sorted(FORMATS.values(), key=lambda f: not f.own)
                             if f.file == path.name), DEFAULT_FORMAT)  # 年度报告模板.docx: 本校格式
            detail = f"用于报告格式“{used_for}”；sha256 {file_sha256(path)}"  # the whole digest: what an audit compares
            findings = (problem,) if problem else (Finding("template-in-folder", path.name, detail=detail),
                *_template_reach(path))
        else:
            size = path.stat().st_size
            findings = (Finding("file-unknown", path.name),) + ((Finding("attachment-not-hashed", path.name, detail=(
                f"文件有 {size:,} 字节，超过 {MAX_HASHED_BYTES:,} 字节")),) if size > MAX_HASHED_BYTES else ())
    except OSError:
        findings = (Finding("document-unreadable", path.name, detail="无法打开文件"),)
    return FileResult(path.name, "unknown", "", findings, Tally())


def _template_reach(path: Path) -> tuple[Finding, ...]:
    from report_builder.report.template_reach import reach_of_file

    [outcome] = run_isolated(reach_of_file, [path], workers=1)
    return (Finding("document-unsafe", path.name, detail="读取时超出时间或内存上限"),) if isinstance(
        outcome, Crash) else tuple(outcome)


def check_submissions(year_dir: Path, *, lists: Iterable[str] = (), on_progress: Progress | None = None,
                      last_year: LastYear | None = None, loaded: OfficeResult | None = None) -> CheckReport:
    """Check every workbook of a year folder; merge what is valid.

    `lists` names the lists of rows the report data should carry (summary.LIST_NAMES; build
    asks for those its template prints): the figures never need them. With `last_year` the data
    carries `上年`/`增减`, and a figure that jumped since last year is a `figure-jump` warning.
    `loaded`: this year's office workbook already read by `load_office` (not read again).
    """
    year_dir = Path(year_dir)
    others, files, skipped = list_year(year_dir)
    loaded = loaded if loaded is not None else load_office(year_dir)
    office = loaded.office
    checked = check_isolated(files, office, year_dir.name, frozenset(lists), on_progress)
    year_findings = [*loaded.folder_findings, *skipped]
    if last_year is None and office is not None and office.last_year:  # typed by the office (first year)
        last_year = LastYear(f"{OFFICE_FILE} › 上年数字", "", loaded.file.sha256 if loaded.file else "",
                             {f.name: f.value for f in office.last_year})
    data = None
    if office is not None:
        summaries = [o.summary for o in checked if o.summary is not None]
        unchecked = [o.result.file for o in checked if o.summary is None]
        data, merge_findings = merge_year(office, summaries, unchecked, last_year)
        year_findings += merge_findings
        if last_year is not None:
            year_findings += jumps(data.figures, last_year, office.file)
    dropped = {f.file for f in year_findings if f.code == "duplicate-department"}
    results = [loaded.file] if loaded.file else []
    results += [rejected_whole(o.result) if not_merged(o, dropped) else o.result for o in checked]
    results += [other_file(p) for p in others]
    return CheckReport(year_dir, tuple(results), tuple(year_findings), office, data)


def load_office(year_dir: Path) -> OfficeResult:
    """Read and check the year's office workbook (年度总表.xlsx) in a worker; a link is never followed."""
    year_dir = Path(year_dir)
    path = year_dir / OFFICE_FILE
    if path.is_symlink():
        return OfficeResult(None, None, (Finding("file-link", OFFICE_FILE),))
    if not path.is_file():
        detail = f"应放在年度文件夹“{year_dir.name}”中"
        return OfficeResult(None, None, (Finding("missing-office-workbook", OFFICE_FILE, detail=detail),))
    [outcome] = check_isolated([path], None, year_dir.name, frozenset(), None)
    if outcome.office is None:
        return OfficeResult(None, rejected_whole(outcome.result))
    return OfficeResult(outcome.office, outcome.result)


def check_file(path: Path, office: OfficeWorkbook | None = None, *, year: str = "") -> FileResult:
    """Check one workbook in a capped worker process: the office workbook if it is named 年度总表.xlsx
    (`year`: the year folder's name it must match), else a department's (against `office`)."""
    path = Path(path)
    [outcome] = check_isolated([path], office, year, frozenset(), None)
    return outcome.result
