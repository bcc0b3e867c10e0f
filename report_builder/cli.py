"""`report-builder`: a thin command line over report_builder's public calls (report_builder.pipeline).

Each command parses its arguments, calls one library function, prints the result and
picks the exit code: 0 ok, 1 problems in the inputs, 2 usage error, 3 internal error.
No traceback reaches a user unless --debug is given.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import os
import re
import sys
import time
import traceback
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO, cast

import report_builder
from report_builder import package_cli, pipeline, serve_cli, template_cli
from report_builder.cli_text import use_chinese
from report_builder.display import escape, escape_json, shown
from report_builder.entry import INTERRUPTED_EXIT, interrupted, say_interrupted
from report_builder.findings import Finding, Severity, sentence
from report_builder.intake.report_template import ORIGINS, UsedTemplate
from report_builder.json_report import publication_as_json, report_as_json
from report_builder.outputs import versions
from report_builder.results import CheckReport

OK, INPUT_PROBLEMS, USAGE, INTERNAL = 0, 1, 2, 3
TABLE_CELL = 40  # characters of a department or file name shown in the table


class Progress:
    """'已检查 12/40 个文件' on stderr, only on a terminal and only after the first second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if self.enabled and time.monotonic() - self.started > 1.0:  # our own text: "\r" may pass unescaped
            print(f"\r已检查 {done}/{total} 个文件", end="", file=_unescaped(sys.stderr), flush=True)
            self.shown = True

    def close(self) -> None:
        if self.shown:
            print(file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    with _escaped_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return USAGE
    try:
        code: int = args.run(args)
        return code
    except KeyboardInterrupt:  # Ctrl-C or SIGTERM (see entry.py); `finally` blocks have run
        say_interrupted()
        return INTERRUPTED_EXIT
    except BrokenPipeError:  # `report-builder check … | head`: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return OK
    except Exception as error:
        return _say_error(error, debug=args.debug)


def _say_error(error: Exception, *, debug: bool) -> int:
    """The boundary: an interruption's aftermath, a known OSError, or an internal error, said plainly."""
    if interrupted():  # Ctrl-C arrived, and what it interrupted failed in its own way
        say_interrupted()
        return INTERRUPTED_EXIT
    if isinstance(error, OSError):  # the last net: a known cause (permissions, full disk…) is said plainly
        finding = _os_error_finding(error)
        if finding is not None:
            print(finding if finding.file else f"{sentence(finding.message)}{finding.hint}", file=sys.stderr)
            return INPUT_PROBLEMS
    if debug:
        traceback.print_exc()
    else:
        print(f"内部错误：{type(error).__name__}。请加 --debug 重新运行并把输出发给维护人员。", file=sys.stderr)
    return INTERNAL


# errno → finding code, for OSErrors that reach `main` (write failures of outputs are findings earlier)
_OS_ERRORS = {
    errno.EACCES: "io-permission-denied", errno.EPERM: "io-permission-denied", errno.EROFS: "io-read-only",
    errno.ENOSPC: "io-disk-full", errno.EDQUOT: "io-disk-full", errno.ENAMETOOLONG: "io-name-too-long",
    errno.ENOENT: "io-not-found", errno.ENOTDIR: "io-not-a-folder", errno.EISDIR: "io-is-a-folder",
    errno.EEXIST: "io-exists",
}


def _os_error_finding(error: OSError) -> Finding | None:
    """The finding for an OSError of a known kind, naming its path (a temporary name shown as the real one)."""
    code = _OS_ERRORS.get(error.errno or 0)
    if code is None:
        return None
    path = os.fsdecode(error.filename) if error.filename is not None else ""
    return Finding(code, file=re.sub(r"([\\/]|^)\.([^\\/]+)\.\d+\.tmp$", r"\1\2", path))


@contextlib.contextmanager
def _escaped_output() -> Iterator[None]:
    """While a command runs, everything printed goes through `display.escape` (newlines and tabs kept)."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = cast(TextIO, _Escaping(sys.stdout)), cast(TextIO, _Escaping(sys.stderr))
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


class _Escaping(io.TextIOBase):
    """A text stream that shows control and format characters visibly before they reach the terminal."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write("\n".join(escape(line, keep="\t") for line in text.split("\n")))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return self.stream.isatty()

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]  # read-only on io.TextIOBase, a field in typeshed
        return self.stream.encoding


