"""The commands for the office staff who choose or edit the Word template: check-template, fields, guide, formats.

A piece of the command line (report_builder.cli), kept apart so that each module stays small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from report_builder import template_calls
from report_builder.findings import Finding, Severity
from report_builder.formats import OWN_TEMPLATE

__all__ = ["add_commands"]

OK, INPUT_PROBLEMS, USAGE = 0, 1, 2


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """check-template, fields, guide and formats: for the office staff who choose or edit the Word template."""
    check = sub.add_parser("check-template", help="检查报告模板中的标记和名称（可同时用某年度的数据试生成）")
    check.add_argument("template", type=Path, metavar="模板.docx", help="报告模板 (.docx)")
    check.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹",
                       help="年度文件夹（可选）：用该年度的数据试生成")
    check.set_defaults(run=_check_template)
    fields = sub.add_parser("fields", help="列出模板可用的全部名称及说明（给出年度文件夹时同时列出本年度的值）")
    fields.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹", help="年度文件夹（可选）")
    fields.set_defaults(run=_fields)
    guide = sub.add_parser("guide", help="写出《模板说明》Word 文档（给出年度文件夹时含本年度的渠道、分类、"
                                         "本校的段落）")
    guide.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹", help="年度文件夹（可选）")
    guide.add_argument("--out", type=Path, default=Path("模板说明.docx"), metavar="文件",
                       help="保存路径（默认 模板说明.docx，不覆盖已有文件）")
    guide.set_defaults(run=_guide)
    formats = sub.add_parser("formats", help="列出可选的报告格式（给出年度文件夹时标出该年度所用的），"
                                             "或复制一种格式的模板以便修改")
    formats.add_argument("year_dir", type=Path, nargs="?", metavar="年度文件夹",
                         help="年度文件夹（可选；用 --copy 时必须给出）")
    formats.add_argument("--copy", metavar="名称", help="把该格式的模板复制到年度文件夹中供修改（不覆盖已有文件）")
    formats.set_defaults(run=_formats)


def _check_template(args: argparse.Namespace) -> int:
    findings = template_calls.check_report_template(args.template, args.year_dir)
    for finding in findings:
        print(f"{'✗' if finding.severity is Severity.ERROR else '!'} {finding}")
    errors = sum(f.severity is Severity.ERROR for f in findings)
    if errors:
        warned = f"，提示 {len(findings) - errors} 处" if len(findings) > errors else ""
        print(f"\n模板有 {errors} 处错误{warned}，请按上面的提示修改。")
        return INPUT_PROBLEMS
    print("模板检查通过。" + ("已用该年度的数据试生成。" if args.year_dir else ""))
    return OK


def _fields(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    if args.year_dir is not None:  # the year's values come from its office workbook: say why there are none
        from report_builder import load_office

        unreadable = [f for f in load_office(args.year_dir).findings if f.severity is Severity.ERROR]
        for finding in unreadable:
            print(f"✗ {finding}")
        if unreadable:
            print("\n年度总表有错误，无法列出本年度的值；不给出年度文件夹时可列出全部名称。")
            return INPUT_PROBLEMS
    rows = template_calls.template_fields(args.year_dir)
    header = ("类别", "名称", "说明") + (("本年度的值",) if args.year_dir else ())
    from report_builder.cli import _table  # the command line's table layout

    print(_table([header] + [(r.section, r.name, r.description) + ((r.value,) if args.year_dir else ())
                             for r in rows]))
    return OK


def _guide(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    print(template_calls.write_template_guide(args.out, args.year_dir))
    return OK


def _formats(args: argparse.Namespace) -> int:
    if args.year_dir is not None and not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    if args.copy is not None:
        if args.year_dir is None:
            print("请给出年度文件夹：report-builder formats 年度文件夹 --copy 名称", file=sys.stderr)
            return USAGE
        copied = template_calls.copy_format(args.copy, args.year_dir)
        for finding in copied.findings:
            print(f"✗ {finding}")
        for path in copied.written:
            print(path)
            print("这份模板是本年度的“本校格式”：在 Word 中修改（“一、”“二、”……开头的各部分标题就是应有的部分），"
                  "年度总表“报告格式”留空或选“本校格式”时，build 用它生成报告。" if path.name == OWN_TEMPLATE else
                  "请在 Word 中修改这份模板；该年度选用这种格式时，build 会用它代替自带的模板。")
        return OK if copied.written else INPUT_PROBLEMS
    listed = template_calls.list_formats(args.year_dir)
    from report_builder.cli import _table  # the command line's table layout

    header = ("名称", "说明", "模板文件", "状态") + (("本年度",) if args.year_dir else ())
    print(_table([header] + [(f.name, f.description, f.file, f.status)
                             + (("✓ 选用" if f.chosen else "",) if args.year_dir else ()) for f in listed.formats]))
    for finding in listed.findings:
        print(f"✗ {finding}")
    return INPUT_PROBLEMS if listed.findings else OK
