"""`report-builder serve`: the web intake desk of one year (report_builder.web, docs/intake-desk.md,
docs/deployment.md).

The web stack (report_builder.web) is imported only when `serve` runs.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import ssl
import sys
import urllib.parse
from pathlib import Path
from typing import TYPE_CHECKING

from report_builder.cli.exits import INPUT_PROBLEMS, OK, USAGE
from report_builder.cli.parser import DEFAULT_HOST, DEFAULT_PORT
from report_builder.findings import Finding, errors

if TYPE_CHECKING:  # the web stack loads only when `serve` runs
    from report_builder.web import Desk, Store
    from report_builder.web.desk import ReadOffice

__all__ = ["NEW_PASSWORD_LINE", "PASSWORD_LINE", "public_url", "serve"]

PASSWORD_LINE = "党政办公室登录密码（只显示这一次，请记下；忘记时可用 --new-password 重设）："
NEW_PASSWORD_LINE = "党政办公室的新登录密码（只显示这一次，请记下；原来的登录已全部退出）："
WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def public_url(host: str, port: int, given: str = "", tls: bool = False) -> str | None:
    """The address at the start of every department's link: `given` (--url) when it is an http(s) URL with a host,
    else made from --host (https with a certificate): a wildcard address (0.0.0.0, ::) becomes this machine's
    address on its network. None when `given` is not such a URL."""
    if given:
        parts = urllib.parse.urlsplit(given.strip())
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and not parts.query and not parts.fragment
        return given.strip().rstrip("/") if ok else None
    if host in WILDCARD_HOSTS:
        host = _network_address()
    shown = f"[{host}]" if ":" in host else host
    return f"{'https' if tls else 'http'}://{shown}:{port}"


def _network_address() -> str:
    """This machine's address on the network its default route leaves by (no packet is sent); 127.0.0.1 if none."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            address: str = probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"
    return address


def _only_here(base: str) -> bool:
    """Whether links starting with `base` open only on this computer (a loopback address)."""
    host = urllib.parse.urlsplit(base).hostname or ""
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _command(args: argparse.Namespace, *extra: str, host: str | None = None, port: int | None = None) -> str:
    """`report-builder serve` as it was started (the flags given), with `extra` (and --host `host`, --port `port`)."""
    host = args.host if host is None else host
    port = args.port if port is None else port
    words = ["report-builder", "serve", str(args.year_dir)]
    words += ["--host", host] if host != DEFAULT_HOST else []
    words += ["--port", str(port)] if port != DEFAULT_PORT else []
    words += ["--url", args.url] if args.url else []
    words += ["--cert", str(args.cert), "--key", str(args.key)] if args.cert else []
    for proxy in args.trusted_proxy:
        words += ["--trusted-proxy", proxy]
    return shlex.join([*words, *extra])


def local_hint(args: argparse.Namespace, base: str) -> str:
    """What to say when departments cannot open the links (they start with this computer's loopback address),
    with the command that fixes it; "" when they can."""
    if not _only_here(base):
        return ""
    if args.host in WILDCARD_HOSTS and not args.url:
        return ("没有找到这台电脑在校园网中的地址，这些链接只能在这台电脑上打开。"
                "请用 --url 写明各部门打开的网址后重新启动，如 "
                f"{_command(args, '--url', f'http://10.1.2.3:{args.port}')}（10.1.2.3 换成这台电脑的地址）。")
    return ("这些链接只能在这台电脑上打开（收表只在本机地址上提供）。要让各部门在校园网内打开，请停止后用 "
            f"{_command(args, host='0.0.0.0')} 重新启动。")


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


def _options_problem(args: argparse.Namespace) -> str:
    """What is wrong with --cert/--key and --trusted-proxy, in Chinese ("" when nothing is)."""
    if (args.cert is None) != (args.key is None):
        return "--cert 和 --key 须一起给出：证书文件和它的私钥文件（PEM 格式）。"
    if args.cert is not None:
        try:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)  # a key with a passphrase is refused:
            context.load_cert_chain(args.cert, args.key, password=lambda: b"")  # never a prompt a service waits on
        except (OSError, ssl.SSLError, ValueError) as error:
            return (f"无法使用证书 {args.cert} 和私钥 {args.key}：请确认两个文件存在、可读、是 PEM 格式且相互对应"
                    f"（私钥不能设密码）。（{type(error).__name__}）")
    for proxy in args.trusted_proxy:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            return f"--trusted-proxy 应是反向代理的 IP 地址或网段，如 127.0.0.1 或 10.1.0.0/16，收到的是“{proxy}”。"
    return ""


