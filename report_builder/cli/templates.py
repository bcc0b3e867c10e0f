"""The commands for the office staff who choose or edit the Word template: check-template, fields, guide, formats.

Each is one public call (`report_builder`), printed.
"""

from __future__ import annotations

import argparse
import sys

import report_builder as rb
from report_builder.cli.console import mark, table
from report_builder.cli.exits import INPUT_PROBLEMS, OK, USAGE
from report_builder.findings import Finding, errors
from report_builder.formats import OWN_TEMPLATE

__all__ = ["check_template", "fields", "formats", "guide"]


def check_template(args: argparse.Namespace) -> int:
    findings = rb.check_report_template(args.template, args.year_dir)
    for finding in findings:
        print(f"{mark(finding)} {finding}")
    error_count = len(errors(findings))
    if error_count:
        warned = f"，提示 {len(findings) - error_count} 处" if len(findings) > error_count else ""
        print(f"\n模板有 {error_count} 处错误{warned}，请按上面的提示修改。")
        return INPUT_PROBLEMS
    print("模板检查通过。" + ("已用该年度的数据试生成。" if args.year_dir else ""))
    return OK


def fields(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    if args.year_dir is not None:  # the year's values come from its office workbook: say why there are none
        unreadable = errors(rb.load_office(args.year_dir).findings)
        for finding in unreadable:
            print(f"✗ {finding}")
        if unreadable:
            print("\n年度总表有错误，无法列出本年度的值；不给出年度文件夹时可列出全部名称。")
            return INPUT_PROBLEMS
    rows = rb.template_fields(args.year_dir)
    header = ("类别", "名称", "说明") + (("本年度的值",) if args.year_dir else ())
    print(table([header] + [(r.section, r.name, r.description) + ((r.value,) if args.year_dir else ())
                             for r in rows]))
    return OK


def guide(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    print(rb.write_template_guide(args.out, args.year_dir))
    return OK


def formats(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    if args.copy is not None:
        if args.year_dir is None:
            print("请给出年度文件夹：report-builder formats 年度文件夹 --copy 名称", file=sys.stderr)
            return USAGE
        copied = rb.copy_format(args.copy, args.year_dir)
        for finding in copied.findings:
            print(f"✗ {finding}")
        for path in copied.written:
            print(path)
            print("这份模板是本年度的“本校格式”：在 Word 中修改（“一、”“二、”……开头的各部分标题就是应有的部分），"
                  "年度总表“报告格式”留空或选“本校格式”时，build 用它生成报告。" if path.name == OWN_TEMPLATE else
                  "请在 Word 中修改这份模板；该年度选用这种格式时，build 会用它代替自带的模板。")
        return OK if copied.written else INPUT_PROBLEMS
    listed = rb.list_formats(args.year_dir)
    header = ("名称", "说明", "模板文件", "状态") + (("本年度",) if args.year_dir else ())
    print(table([header] + [(f.name, f.description, f.file, f.status)
                             + (("✓ 选用" if f.chosen else "",) if args.year_dir else ()) for f in listed.formats]))
    for finding in listed.findings:
        print(f"✗ {finding}")
    return INPUT_PROBLEMS if listed.findings else OK
