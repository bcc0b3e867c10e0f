"""The `package` command: one version's filing package (报送材料) for the provincial submission.

One public call (`report_builder.write_filing_package`), printed.
"""

from __future__ import annotations

import argparse
import sys

import report_builder
from report_builder.cli.console import mark
from report_builder.cli.exits import INPUT_PROBLEMS, OK, USAGE
from report_builder.findings import Finding

__all__ = ["package"]
_WHERE_FROM = {"报告（PDF）": "可运行 build --pdf 生成"}


def package(args: argparse.Namespace) -> int:
    if not args.folder.is_dir():
        print(Finding("versions-none", str(args.folder)), file=sys.stderr)
        return USAGE
    result = report_builder.write_filing_package(args.folder, args.version, args.report_format)
    for finding in result.findings:
        print(f"{mark(finding)} {finding}")
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