def _private(state: Path) -> bool:
    """The desk's state checked at start: made readable by this account only, or refused (False) with why."""
    from report_builder.web.private import make_private

    privacy = make_private(state)
    for path, why in privacy.refused:
        print(f"收表记录中的 {path} {why}，无法确保只有运行收表的账户能读取，未启动。"
              "请用运行 report-builder serve 的账户检查或移走它后重新运行。", file=sys.stderr)
    if privacy.refused:
        return False
    if privacy.fixed:
        print(f"收表记录原先其他账户也能读取，已改为只有本账户可以读写（{len(privacy.fixed)} 个文件或文件夹）。",
              file=sys.stderr)  # not on stdout: `--links` prints only the links there
    return True


def serve(args: argparse.Namespace) -> int:
    from report_builder.web import Desk, Store, default_state
    from report_builder.web.desk import read_office

    if not args.year_dir.is_dir():
        print(Finding("year-folder-missing", str(args.year_dir)), file=sys.stderr)
        return USAGE
    base = public_url(args.host, args.port, args.url, tls=args.cert is not None)
    problem = _options_problem(args) or ("" if base is not None else
                                         f"--url 应是 http:// 或 https:// 开头的网址，如 http://10.1.2.3:{args.port}，"
                                         f"收到的是“{args.url}”。")
    if problem or base is None:
        print(problem, file=sys.stderr)
        return USAGE
    if args.new_password:
        return _new_password(default_state(args.year_dir))
    read = read_office(args.year_dir)  # before anything is written beside the year folder
    loaded = read[1]
    refused = errors(loaded.findings)
    for finding in refused:
        print(f"✗ {finding}", file=sys.stderr)
    if loaded.office is None or refused:
        print("年度总表有错误，无法收表。请按上面的提示修改年度总表后重新运行。", file=sys.stderr)
        return INPUT_PROBLEMS
    running = (f"{args.year_dir} 的网页收表已经在运行（另一个 report-builder serve）。同一年度只能启动一个，"
               "请使用已运行的那个，或先停止它。")
    if not args.links and not _port_free(args.host, args.port):
        if default_state(args.year_dir).exists() and Store(default_state(args.year_dir)).hold_serving_lock() is None:
            print(running, file=sys.stderr)  # most likely the same server, on its port
            return INPUT_PROBLEMS
        print(f"端口 {args.port} 已被其他程序占用（或地址 {args.host} 不属于本机）。请用 --port 换一个端口，如："
              f"{_command(args, port=args.port + 1 if args.port < 65535 else DEFAULT_PORT + 1)}", file=sys.stderr)
        return INPUT_PROBLEMS
    if not _private(default_state(args.year_dir)):
        return INPUT_PROBLEMS
    store = Store(default_state(args.year_dir))
    lock = None if args.links else store.hold_serving_lock()  # held until this process ends
    if not args.links and lock is None:
        print(running, file=sys.stderr)
        return INPUT_PROBLEMS
    desk = Desk(args.year_dir, store, office=read)
    if warnings := len(loaded.findings):
        print(f"（年度总表有 {warnings} 处提示，不影响收表；收表情况页面和 report-builder check {args.year_dir} "
              "列出。）", file=sys.stderr)
    if args.links:
        for department in desk.departments():
            print(f"{department.name}\t{base}/d/{department.token}")
        if hint := local_hint(args, base):
            print(f"注意：{hint}", file=sys.stderr)
        return OK
    return _run(args, store, desk, base, read)


def _new_password(state: Path) -> int:
    from report_builder.web import Store
    from report_builder.web.credential import Office, new_password

    if not _private(state):
        return INPUT_PROBLEMS
    password = new_password()
    Office(Store(state)).set_password(password)
    print(f"{NEW_PASSWORD_LINE}{password}")
    return OK


def _run(args: argparse.Namespace, store: Store, desk: Desk, base: str, read: ReadOffice) -> int:
    from report_builder.isolation import start_workers
    from report_builder.web import create_app
    from report_builder.web.credential import Office
    from report_builder.web.server import DeskServer, desk_config

    password = Office(store).make_password()
    if password is not None:
        print(f"{PASSWORD_LINE}{password}")
    start_workers()  # the check workers' fork server imports the checks now, not during the first upload
    if summary := desk.recover().summary():
        print(summary, flush=True)
    print(f"网页收表已启动：党政办公室打开 {base}/office ；各部门的链接用 {_command(args, '--links')} 列出。"
          "按 Ctrl-C 停止。", flush=True)
    hint = local_hint(args, base)
    if hint:
        print(f"注意：{hint}", flush=True)
    app = create_app(args.year_dir, store.path, public_url=base, read=read, secure=args.cert is not None,
                     trusted_proxies=args.trusted_proxy, local_hint=hint)
    DeskServer(desk_config(app, args.host, args.port, cert=args.cert, key=args.key,
                           trusted=args.trusted_proxy)).run()
    print("网页收表已停止。", flush=True)
    return OK