def _unescaped(stream: TextIO) -> TextIO:
    return stream.stream if isinstance(stream, _Escaping) else stream
def _parser() -> argparse.ArgumentParser:
    use_chinese()
    parser = argparse.ArgumentParser(prog="report-builder", description="信息公开工作年度报告生成工具")
    parser.add_argument("--debug", action="store_true", help="出错时显示技术细节")
    sub = parser.add_subparsers(dest="command", metavar="命令")

    build = sub.add_parser("build", help="检查年度文件夹并生成年度报告 (.docx)")
    build.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2017-2018")
    build.add_argument("--out", type=Path, default=Path("output"), metavar="文件夹", help="输出文件夹（默认 output/）")
    build.add_argument("--template", type=Path, metavar="模板.docx",
                       help="报告模板 (.docx)；默认用所选格式在年度文件夹中的或自带的模板")
    build.add_argument("--format", dest="report_format", metavar="名称",
                       help="报告格式（report-builder formats 列出全部）；默认用年度总表“基本信息”中选的，"
                            "未选则用三部分")
    build.add_argument("--json", type=Path, metavar="文件", help="同时把检查结果写成 JSON 文件")
    build.add_argument("--pdf", action="store_true", help="同时生成 PDF（需要 LibreOffice）")
    build.add_argument("--html", action="store_true", help="同时生成网页版 (.html，可贴入学校网站) 和纯文本版 (.txt)")
    build.add_argument("--from", dest="last_year", type=Path, metavar="上年",
                       help="上年的报告 (.docx)、其输出文件夹或上年的年度文件夹；模板可用“上年.名称”“增减.名称”")
    build.set_defaults(run=_build)

    check = sub.add_parser("check", help="检查年度文件夹中各部门交回的填报表")
    check.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2017-2018")
    check.add_argument("--feedback", type=Path, metavar="文件夹", help="为有问题的部门生成反馈表的文件夹")
    check.add_argument("--json", type=Path, metavar="文件", help="把检查结果写成 JSON 文件（“-”表示只输出到屏幕）")
    check.set_defaults(run=_check)

    templates = sub.add_parser("templates", help="按年度总表为各部门生成填报表")
    templates.add_argument("year_dir", type=Path, metavar="年度文件夹", help="含年度总表.xlsx 的年度文件夹")
    templates.add_argument("--out", type=Path, metavar="文件夹", help="输出文件夹（默认 output/<年度>/填报表）")
    templates.set_defaults(run=_templates)

    new_year = sub.add_parser("new-year", help="为新的一年生成年度总表（可从上年的年度总表生成）")
    new_year.add_argument("new_dir", type=Path, metavar="新年度文件夹",
                          help="新年度文件夹，如 inputs/2018-2019（不存在时新建）")
    new_year.add_argument("--from", dest="from_dir", type=Path, metavar="上年文件夹",
                          help="上年的年度文件夹：沿用其学校、部门名单、清单和文字材料，时间段和年度顺延一年")
    new_year.set_defaults(run=_new_year)

    versions = sub.add_parser("versions", help="列出已生成的报告版本")
    versions.add_argument("folder", type=Path, metavar="输出文件夹", help="报告所在文件夹，如 output/2017-2018")
    versions.set_defaults(run=_versions)

    diff = sub.add_parser("diff", help="比较两版报告（生成 Word 修订版）或同一部门的两版填报表")
    diff.add_argument("old", type=Path, metavar="旧文件", help="旧版 .docx 或 .xlsx")
    diff.add_argument("new", type=Path, metavar="新文件", help="新版 .docx 或 .xlsx")
    diff.add_argument("--out", type=Path, metavar="修订.docx",
                      help="修订版 .docx 的保存路径（默认：新版文件名加“_修订”）")
    diff.set_defaults(run=_diff)
    template_cli.add_commands(sub)
    package_cli.add_commands(sub)
    serve_cli.add_commands(sub)
    return parser


