"""LibreOffice makes no connection and opens no file outside the report while it makes the PDF (issue 19).

A local listener records every connection; inotify records every open of canary files outside the output
folder that the documents point at (an image, a text to include). The documents reach out every way a
.docx can (tests/hostile.py `reaching_template`): LibreOffice's own settings alone hold, the report's
references taken out alone hold, and `build --pdf` from a template with links refuses or takes them out.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import socket
import struct
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT
from hostile import linked_template, png, reaching_template

from report_builder import pipeline
from report_builder.outputs import pdf
from report_builder.outputs.pdf import convert_to_pdf, libreoffice_available
from report_builder.reach import find_reach

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"
CANARY_TEXT = "金丝雀文字"

pytestmark = [
    pytest.mark.skipif(not libreoffice_available(), reason="LibreOffice (Writer) not installed"),
    pytest.mark.skipif(not Path("/proc/self").exists(), reason="inotify: Linux only"),
]


class Listener:
    """A TCP server on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}"
        self.connections: list[bytes] = []
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.connections.append(connection.recv(200) or b"(connected)")
                except OSError:
                    self.connections.append(b"(connected)")

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


class Opens:
    """inotify on files: every open or read of them, by any process, while watched."""

    IN_ACCESS, IN_OPEN = 0x1, 0x20

    def __init__(self, paths: list[Path]) -> None:
        self.libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK)
        assert self.fd >= 0
        self.watches = {self.libc.inotify_add_watch(self.fd, str(p).encode(), self.IN_OPEN | self.IN_ACCESS): p
                        for p in paths}
        assert all(w >= 0 for w in self.watches)

    def opened(self) -> list[Path]:
        seen = []
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            data = b""
        at = 0
        while at < len(data):
            watch, _, _, length = struct.unpack_from("iIII", data, at)
            seen.append(self.watches[watch])
            at += 16 + length
        return seen

    def close(self) -> None:
        os.close(self.fd)


@pytest.fixture
def outside(tmp_path: Path) -> Iterator[tuple[Listener, Opens, Path]]:
    """The listener, the watch on the canary files, and the canary folder (outside any output folder)."""
    canaries = tmp_path / "别处"
    canaries.mkdir()
    (canaries / "canary.png").write_bytes(png())
    (canaries / "canary.txt").write_text(CANARY_TEXT, encoding="utf-8")
    listener = Listener()
    opens = Opens([canaries / "canary.png", canaries / "canary.txt"])
    yield listener, opens, canaries
    listener.close()
    opens.close()


def reaching(folder: Path, listener: Listener, canaries: Path) -> Path:
    """A .docx reaching out every way: images at the listener and the canary, fields, links, OLE, a share."""
    made = reaching_template(TEMPLATE, folder / "外联.docx", listener.url, canaries / "canary.png")
    data = made.read_bytes().replace(str(canaries / "canary.png").encode() + b"&quot;",  # INCLUDETEXT the text
                                     str(canaries / "canary.txt").encode() + b"&quot;", 1)
    made.write_bytes(data)
    return made


def pdf_images(data: bytes) -> int:
    return data.count(b"/Subtype/Image") + data.count(b"/Subtype /Image")


@pytest.mark.parametrize("stripped", [True, False], ids=["as-converted", "libreoffice-settings-alone"])
def test_libreoffice_fetches_nothing_and_opens_nothing_outside(outside: tuple[Listener, Opens, Path], tmp_path: Path,
                                                              stripped: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    listener, opens, canaries = outside
    document = reaching(tmp_path, listener, canaries)
    assert {r.kind for r in find_reach(document.read_bytes())} >= {"image", "field", "hyperlink", "object"}
    if not stripped:  # the report's references left in: LibreOffice's own settings must hold by themselves
        monkeypatch.setattr(pdf, "_self_contained", lambda data: data)
    made = convert_to_pdf(document, tmp_path / "pdf")
    assert made.read_bytes().startswith(b"%PDF-")
    assert listener.connections == [] and opens.opened() == []
    assert pdf_images(made.read_bytes()) == 0  # neither the listener's image nor the canary image


def test_without_the_settings_libreoffice_would_reach_out(outside: tuple[Listener, Opens, Path], tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The proof can fail: LibreOffice's defaults fetch the linked image (so the test above measures something)."""
    listener, opens, canaries = outside
    document = reaching(tmp_path, listener, canaries)
    monkeypatch.setattr(pdf, "_self_contained", lambda data: data)
    monkeypatch.setattr(pdf, "PROFILE_SETTINGS", ())
    convert_to_pdf(document, tmp_path / "pdf")
    assert listener.connections or opens.opened()


def test_build_refuses_a_template_that_reaches_out(outside: tuple[Listener, Opens, Path], sample_year: Path,
                                                   tmp_path: Path) -> None:
    listener, opens, canaries = outside
    shutil.copyfile(reaching(tmp_path, listener, canaries), sample_year / "年度报告模板.docx")
    result = pipeline.build_report(sample_year, tmp_path / "out", pdf=True)
    assert result.report is None and not (tmp_path / "out").exists()
    codes = [(f.code, f.sheet) for f in result.render_findings]
    assert ("template-reaches-out", "段落“网上的图片”") in codes
    assert ("template-reaches-out", "段落“引用的文字”") in codes
    assert ("template-link-removed", "文档设置") in codes  # the attached template on a share, said too
    assert all(f.file == "年度报告模板.docx" for f in result.render_findings)
    assert listener.connections == [] and opens.opened() == []


def test_build_pdf_from_a_template_with_links_takes_them_out(outside: tuple[Listener, Opens, Path],
                                                             sample_year: Path, tmp_path: Path) -> None:
    listener, opens, canaries = outside
    template = linked_template(TEMPLATE, tmp_path / "链接.docx", f"{listener.url}/主页")
    data = template.read_bytes().replace(b'Target="\\\\fileserver\\templates', (
        'Target="' + (canaries / "canary.txt").as_uri()).encode(), 1)  # the attached template: the canary
    (sample_year / "年度报告模板.docx").write_bytes(data)
    result = pipeline.build_report(sample_year, tmp_path / "out", pdf=True)
    assert result.report is not None, [str(f) for f in result.render_findings]
    removed = [f for f in result.render_findings if f.code == "template-link-removed"]
    assert [f.sheet for f in removed] == ["段落“学院主页：" + f"{listener.url}/主页"[:15] + "…”", "文档设置"]
    with zipfile.ZipFile(result.report) as report:
        assert b"TargetMode=\"External\"" not in b"".join(report.read(n) for n in report.namelist()
                                                            if n.endswith(".rels") and "document" not in n)
    reach = find_reach(result.report.read_bytes())
    assert all(r.kind == "hyperlink" and r.target.startswith(("http://", "https://")) for r in reach)
    assert not any(listener.url in r.target for r in reach)  # the 清单's links only, not the template's
    made = result.report.with_suffix(".pdf")
    assert made.read_bytes().startswith(b"%PDF-")
    assert listener.connections == [] and opens.opened() == []
