"""Small .docx files written from code: a body of hand-written WordprocessingML, with external hyperlinks.

`body_docx(path, body, links)` saves a python-docx document whose body is `body` (w: prefix) and whose
main part relates each target of `links` as an external hyperlink: write `{link0}`, `{link1}`… in the body
where the relationship id goes (`<w:hyperlink r:id="{link0}">`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def run(text: str, bold: bool = False) -> str:
    props = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{props}<w:t xml:space="preserve">{text}</w:t></w:r>'


def paragraph(*runs: str, style: str = "") -> str:
    props = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{props}{''.join(runs)}</w:p>"


def cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{paragraph(run(text)) if text else '<w:p/>'}</w:tc>"


def body_docx(path: Path, body: str, links: Sequence[str] = ()) -> Path:
    document = docx.Document()
    ids = {f"link{i}": document.part.relate_to(url, RT.HYPERLINK, is_external=True) for i, url in enumerate(links)}
    element = document.element.body
    for child in list(element):
        if child.tag != f"{{{W}}}sectPr":
            element.remove(child)
    wrapper = parse_xml(f'<w:body xmlns:w="{W}" xmlns:r="{R}">{body.format(**ids)}</w:body>')
    for index, child in enumerate(list(wrapper)):
        element.insert(index, child)
    document.save(str(path))
    return path