def _check(args: argparse.Namespace) -> int:
    to_stdout = args.json is not None and str(args.json) == "-"
    report = _run_check(args.year_dir, quiet=to_stdout)
    if report is None:
        return USAGE
    if to_stdout:
        print(_json_text(report))
    else:
        _print_check(report)
    if args.json and not to_stdout:
        _write_json(args.json, report)
    if args.feedback:
        feedback = pipeline.write_feedback(report, args.feedback)
        for path in feedback.written:
            print(f"反馈表：{path}")
        for finding in feedback.findings:
            print(f"  {_mark(finding)} {finding}")
        if feedback.findings:
            return INPUT_PROBLEMS
    return OK if report.ok else INPUT_PROBLEMS


def _build(args: argparse.Namespace) -> int:
    if not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    progress = Progress(enabled=True)
    result = pipeline.build_report(args.year_dir, args.out, template=args.template, pdf=args.pdf, html=args.html,
                                   on_progress=progress, last_year=args.last_year, report_format=args.report_format)
    progress.close()
    if result.report_format:  # unknown while the office workbook or --format is wrong
        print(f"报告格式：{result.report_format}")
    if result.template is not None:
        print(_template_line(result.template))
    if args.json:
        report = {"report": str(result.report) if result.report else None, "unchanged": result.unchanged}
        _write_json(args.json, result.check, {"format": result.report_format} | report | publication_as_json(result))
    if not result.check.ok or result.report is None:
        if not result.check.ok:
            _print_check(result.check)
        for finding in result.render_findings:
            print(finding)
        if result.summary_line:
            print(result.summary_line)
        print("\n有错误，未生成报告。请按上面的提示修改后重新运行。")
        return INPUT_PROBLEMS
    warnings = [f for f in result.check.findings if f.severity is Severity.WARNING]
    if warnings:
        print(f"提示 {len(warnings)} 条（不影响生成，建议核对）：")
        for finding in warnings:
            print(f"  {finding}")
    last = (versions.read_manifest(result.report) or {}).get("last_year") if args.last_year else None
    if isinstance(last, dict):
        print(f"上年的数字取自：{last.get('report', '')}")
    if result.unchanged:
        print(f"输入和模板都没有变化，未生成新版本：{result.report}")
    else:
        print(result.report)
    for finding in result.render_findings:
        print(finding)
    for suffix in (".pdf",) * args.pdf + (".html", ".txt") * args.html:
        if result.report.with_suffix(suffix).is_file():
            print(result.report.with_suffix(suffix))
    print(f"审核：{report_builder.review_status(result.report).label}")  # the gate: 可以发布, or what is missing
    print(result.summary_line)  # the last line: formats, parts, 清单 links, identities, days left
    return INPUT_PROBLEMS if any(f.severity is Severity.ERROR for f in result.render_findings) else OK


def _template_line(template: UsedTemplate) -> str:
    """"模板：年度报告模板.docx（年度文件夹中的模板，sha256 1a2b3c4d…）"."""
    return f"模板：{template.path.name}（{ORIGINS[template.origin]}，sha256 {template.sha256[:8]}…）"


def _versions(args: argparse.Namespace) -> int:
    listed = pipeline.list_report_versions(args.folder)
    for finding in listed.findings:
        print(f"{_mark(finding)} {finding}", file=sys.stderr)
    if not listed.versions:
        print(Finding("versions-none", str(args.folder)), file=sys.stderr)
        return USAGE
    rows = [("版本", "格式", "生成时间", "审核", "与同格式上一版本相比")]
    rows += [(v.path.name, v.report_format, v.built_at.replace("T", " ")[:16], v.review, "；".join(v.changes))
             for v in listed.versions]
    print(_table(rows))
    return OK


