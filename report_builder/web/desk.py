"""What the desk does with an upload, through the library's public calls only: store it, check it alone
(`check_file` against `load_office`), record its findings, and put the latest upload without errors into
the year folder (`accept_submission`). Also the blank workbook to fill and the feedback copies.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import report_builder as rb
from report_builder.findings import Finding, Severity
from report_builder.results import CheckReport, FileResult, OfficeResult
from report_builder.web.limits import Limits, capped, was_capped
from report_builder.web.log import log_line
from report_builder.web.store import PENDING, PRIVATE_FILE, Department, Repaired, Store, Submission, make_folder

__all__ = ["CLEAN", "FIX", "LATE", "NONE", "OTHERS", "WARNINGS", "Desk", "Recovered", "Row", "changes",
           "checks_at_once", "comparable", "in_use", "others", "previous_own", "read_office", "readable", "status_of"]

CLEAN, WARNINGS, FIX, NONE, LATE = "已通过", "仅有提示", "有错误待改", "未交", "逾期"


def status_of(findings: tuple[Finding, ...]) -> str:
    if any(f.severity is Severity.ERROR for f in findings):
        return FIX
    return WARNINGS if findings else CLEAN


Place = tuple[str, str, str]  # (code, sheet, cell) of a finding


OTHERS = ("upload-other-department", "office-as-department")  # a readable workbook, but not this department's


def readable(submission: Submission) -> bool:
    """Whether the upload could be read (no error about the whole file but that it is another's workbook)."""
    return not any(f.severity is Severity.ERROR and not f.sheet and f.code not in OTHERS
                   for f in submission.findings)


def others(submission: Submission) -> str:
    """Whose workbook the upload is when it is not the department's: the other department, 年度总表 ("" if its
    own)."""
    found = next((f for f in submission.findings if f.code in OTHERS), None)
    if found is None:
        return ""
    return (found.value or "年度总表") if found.code == "upload-other-department" else "年度总表"


def previous_own(history: list[Submission], n: int) -> Submission | None:
    """The department's submission before the n-th that was its own workbook (another's is left out of the
    已改正 comparison)."""
    return next((s for s in reversed(history[:n - 1]) if not others(s)), None)


def changes(previous: Submission | None, current: Submission) -> tuple[list[Place], list[Place]]:
    """(fixed, new): the places of the previous submission's findings not in this one's, and of this one's not
    in the previous one's, in sheet and cell order (B3 before B10). Nothing when either could not be read
    (an unreadable file has none of the other's cell findings, which is no progress) or when either had more
    findings than are kept (limits.capped: the places left out are not known)."""
    if previous is None or not comparable(previous) or not comparable(current):
        return [], []
    before = {(f.code, f.sheet, f.cell) for f in previous.findings}
    now = {(f.code, f.sheet, f.cell) for f in current.findings}
    return sorted(before - now, key=_place_order), sorted(now - before, key=_place_order)


def comparable(submission: Submission) -> bool:
    """Whether a submission's findings can be compared with another's: it was readable, its own workbook, and
    none left out."""
    return readable(submission) and not others(submission) and not was_capped(submission.findings)


def in_use(history: list[Submission]) -> int:
    """The n of the submission the year folder holds: the newest without errors (0: none yet)."""
    accepted = [s.n for s in history if s.status not in (PENDING, FIX)]
    return accepted[-1] if accepted else 0


def _place_order(place: Place) -> tuple[str, int, str, int, str]:
    code, sheet, cell = place
    match = re.match(r"([A-Z]+)(\d+)", cell)
    if match is None:
        return sheet, 0, cell, 0, code
    return sheet, len(match[1]), match[1], int(match[2]), code


def checks_at_once() -> int:
    """Uploads the app checks at the same time: twice the cores this process may use. The checks are CPU-bound,
    so more workers only share the same cores and each holds its own memory (issue 13's load test: with 60 at
    once, the server's tree peaked at 18 processes and 540 MB of RSS without this bound, 7 and 300 MB with it)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 * cores


@dataclass(frozen=True, slots=True)
class Row:
    """One department on the office board."""

    department: Department
    status: str
    uploads: int
    last: str
    errors: int
    warnings: int
    source: str = ""  # season.FOLDER: the year folder holds a file of it that did not come through the desk
    deadline: dt.date | None = None  # its own (an extension), else the office workbook's
    late: bool = False  # its file in use came after its deadline


@dataclass(frozen=True, slots=True)
class Recovered:
    """What `Desk.recover` did at start."""

    repaired: Repaired
    rechecked: int  # submissions stored but not checked before the kill
    accepted: int  # accepted submissions written into the year folder again

    def summary(self) -> str:
        """One Chinese line saying what was repaired ("" when nothing was)."""
        parts = []
        if self.repaired.temporaries or self.repaired.orphans:
            parts.append(f"删除未写完或未登记的上传文件 {self.repaired.temporaries + self.repaired.orphans} 个")
        if self.repaired.staging:
            parts.append(f"删除未完成的临时文件夹 {self.repaired.staging} 个")
        if self.rechecked:
            parts.append(f"重新检查上次未检查完的上传 {self.rechecked} 份")
        if self.accepted:
            parts.append(f"把 {self.accepted} 个部门最新通过的上传重新写入年度文件夹")
        return f"上次服务异常中止，已修复：{'；'.join(parts)}。" if parts else ""


ReadOffice = tuple[tuple[int, int], OfficeResult]  # the office workbook and the (mtime, size) it was read at


def read_office(year_dir: Path) -> ReadOffice:
    """`load_office` now, with the file's (mtime, size) taken before reading (a change meanwhile is seen)."""
    return _office_key(year_dir), rb.load_office(year_dir)


def _office_key(year_dir: Path) -> tuple[int, int]:
    try:
        stat = (Path(year_dir) / "年度总表.xlsx").stat()
    except OSError:
        return (0, 0)
    return stat.st_mtime_ns, stat.st_size


class Desk:
    """One year's desk: the year folder, the state store, the office workbook (read again when it changes)."""

    def __init__(self, year_dir: Path, store: Store, *, today: dt.date | None = None,
                 office: ReadOffice | None = None, limits: Limits | None = None) -> None:
        """`office`: the office workbook as `read_office` gave it a moment ago (not read again)."""
        self.year_dir = Path(year_dir)
        self.store = store
        self.today = today
        self.limits = limits or Limits()
        self._lock = threading.Lock()
        self._making: dict[int, threading.Lock] = {}  # department id → its feedback copies being made
        self._office = office
        if office is not None and office[1].office is not None:
            self.store.add_departments(e.name for e in office[1].office.departments)

    # ---- the office workbook --------------------------------------------------------------------------------

    def office(self) -> OfficeResult:
        """The year's office workbook, read by `load_office` again only when its file changed."""
        with self._lock:
            if self._office is None or self._office[0] != _office_key(self.year_dir):
                self._office = read_office(self.year_dir)
                if (loaded := self._office[1].office) is not None:
                    self.store.add_departments(e.name for e in loaded.departments)
            return self._office[1]

    def departments(self) -> list[Department]:
        """The departments of the office workbook's list, with their tokens (made on first sight)."""
        office = self.office().office
        names = [e.name for e in office.departments] if office else []
        by_name = {d.name: d for d in self.store.departments()}
        return [by_name[name] for name in names if name in by_name]

    # ---- uploads --------------------------------------------------------------------------------------------

    def store_upload(self, department: Department, data: bytes) -> Submission:
        """The bytes stored whole as the department's next submission, not yet checked (then `check`; the app
        bounds how many are checked at once). Over the department's quota: store.OverQuota, nothing stored."""
        received = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        return self.store.reserve(department.id, received, hashlib.sha256(data).hexdigest(), data,
                                  self.limits.quota)

    def receive(self, department: Department, data: bytes) -> Submission:
        """Store the bytes as the department's next submission and check them now (unbounded: tests, scripts)."""
        return self.check(department, self.store_upload(department, data))

    def check(self, department: Department, submission: Submission) -> Submission:
        """Check a stored submission alone; record its findings; the latest without errors enters the year."""
        path = self.store.folder / submission.file
        loaded = self.office()
        result = rb.check_file(path, loaded.office, year=self.year_dir.name)
        findings = result.findings + _belongs(result, department)
        status = status_of(findings)
        kept = capped(findings, self.limits)  # the feedback copy marks them all: see `feedback`
        errors = sum(f.severity is Severity.ERROR for f in findings)
        self.store.record(submission.id, status, kept, (errors, len(findings) - errors))
        if status != FIX:
            self._accept(department, submission.n, path)
        self._log(department, submission, status, findings)
        return next(s for s in self.store.submissions(department.id) if s.id == submission.id)

    def _accept(self, department: Department, n: int, path: Path) -> None:
        with self._lock:  # a later upload checked sooner is not replaced by an earlier one
            if in_use(self.store.submissions(department.id)) == n:
                rb.accept_submission(self.year_dir, department.name, path.read_bytes())

    def _log(self, department: Department, submission: Submission, status: str, findings: tuple[Finding, ...]) -> None:
        """One line per checked upload in desk.log (beside the request lines): who, which n, what, the outcome."""
        errors = sum(f.severity is Severity.ERROR for f in findings)
        log_line(self.store.folder / "desk.log", "UPLOAD", department.name, str(submission.n), submission.sha256,
                 status, str(errors), str(len(findings) - errors))

    def recover(self) -> Recovered:
        """At start, before serving: remove a killed server's leftovers (`Store.repair`), check again the
        submissions it stored but did not check, and put each department's newest accepted submission into the
        year folder if a kill came between recording it and writing it there (which also clears the year
        folder's stale temporary files)."""
        repaired = self.store.repair()
        by_id = {d.id: d for d in self.store.departments()}
        pending = self.store.pending()
        for submission in pending:
            self.check(by_id[submission.department], submission)
        accepted = 0
        for department in by_id.values():
            history = self.store.submissions(department.id)
            if n := in_use(history):
                submission = next(s for s in history if s.n == n)
                received = dt.datetime.fromisoformat(submission.received_at).timestamp()
                file = self.store.folder / submission.file  # unless the office put another file there since
                written = rb.accept_submission(self.year_dir, department.name, file.read_bytes(),
                                               keep_newer_than=received, ours={s.sha256 for s in history})
                accepted += len(written.written)
        return Recovered(repaired, len(pending), accepted)

    # ---- files to download --------------------------------------------------------------------------------

    def template(self, department: Department) -> Path | None:
        """The department's blank workbook (`make_templates`), made once per version of the office workbook and
        of the tool: by `prepare_templates` at start, or alone when asked for first (a second or so)."""
        loaded = self.office()
        names = [e.name for e in loaded.office.departments] if loaded.office else []
        if loaded.file is None or department.name not in names:
            return None
        target = self._templates(loaded.file.sha256) / f"{names.index(department.name)}.xlsx"
        if not target.is_file():
            self._make_templates([department.name], names, target.parent)
        return target if target.is_file() else None

    def prepare_templates(self, at_most: int | None = None) -> int:
        """Listed departments' blank workbooks not made yet (`at_most` of them), made now; how many were made
        (0: none missing, or the office workbook has an error). The app makes them a few at a time at start."""
        loaded = self.office()
        names = [e.name for e in loaded.office.departments] if loaded.office else []
        if loaded.file is None or not names:
            return 0
        folder = self._templates(loaded.file.sha256)
        missing = [name for index, name in enumerate(names) if not (folder / f"{index}.xlsx").is_file()]
        return self._make_templates(missing[:at_most], names, folder) if missing else 0

    def _templates(self, office_sha256: str) -> Path:
        return self.store.folder / "templates" / f"{office_sha256[:16]}-{rb.__version__}"

    def _make_templates(self, wanted: list[str], names: list[str], folder: Path) -> int:
        """`wanted` departments' blank workbooks into `folder`, each named by its index in the list (not its
        name), each renamed into place whole."""
        staging = Path(tempfile.mkdtemp(prefix=f".templates.{os.getpid()}.", dir=self.store.folder))  # whose it is
        try:
            written = rb.make_templates(self.year_dir, staging, departments=wanted)
            if len(written.written) != len(wanted):
                return 0
            make_folder(folder)
            for name, path in zip(wanted, written.written, strict=True):
                path.chmod(PRIVATE_FILE)
                os.replace(path, folder / f"{names.index(name)}.xlsx")
            return len(wanted)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    def feedback(self, department: Department, submission: Submission) -> Path | None:
        """The submission's feedback copy (`write_feedback`), made on first request; None without findings.
        When its findings were capped (limits.capped), the stored upload is checked again for the whole list:
        the copy marks every one (the state keeps only those shown)."""
        if not submission.findings:
            return None
        findings = submission.findings
        if was_capped(findings) and not self._feedback_path(department, submission).is_file():
            office = self.office().office
            result = rb.check_file(self.store.folder / submission.file, office, year=self.year_dir.name)
            findings = result.findings + _belongs(result, department)
        return self._feedback(department, submission, findings)

    def _feedback_path(self, department: Department, submission: Submission) -> Path:
        return self.store.folder / "feedback" / str(department.id) / str(submission.n) / "反馈.xlsx"

    def _feedback(self, department: Department, submission: Submission,
                  findings: tuple[Finding, ...]) -> Path | None:
        target = self._feedback_path(department, submission)
        with self._lock:  # held only to find the department's lock: one copy made at a time per department
            making = self._making.setdefault(department.id, threading.Lock())
        with making:
            if not target.is_file():
                upload = self.store.folder / submission.file
                result = FileResult(upload.name, "department", department.name, findings, rb.Tally(),
                                    submission.sha256)
                staging = Path(tempfile.mkdtemp(prefix=".feedback.", dir=self.store.folder))
                written = rb.write_feedback(CheckReport(upload.parent, (result,), (), None), staging)
                if not written.written:
                    shutil.rmtree(staging, ignore_errors=True)
                    return None
                make_folder(target.parent)
                written.written[0].chmod(PRIVATE_FILE)
                os.replace(written.written[0], target)
                shutil.rmtree(staging, ignore_errors=True)
        return target


def _belongs(result: FileResult, department: Department) -> tuple[Finding, ...]:
    """An error when the workbook checked names another department (or is not a department's workbook).
    A workbook that names none (unreadable, say) gets its stored file's stem ("3" of 3.xlsx) as its department
    from `check_file`: that is our name, not the sender's, and no error."""
    if result.kind == "department" and result.department in ("", department.name, Path(result.file).stem):
        return ()
    if result.kind == "department" or result.kind == "office":
        shown = result.department or "年度总表"
        return (Finding("upload-other-department", result.file, value=shown,
                        detail=f"表中的部门是“{shown}”，本页面是“{department.name}”"),)
    return ()
