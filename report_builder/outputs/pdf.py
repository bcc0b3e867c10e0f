"""Word → PDF through LibreOffice (headless), with free substitutes for the official-document fonts.

LibreOffice runs with a private profile per call, and that profile's own settings (`PROFILE_SETTINGS`,
written as its registrymodifications.xcu before it starts): linked content is never loaded from an untrusted
document (BlockUntrustedRefererLinks), links and fields are never updated, macros never run. The report it
is given has every external reference taken out first except the 清单's http(s) hyperlinks
(report_builder.reach), so a conversion makes no connection and opens no file outside its own folder.
An interruption (Ctrl-C, SIGTERM) or a timeout ends LibreOffice's whole process group: none is left behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from report_builder.findings import ReportBuilderError
from report_builder.reach import Reach, is_web_link, strip_reach

__all__ = [
    "PROFILE_SETTINGS",
    "TIMEOUT_SECONDS",
    "PdfError",
    "convert_to_pdf",
    "find_soffice",
    "font_environment",
    "libreoffice_available",
]

TIMEOUT_SECONDS = 60

_INSTALL_HINT = "请运行 scripts/install_fonts.sh，或执行 apt-get install libreoffice-writer-nogui"
_NOT_INSTALLED = f"未安装 LibreOffice，无法生成 PDF：{_INSTALL_HINT}"
_NO_WRITER = f"已安装的 LibreOffice 缺少文字处理组件（Writer），无法生成 PDF：{_INSTALL_HINT}"

# Where LibreOffice lives when it is not on PATH.
_KNOWN_SOFFICE = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
# Writer's core library, one of which sits next to (or, on macOS, near) the soffice binary.
_WRITER_LIBRARIES = ("libswlo.so", "libswlo.dylib", "swlo.dll")

# fonts/fonts.conf in the source tree (not shipped in the wheel; there, install_fonts.sh's copy is used).
_FONTS_CONF = Path(__file__).resolve().parents[2] / "fonts" / "fonts.conf"
_SYSTEM_FONTS_CONF = Path("/etc/fonts/fonts.conf")

# (configuration path, property, value) of the private profile: LibreOffice's own settings, so that
# nothing of a document can make it fetch, read or run anything (names from its registry schema, main.xcd).
PROFILE_SETTINGS: tuple[tuple[str, str, str], ...] = (
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("/org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # links: never update
    ("/org.openoffice.Office.Writer/Content/Update", "Field", "false"),
    ("/org.openoffice.Office.Writer/Content/Update", "Chart", "false"),
    ("/org.openoffice.Office.Calc/Content/Update", "Link", "0"),
    ("/org.openoffice.Office.Common/Misc", "UseLocking", "false"),
    ("/org.openoffice.Office.Update/Update", "Enabled", "false"),
)


class PdfError(ReportBuilderError):
    """The PDF could not be made; the message is Chinese, for the user, with no path or traceback."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message, "pdf-failed")
        self.reason = reason or message  # what went wrong without how to fix it (the finding's hint says that)


def find_soffice() -> Path | None:
    """The LibreOffice executable, or None."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return Path(found)
    for known in _KNOWN_SOFFICE:
        if Path(known).is_file():
            return Path(known)
    return None


def _has_writer(soffice: Path) -> bool:
    """Whether LibreOffice's Writer is installed (Debian packages it apart: calc-only installs exist)."""
    program = soffice.resolve().parent
    places = (program, program.parent / "Frameworks", program.parent / "lib" / "libreoffice" / "program")
    return any((place / lib).exists() for place in places for lib in _WRITER_LIBRARIES)


def libreoffice_available() -> bool:
    """Whether `convert_to_pdf` can run here (LibreOffice with Writer found)."""
    soffice = find_soffice()
    return soffice is not None and _has_writer(soffice)


def font_environment(work_dir: Path) -> dict[str, str]:
    """Our environment plus FONTCONFIG_FILE: the system's fontconfig and then fonts/fonts.conf.

    Writes the small fontconfig file into `work_dir`; no root and no installed alias file needed.
    """
    env = dict(os.environ)
    if sys.platform == "win32" or not _FONTS_CONF.is_file():
        return env
    base = env.get("FONTCONFIG_FILE") or str(_SYSTEM_FONTS_CONF)
    conf = work_dir / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        f'  <include ignore_missing="yes">{_xml_text(base)}</include>\n'
        f'  <include ignore_missing="yes">{_xml_text(str(_FONTS_CONF))}</include>\n'
        "</fontconfig>\n",
        encoding="utf-8",
    )
    env["FONTCONFIG_FILE"] = str(conf)
    return env


