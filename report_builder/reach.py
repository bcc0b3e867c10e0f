"""What in a Word package reaches outside it, and the package with that removed.

A .docx can make Word or LibreOffice fetch or read something when it is opened or converted:
relationships with `TargetMode="External"` (a linked image, a hyperlink, an attached template, a
linked OLE object, a subdocument, a frame, a mail-merge source), field codes that include or fetch
(INCLUDETEXT, INCLUDEPICTURE, LINK, DDE…), and imported foreign content (`w:altChunk`). A template
arrives by e-mail like any workbook: `find_reach` lists each such thing as a `Reach` (what, where,
to what), `strip_reach` gives the package without it. Both parse the XML parts of a pre-checked file
(intake.document_safety: no DOCTYPE, bounded zip) with a parser that never resolves entities or
reaches the network; neither follows anything.

Only two kinds can be taken out without changing what the report shows (`Reach.removable`): a
hyperlink (its text stays) and an attached template (Word's link to the .dotm it was made from).
Everything else is refused by the template check (report.template_reach).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from report_builder.ooxml import normalize_zip

__all__ = ["REACHING_FIELDS", "Reach", "ReachKind", "find_reach", "is_web_link", "strip_reach"]

ReachKind = Literal["hyperlink", "attached-template", "image", "object", "field", "content", "other"]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W = "{" + W_NS + "}"
_R = "{" + R_NS + "}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# Field codes that include, fetch or link to another file or program (Word's field reference).
REACHING_FIELDS = frozenset({"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "LINK", "DDE", "DDEAUTO", "IMPORT", "RD",
                             "DATABASE", "HYPERLINK"})
_KINDS: dict[str, ReachKind] = {
    "hyperlink": "hyperlink", "attachedTemplate": "attached-template", "image": "image", "oleObject": "object",
    "package": "object", "subDocument": "content", "frame": "content", "aFChunk": "content",
    "mailMergeSource": "content", "mailMergeHeaderSource": "content", "recipientData": "content",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


@dataclass(frozen=True, slots=True)
class Reach:
    """One thing of a package that reaches outside it."""

    kind: ReachKind
    part: str  # the part holding (or owning) it: "word/document.xml", "word/settings.xml"…
    paragraph: str  # the text of the paragraph it stands in ("" when not in one)
    target: str  # the URL or path, or the field's instruction

    @property
    def removable(self) -> bool:
        """Whether taking it out leaves what the document shows (a hyperlink's text stays)."""
        return self.kind in ("hyperlink", "attached-template")


def is_web_link(target: str) -> bool:
    """An http(s) address: the only external target a report may keep (the 清单's column links)."""
    return target.strip().lower().startswith(("http://", "https://"))


@dataclass(frozen=True, slots=True)
class _External:
    rel_id: str
    kind: ReachKind
    target: str


def find_reach(package: bytes) -> list[Reach]:
    """Everything of the package (a .docx's bytes) that reaches outside it, part by part.

    Raises zipfile.BadZipFile, KeyError or lxml.etree.XMLSyntaxError on a package that cannot be read."""
    found: list[Reach] = []
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        externals = dict(_external_relationships(archive))
        for name in archive.namelist():
            rels = externals.pop(name, {})
            content = archive.read(name) if _is_xml_part(name) else b""
            if rels or _may_reach(name, content):
                found += _reach_in_part(name, etree.fromstring(content, _PARSER), rels)
        found += [Reach(e.kind, source, "", e.target) for source, rels in externals.items() for e in rels.values()]
    return found


def strip_reach(package: bytes, keep: Callable[[Reach], bool] = lambda reach: False) -> bytes:
    """The package without what reaches outside, except what `keep` keeps; the same bytes when nothing goes.

    External relationships go from their .rels part; a hyperlink to one is unwrapped (its runs stay),
    an attached template's element is removed, any other reference to one loses its attribute; a field
    that includes or fetches loses its instruction (a simple field is replaced by its result), and
    foreign content (w:altChunk) goes."""
    if all(keep(r) for r in find_reach(package)):
        return package
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        gone = {source: {rel_id for rel_id, e in rels.items() if not keep(Reach(e.kind, source, "", e.target))}
                for source, rels in _external_relationships(archive)}
    return normalize_zip(package, lambda name, content: _stripped(name, content, gone, keep))


# ---- reading ---------------------------------------------------------------------------------------

def _is_xml_part(name: str) -> bool:
    return name.lower().endswith(".xml")


def _may_reach(name: str, content: bytes) -> bool:
    """Whether a part without external relationships may hold a field, foreign content or a direct link."""
    return name.startswith("word/") and any(word in content for word in (b"instr", b"altChunk", b"href=", b"src="))


def _source_of(rels_name: str) -> str:
    """"word/_rels/document.xml.rels" → "word/document.xml"; "_rels/.rels" → "" (the package)."""
    folder, _, base = rels_name.rpartition("_rels/")
    return posixpath.join(folder.rstrip("/"), base.removesuffix(".rels")) if base != ".rels" else ""


def _external_relationships(archive: zipfile.ZipFile) -> Iterator[tuple[str, dict[str, _External]]]:
    """(source part, relationship id → its external relationship) for each .rels part that has any."""
    for name in archive.namelist():
        if name.endswith(".rels"):
            rels = _externals(etree.fromstring(archive.read(name), _PARSER))
            if rels:
                yield _source_of(name), rels


def _externals(root: etree._Element) -> dict[str, _External]:
    return {rel.get("Id") or "": _External(rel.get("Id") or "", _kind(rel.get("Type") or ""), rel.get("Target") or "")
            for rel in root.iter(_REL) if (rel.get("TargetMode") or "").lower() == "external"}


def _kind(rel_type: str) -> ReachKind:
    return _KINDS.get(rel_type.rstrip("/").rpartition("/")[2], "other")


def _reach_in_part(name: str, root: etree._Element, rels: dict[str, _External]) -> list[Reach]:
    found: list[Reach] = []
    referenced: set[str] = set()
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute, value in element.attrib.items():
            if str(attribute).startswith(_R) and value in rels:
                referenced.add(value)
                found.append(Reach(rels[value].kind, name, _paragraph_text(element), rels[value].target))
            elif _direct_link(str(attribute), str(value)):  # VML's `o:href`, `src`: a path or URL, no relationship
                found.append(Reach("image", name, _paragraph_text(element), str(value)))
        if element.tag == _W + "altChunk":
            found.append(Reach("content", name, _paragraph_text(element), "altChunk"))
        elif element.tag == _W + "fldSimple" and _reaching(element.get(_W + "instr") or ""):
            found.append(Reach("field", name, _paragraph_text(element), _words(element.get(_W + "instr") or "")))
    found += [Reach("field", name, text, instruction) for text, instruction in _complex_fields(root)
              if _reaching(instruction)]
    found += [Reach(e.kind, name, "", e.target) for rel_id, e in rels.items() if rel_id not in referenced]
    return found


def _direct_link(attribute: str, value: str) -> bool:
    """An `href` or `src` attribute (VML images and shapes) naming a file or address instead of a part."""
    local = attribute.rpartition("}")[2]
    named = local in ("href", "src") and not attribute.startswith(_R)
    return named and bool(value.strip()) and not value.startswith("#")


def _complex_fields(root: etree._Element) -> Iterator[tuple[str, str]]:
    """(paragraph text, instruction) of each complex field (w:fldChar begin … end), nested ones too."""
    for begin, parts in _fields(root):
        yield _paragraph_text(begin), _words("".join(p.text or "" for p in parts))


def _fields(root: etree._Element) -> Iterator[tuple[etree._Element, list[etree._Element]]]:
    """(the begin w:fldChar, its w:instrText elements) of each complex field, as it ends."""
    stack: list[tuple[etree._Element, list[etree._Element]]] = []
    for element in root.iter(_W + "fldChar", _W + "instrText"):
        if element.tag == _W + "instrText":
            if stack:
                stack[-1][1].append(element)
        elif element.get(_W + "fldCharType") == "begin":
            stack.append((element, []))
        elif element.get(_W + "fldCharType") == "end" and stack:
            yield stack.pop()


def _words(text: str) -> str:
    return " ".join(text.split())


def _reaching(instruction: str) -> bool:
    words = instruction.split()
    return bool(words) and words[0].upper() in REACHING_FIELDS


def _paragraph_text(element: etree._Element) -> str:
    paragraph = next(element.iterancestors(_W + "p"), None)
    return "" if paragraph is None else "".join(t.text or "" for t in paragraph.iter(_W + "t"))


# ---- stripping -------------------------------------------------------------------------------------

def _stripped(name: str, content: bytes, gone: dict[str, set[str]], keep: Callable[[Reach], bool]) -> bytes:
    if name.endswith(".rels"):
        ids = gone.get(_source_of(name), set())
        if not ids:
            return content
        root = etree.fromstring(content, _PARSER)
        for rel in [r for r in root.iter(_REL) if r.get("Id") in ids]:
            root.remove(rel)
        return _serialize(root)
    ids = gone.get(name, set())
    if not _is_xml_part(name) or not (ids or _may_reach(name, content)):
        return content
    root = etree.fromstring(content, _PARSER)
    changed = _strip_references(root, ids)
    for element in root.iter():
        for attribute, value in list(element.attrib.items()) if isinstance(element.tag, str) else []:
            if _direct_link(str(attribute), str(value)) and not keep(Reach("image", name, "", str(value))):
                del element.attrib[attribute]
                changed = True
    for element in list(root.iter(_W + "fldSimple")):
        instruction = _words(element.get(_W + "instr") or "")
        if _reaching(instruction) and not keep(Reach("field", name, "", instruction)):
            _unwrap(element)
            changed = True
    for _, parts in list(_fields(root)):
        instruction = _words("".join(p.text or "" for p in parts))
        if _reaching(instruction) and not keep(Reach("field", name, "", instruction)):
            for part in parts:
                part.text = ""
            changed = True
    for element in list(root.iter(_W + "altChunk")):
        if not keep(Reach("content", name, "", "altChunk")):
            _parent(element).remove(element)
            changed = True
    return _serialize(root) if changed else content


def _strip_references(root: etree._Element, gone: set[str]) -> bool:
    """Take out every reference to a relationship id in `gone` (hyperlinks unwrapped); whether any was."""
    changed = False
    for element in list(root.iter()) if gone else []:
        if not isinstance(element.tag, str):
            continue
        for attribute, value in list(element.attrib.items()):
            if not str(attribute).startswith(_R) or value not in gone:
                continue
            changed = True
            if element.tag == _W + "hyperlink":
                _unwrap(element)
                break
            if element.tag == _W + "attachedTemplate":
                _parent(element).remove(element)
                break
            del element.attrib[attribute]
    return changed


def _parent(element: etree._Element) -> etree._Element:
    parent = element.getparent()
    if parent is None:  # the root: never a hyperlink, a field or an attached template
        raise ValueError(f"{element.tag} has no parent")
    return parent


def _unwrap(element: etree._Element) -> None:
    """Replace `element` by its children (a hyperlink's runs, a simple field's result)."""
    parent = _parent(element)
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    parent.remove(element)


def _serialize(root: etree._Element) -> bytes:
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return data
