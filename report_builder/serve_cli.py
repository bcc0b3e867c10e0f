"""`report-builder serve`: the web intake desk of one year (report_builder.web, docs/intake-desk.md).

A piece of the command line (report_builder.cli), kept apart so that each module stays small.
"""

from __future__ import annotations

import argparse
import socket
import sys
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from report_builder.findings import Finding, Severity

if TYPE_CHECKING:  # the web stack loads only when `serve` runs
    from report_builder.web import Desk, Store
    from report_builder.web.desk import ReadOffice

__all__ = ["PASSWORD_LINE", "add_commands", "public_url"]

OK, INPUT_PROBLEMS, USAGE = 0, 1, 2
PASSWORD_LINE = "党政办公室登录密码（只显示这一次，请记下）："
GRACEFUL_SECONDS = 5  # after Ctrl-C, open requests get this long before the server stops anyway
WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = sub.add_parser("serve", help="启动网页收表：各部门用自己的链接上传填报表，党政办公室在网页上查看收表情况")
    serve.add_argument("year_dir", type=Path, metavar="年度文件夹", help="年度文件夹，如 inputs/2018-2019")
    serve.add_argument("--host", default="127.0.0.1", metavar="地址",
                       help="监听地址（默认 127.0.0.1，只有本机能访问；校园网内访问可用 0.0.0.0）")
    serve.add_argument("--port", type=int, default=8377, metavar="端口", help="端口（默认 8377）")
    serve.add_argument("--url", default="", metavar="网址",
                       help="各部门链接开头的网址（默认按 --host 推断：0.0.0.0 时为本机在校园网中的地址，如 http://10.1.2.3:8377）")
    serve.add_argument("--links", action="store_true", help="只列出各部门的链接（部门名称、制表符、链接）后退出")
    serve.set_defaults(run=_serve)


def public_url(host: str, port: int, given: str = "") -> str | None:
    """The address at the start of every department's link: `given` (--url) when it is an http(s) URL with a host,
    else made from --host: a wildcard address (0.0.0.0, ::) becomes this machine's address on its network.
    None when `given` is not such a URL."""
    if given:
        parts = urllib.parse.urlsplit(given.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
        return given.strip().rstrip("/") if ok else None
    if host in WILDCARD_HOSTS:
        host = _network_address()
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _network_address() -> str:
    """This machine's address on the network its default route leaves by (no packet is sent); 127.0.0.1 if none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address: str = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


def _port_free(host: str, port: int) -> bool:
    """Whether this process could listen on (host, port) now (uvicorn binds it again right after)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as trial:
        trial.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            trial.bind((host, port))
        except OSError:
            return False
    return True


def _serve(args: argparse.Namespace) -> int:
    from report_builder.web import Desk, Store, default_state
    from report_builder.web.desk import read_office

    if not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    base = public_url(args.host, args.port, args.url)
    if base is None:
        print(f"--url 应是 http:// 或 https:// 开头的网址，如 http://10.1.2.3:{args.port}，收到的是“{args.url}”。",
              file=sys.stderr)
        return USAGE
    read = read_office(args.year_dir)  # before anything is written beside the year folder
    loaded = read[1]
    for finding in loaded.findings:
        if finding.severity is Severity.ERROR:
            print(f"✗ {finding}", file=sys.stderr)
    if loaded.office is None:
        print("年度总表有错误，无法收表。请按上面的提示修改年度总表后重新运行。", file=sys.stderr)
        return INPUT_PROBLEMS
    running = (f"{args.year_dir} 的网页收表已经在运行（另一个 report-builder serve）。同一年度只能启动一个，"
               "请使用已运行的那个，或先停止它。")
    if not args.links and not _port_free(args.host, args.port):
        if default_state(args.year_dir).exists() and Store(default_state(args.year_dir)).hold_serving_lock() is None:
            print(running, file=sys.stderr)  # most likely the same server, on its port
            return INPUT_PROBLEMS
        print(f"端口 {args.port} 已被其他程序占用（或地址 {args.host} 不属于本机）。请用 --port 换一个端口，"
              "如 --port 8378。", file=sys.stderr)
        return INPUT_PROBLEMS
    store = Store(default_state(args.year_dir))
    lock = None if args.links else store.hold_serving_lock()  # held until this process ends
    if not args.links and lock is None:
        print(running, file=sys.stderr)
        return INPUT_PROBLEMS
    desk = Desk(args.year_dir, store, office=read)
    if warnings := sum(f.severity is not Severity.ERROR for f in loaded.findings):
        print(f"（年度总表有 {warnings} 处提示，不影响收表；收表情况页面和 report-builder check {args.year_dir} "
              "列出。）", file=sys.stderr)
    if args.links:
        for department in desk.departments():
            print(f"{department.name}\t{base}/d/{department.token}")
        return OK
    return _run(args, store, desk, base, read)


def _run(args: argparse.Namespace, store: Store, desk: Desk, base: str, read: ReadOffice) -> int:
    import uvicorn

    from report_builder.isolation import start_workers
    from report_builder.web import create_app

    password = store.make_office_password()
    if password is not None:
        print(f"{PASSWORD_LINE}{password}")
    start_workers()  # the check workers' fork server imports the checks now, not during the first upload
    if summary := desk.recover().summary():
        print(summary, flush=True)
    print(f"网页收表已启动：党政办公室打开 {base}/office ；各部门的链接用 report-builder serve "
          f"{args.year_dir} --links 列出。按 Ctrl-C 停止。", flush=True)
    if args.host in LOCAL_HOSTS:
        print("注意：现在只有本机能打开这些链接。要让各部门在校园网内上传，请加 --host 0.0.0.0 重新启动。", flush=True)
    app = create_app(args.year_dir, store.path, public_url=base, read=read)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False,
                timeout_graceful_shutdown=GRACEFUL_SECONDS)
    return OK
