"""The `package` command: one version's filing package (报送材料) for the provincial submission.

A piece of the command line (report_builder.cli), kept apart so that each module stays small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import report_builder
from report_builder.findings import Finding, Severity

__all__ = ["add_commands"]

OK, INPUT_PROBLEMS, USAGE = 0, 1, 2
_WHERE_FROM = {"报告（PDF）": "可运行 build --pdf 生成"}


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    package = sub.add_parser("package", help="把一个报告版本的文件打包为报送材料 (.zip，附各文件的 sha256 清单)")
    package.add_argument("folder", type=Path, metavar="输出文件夹", help="报告所在文件夹，如 output/2022-2023")
    package.add_argument("--version", type=int, metavar="N", help="版本号（默认：该格式的最新版本）")
    package.add_argument("--format", dest="report_format", metavar="名称",
                         help="报告格式（默认：最近一次生成的报告的格式）")
    package.set_defaults(run=_package)


def _package(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(Finding("versions-none", str(args.folder)), file=sys.stderr)
        return USAGE
    result = report_builder.write_filing_package(args.folder, args.version, args.report_format)
    for finding in result.findings:
        print(f"{'✗' if finding.severity is Severity.ERROR else '!'} {finding}")
    if result.path is None:
        print("\n未生成报送材料。请按上面的提示处理后重新运行。")
        return INPUT_PROBLEMS
    print(f"报告格式：{result.report_format}")
    if result.unchanged:
        print(f"该版本的报送材料已存在，内容相同，未重新生成：{result.path}")
    else:
        print(result.path)
    print(f"已包含：{'、'.join(result.packed)}；各文件的 sha256 见压缩包中的 报送材料清单.json")
    if result.missing:
        notes = [f"{label}（{_WHERE_FROM[label]}）" if _WHERE_FROM.get(label) else label for label in result.missing]
        print(f"未包含：{'、'.join(notes)}")
    return OK
