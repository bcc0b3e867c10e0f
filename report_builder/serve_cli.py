"""`report-builder serve`: the web intake desk of one year (report_builder.web, docs/intake-desk.md).

A piece of the command line (report_builder.cli), kept apart so that each module stays small.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from report_builder.findings import Finding, Severity

if TYPE_CHECKING:  # the web stack loads only when `serve` runs
    from report_builder.web import Desk, Store

__all__ = ["PASSWORD_LINE", "add_commands"]

OK, INPUT_PROBLEMS, USAGE = 0, 1, 2
PASSWORD_LINE = "党政办公室登录密码（只显示这一次，请记下）："


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="启动网页收表：各部门用自己的链接上传填报表，党政办公室在网页上查看收表情况")
    serve.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2018-2019")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址",
                       help="监听地址（默认 127.0.0.1，只有本机能访问；校园网内访问可用 0.0.0.0）")
    serve.add_argument("--port", type=int, default=8377, metavar="端口", help="端口（默认 8377）")
    serve.add_argument("--links", action="store_true", help="只列出各部门的链接（部门名称、制表符、链接）后退出")
    serve.set_defaults(run=_serve)


def _serve(args: argparse.Namespace) -> int:
    from report_builder.web import Desk, Store, default_state

    if not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    store = Store(default_state(args.year_dir))
    desk = Desk(args.year_dir, store)
    loaded = desk.office()
    for finding in loaded.findings:
        print(f"{'✗' if finding.severity is Severity.ERROR else '!'} {finding}", file=sys.stderr)
    if loaded.office is None:
        print("年度总表有错误，无法收表。请按上面的提示修改年度总表后重新运行。", file=sys.stderr)
        return INPUT_PROBLEMS
    base = f"http://{args.host}:{args.port}"
    if args.links:
        for department in desk.departments():
            print(f"{department.name}\t{base}/d/{department.token}")
        return OK
    return _run(args, store, desk, base)


def _run(args: argparse.Namespace, store: Store, desk: Desk, base: str) -> int:
    import uvicorn

    from report_builder.isolation import start_workers
    from report_builder.web import create_app

    password = store.make_office_password()
    if password is not None:
        print(f"{PASSWORD_LINE}{password}")
    start_workers()  # the check workers' fork server imports the checks now, not during the first upload
    rechecked = desk.recover()
    if rechecked:
        print(f"已重新检查上次未检查完的 {rechecked} 份上传。")
    print(f"网页收表已启动：党政办公室打开 {base}/office ；各部门的链接用 report-builder serve "
          f"{args.year_dir} --links 列出。按 Ctrl-C 停止。", flush=True)
    app = create_app(args.year_dir, store.path)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return OK
