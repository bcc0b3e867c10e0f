"""The year's commands: check, build, templates, new-year, versions and diff (each one public call, printed).

Only the public API (`report_builder`), its findings and result types: the face goes through the same door
as the web desk and any other program.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import report_builder as rb
from report_builder import atomic
from report_builder.cli.console import Progress, mark, table
from report_builder.cli.exits import INPUT_PROBLEMS, OK, USAGE
from report_builder.cli.json_output import publication_as_json, report_as_json
from report_builder.display import escape_json, shown
from report_builder.findings import Finding, Severity, errors, has_errors
from report_builder.results import CheckReport, UsedTemplate

TABLE_CELL = 40  # characters of a department or file name shown in the table


def check(args: argparse.Namespace) -> int:
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
        feedback = rb.write_feedback(report, args.feedback)
        for path in feedback.written:
            print(f"反馈表：{path}")
        for finding in feedback.findings:
            print(f"  {mark(finding)} {finding}")
        if feedback.findings:
            return INPUT_PROBLEMS
    return OK if report.ok else INPUT_PROBLEMS


def build(args: argparse.Namespace) -> int:
    if not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    progress = Progress(enabled=True)
    result = rb.build_report(args.year_dir, args.out, template=args.template, pdf=args.pdf, html=args.html,
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
    last = result.check.data.last_year if args.last_year and result.check.data else None
    if last is not None:
        print(f"上年的数字取自：{last.report}")
    if result.unchanged:
        print(f"输入和模板都没有变化，未生成新版本：{result.report}")
    else:
        print(result.report)
    for finding in result.render_findings:
        print(finding)
    for suffix in (".pdf",) * args.pdf + (".html", ".txt") * args.html:
        if result.report.with_suffix(suffix).is_file():
            print(result.report.with_suffix(suffix))
    print(f"审核：{rb.review_status(result.report).label}")  # the gate: 可以发布, or what is missing
    print(result.summary_line)  # the last line: formats, parts, 清单 links, identities, days left
    return INPUT_PROBLEMS if has_errors(result.render_findings) else OK


def _template_line(template: UsedTemplate) -> str:
    """"模板：年度报告模板.docx（年度文件夹中的模板，sha256 1a2b3c4d…）"."""
    return f"模板：{template.path.name}（{template.origin_text}，sha256 {template.sha256[:8]}…）"


def versions(args: argparse.Namespace) -> int:
    listed = rb.list_report_versions(args.folder)
    for finding in listed.findings:
        print(f"{mark(finding)} {finding}", file=sys.stderr)
    if not listed.versions:
        print(Finding("versions-none", str(args.folder)), file=sys.stderr)
        return USAGE
    rows = [("版本", "格式", "生成时间", "审核", "与同格式上一版本相比")]
    rows += [(v.path.name, v.report_format, v.built_at.replace("T", " ")[:16], v.review, "；".join(v.changes))
             for v in listed.versions]
    print(table(rows))
    return OK


def diff(args: argparse.Namespace) -> int:
    try:
        result = rb.compare_files(args.old, args.new, args.out)
    except rb.DiffError as error:
        print(error.message, file=sys.stderr)
        if args.debug and error.detail:  # a tool's own (often English) text: only when asked for
            print(error.detail, file=sys.stderr)
        return USAGE if error.usage else INPUT_PROBLEMS
    print("\n".join(result.lines()))
    return OK


def templates(args: argparse.Namespace) -> int:
    result = rb.make_templates(args.year_dir, args.out)
    for finding in result.findings:
        print(finding)
    for path in result.written:
        print(path)
    failed = has_errors(result.findings)
    return OK if result.written and not failed else INPUT_PROBLEMS


def new_year(args: argparse.Namespace) -> int:
    if args.from_dir is not None and not args.from_dir.is_dir():
        print(Finding("year-folder-missing", str(args.from_dir)), file=sys.stderr)
        return USAGE
    result = rb.start_year(args.new_dir, args.from_dir)
    for finding in result.findings:
        print(finding)
    for path in result.written:
        print(path)
        if args.from_dir is not None:
            print("已沿用上年的学校、部门名单、清单和文字材料；统计时间段、年度名称和报送截止日期已顺延一年。"
                  "请核对“基本信息”，并修改“文字材料”中标有“【上年内容…】”的段落。")
        else:
            print("请在 Excel 或 WPS 中填写这份年度总表，然后运行 report-builder templates 生成各部门的填报表。")
    failed = has_errors(result.findings)
    return OK if result.written and not failed else INPUT_PROBLEMS


def _run_check(year_dir: Path, *, quiet: bool) -> CheckReport | None:
    if not year_dir.is_dir():
        print(Finding("year-folder-missing", str(year_dir)), file=sys.stderr)
        return None
    progress = Progress(enabled=not quiet)
    report = rb.check_submissions(year_dir, on_progress=progress)
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
    print(table(rows))
    for r in report.files:
        for finding in r.findings:
            print(f"  {mark(finding)} {finding}")
    for finding in report.year_findings:
        print(f"  {mark(finding)} {finding}")
    t = report.tally
    error_count = len(errors(report.findings))
    warnings = len(report.findings) - error_count
    print(f"\n共 {len(report.files)} 个文件：错误 {error_count} 处，提示 {warnings} 处；"
          f"读取 {t.read} 行 = 采用 {t.accepted} 行 + 退回 {t.rejected} 行。")


def _write_json(path: Path, report: CheckReport, extra: Mapping[str, Any] | None = None) -> None:
    atomic.write_atomic(path, _json_text(report, extra).encode("utf-8"), overwrite=True)


def _json_text(report: CheckReport, extra: Mapping[str, Any] | None = None) -> str:
    """The check report as JSON (with `extra`: build's format and checks before publication); characters a
    terminal would obey are written as \\uXXXX (same data)."""
    return escape_json(json.dumps(report_as_json(report) | dict(extra or {}), ensure_ascii=False, indent=2))