def _diff(args: argparse.Namespace) -> int:
    from report_builder.compare import files  # the redline engine is only loaded when it is needed

    try:
        result = files.compare_files(args.old, args.new, args.out)
    except files.DiffError as error:
        print(error.message, file=sys.stderr)
        if args.debug and error.detail:  # a tool's own (often English) text: only when asked for
            print(error.detail, file=sys.stderr)
        return USAGE if error.usage else INPUT_PROBLEMS
    print("\n".join(result.lines()))
    return OK


def _templates(args: argparse.Namespace) -> int:
    result = pipeline.make_templates(args.year_dir, args.out)
    for finding in result.findings:
        print(finding)
    for path in result.written:
        print(path)
    failed = any(f.severity is Severity.ERROR for f in result.findings)
    return OK if result.written and not failed else INPUT_PROBLEMS


def _new_year(args: argparse.Namespace) -> int:
    if args.from_dir is not None and not args.from_dir.is_dir():
        print(Finding("year-folder-missing", str(args.from_dir)), file=sys.stderr)
        return USAGE
    result = pipeline.start_year(args.new_dir, args.from_dir)
    for finding in result.findings:
        print(finding)
    for path in result.written:
        print(path)
        if args.from_dir is not None:
            print("已沿用上年的学校、部门名单、清单和文字材料；统计时间段、年度名称和报送截止日期已顺延一年。"
                  "请核对“基本信息”，并修改“文字材料”中标有“【上年内容…】”的段落。")
        else:
            print("请在 Excel 或 WPS 中填写这份年度总表，然后运行 report-builder templates 生成各部门的填报表。")
    failed = any(f.severity is Severity.ERROR for f in result.findings)
    return OK if result.written and not failed else INPUT_PROBLEMS


def _run_check(year_dir: Path, *, quiet: bool) -> CheckReport | None:
    if not year_dir.is_dir():
        print(Finding("year-folder-missing", str(year_dir)), file=sys.stderr)
        return None
    progress = Progress(enabled=not quiet)
    report = pipeline.check_submissions(year_dir, on_progress=progress)
    progress.close()
    return report


def _print_check(report: CheckReport) -> None:
    rows = [("部门", "文件", "状态", "错误", "提示", "读取行", "采用", "退回")]
    for r in report.files:
        status = "有错误" if r.errors else ("有提示" if r.warnings else "通过")
        t = r.tally
        rows.append((shown(r.department or "—", TABLE_CELL), shown(r.file, TABLE_CELL), status, str(r.errors),
                     str(r.warnings),
                     str(t.read), str(t.accepted), str(t.rejected)))
    print(_table(rows))
    for r in report.files:
        for finding in r.findings:
            print(f"  {_mark(finding)} {finding}")
    for finding in report.year_findings:
        print(f"  {_mark(finding)} {finding}")
    t = report.tally
    errors = sum(f.severity is Severity.ERROR for f in report.findings)
    warnings = len(report.findings) - errors
    print(f"\n共 {len(report.files)} 个文件：错误 {errors} 处，提示 {warnings} 处；"
          f"读取 {t.read} 行 = 采用 {t.accepted} 行 + 退回 {t.rejected} 行。")


def _mark(finding: Finding) -> str:
    return "✗" if finding.severity is Severity.ERROR else "!"


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell + " " * (w - _width(cell)) for cell, w in zip(row, widths, strict=True)).rstrip()
                     for row in rows)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _write_json(path: Path, report: CheckReport, extra: Mapping[str, Any] | None = None) -> None:
    versions.write_atomic(path, _json_text(report, extra).encode("utf-8"), overwrite=True)


def _json_text(report: CheckReport, extra: Mapping[str, Any] | None = None) -> str:
    """The check report as JSON (with `extra`: build's format and checks before publication); characters a
    terminal would obey are written as \\uXXXX (same data)."""
    return escape_json(json.dumps(report_as_json(report) | dict(extra or {}), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    sys.exit(main())