def write_profile(profile: Path) -> None:
    """The private profile's settings (PROFILE_SETTINGS), written before LibreOffice first starts with it."""
    items = "".join(f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop>'
                    "</item>\n" for path, name, value in PROFILE_SETTINGS)
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}</oor:items>\n", encoding="utf-8")


def _kept(reach: Reach) -> bool:
    """What of the report's reach stays: the 清单's http(s) hyperlinks (they are never fetched)."""
    return reach.kind == "hyperlink" and is_web_link(reach.target)


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _run(command: list[str], env: dict[str, str]) -> None:
    """Run soffice in its own process group; on timeout kill the whole group (soffice forks soffice.bin)."""
    proc = subprocess.Popen(
        command,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=sys.platform != "win32",
    )
    try:
        proc.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        _end(proc)
        raise PdfError(f"生成 PDF 超时：LibreOffice 在 {TIMEOUT_SECONDS} 秒内没有完成转换。") from None
    except BaseException:  # Ctrl-C or SIGTERM (KeyboardInterrupt): LibreOffice must not outlive us
        _end(proc)
        raise


def _end(proc: subprocess.Popen[bytes]) -> None:
    """Kill soffice and everything it started (soffice forks soffice.bin), then reap it."""
    if sys.platform == "win32":
        proc.kill()
    else:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # the group may have just ended by itself
            os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(BaseException):  # a second Ctrl-C while reaping: the kill is already sent
        proc.communicate()


def _self_contained(docx: bytes) -> bytes:
    """The report without external references other than http(s) hyperlinks (report_builder.reach)."""
    try:
        return strip_reach(docx, _kept)
    except Exception:  # noqa: BLE001 - a package that cannot be read: LibreOffice then says it cannot convert
        return docx


def _is_pdf(path: Path) -> bool:
    if not path.is_file():
        return False
    with path.open("rb") as f:
        return f.read(5) == b"%PDF-"


def convert_to_pdf(docx: Path, out_dir: Path) -> Path:
    """Convert `docx` to `out_dir/<same name>.pdf` with LibreOffice; return the PDF's path.

    Raises PdfError (Chinese message) when LibreOffice is missing, times out or produces no PDF.
    """
    soffice = find_soffice()
    if soffice is None:
        raise PdfError(_NOT_INSTALLED, _NOT_INSTALLED.partition("：")[0])
    if not _has_writer(soffice):
        raise PdfError(_NO_WRITER, _NO_WRITER.partition("：")[0])
    if not docx.is_file():
        raise PdfError(f"找不到要转换的 Word 文件“{docx.name}”。")
    with tempfile.TemporaryDirectory(prefix="report-builder-pdf-") as tmp:
        work = Path(tmp)
        # An ASCII name: the input name may hold spaces, Chinese or a leading dash.
        source = work / "report.docx"
        source.write_bytes(_self_contained(docx.read_bytes()))
        write_profile(work / "profile")
        env = font_environment(work)
        command = [
            str(soffice),
            # A private profile per call: parallel conversions do not share (or lock) one.
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--invisible",
            "--nologo",
            "--nodefault",
            "--norestore",
            "--nolockcheck",
            "--infilter=MS Word 2007 XML",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work / "out"),
            str(source),
        ]
        try:
            _run(command, env)
        except OSError:
            raise PdfError(_NOT_INSTALLED, _NOT_INSTALLED.partition("：")[0]) from None
        produced = work / "out" / "report.pdf"
        # soffice exits 0 even when it could not convert: trust only a real PDF.
        if not _is_pdf(produced):
            raise PdfError(f"LibreOffice 未能把“{docx.name}”转换为 PDF：文件可能已损坏，或不是 Word 文档。")
        out_dir.mkdir(parents=True, exist_ok=True)
        target = out_dir / f"{docx.stem}.pdf"
        shutil.move(produced, target)
        return target
