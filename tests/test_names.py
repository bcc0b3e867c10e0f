"""File names made from values we do not control, and the Word-file pre-check."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import ROOT
from hostile import compound_file, write_bomb, write_zip

from report_builder.intake.document_safety import precheck_document
from report_builder.names import MAX_STEM_BYTES, name_problem, path_inside, safe_stem

TEMPLATE = ROOT / "templates" / "年度报告模板.docx"


@pytest.mark.parametrize("text", ["/etc/学院", "../../x", "a\\b", "学院\x1b]0;x\x07", "..", ".hidden", "学" * 200])
def test_a_safe_stem_is_one_bounded_name(text: str, tmp_path: Path) -> None:
    stem = safe_stem(text)
    assert stem and "/" not in stem and "\\" not in stem and not stem.startswith(".")
    assert len(stem.encode()) <= MAX_STEM_BYTES and stem.isprintable()
    assert path_inside(tmp_path, f"{stem}_v1.数据来源.xlsx").parent == tmp_path


@pytest.mark.parametrize("name", ["../x", "a/b", "..", ""])
def test_path_inside_refuses_names_that_leave_the_folder(name: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        path_inside(tmp_path, name)


def test_name_problem_names_the_characters() -> None:
    assert name_problem("湖南石油化工职业技术学院") is None
    assert "/" in (name_problem("学院/分院") or "")
    assert "U+200B" in (name_problem("教务\u200b处") or "")


def test_precheck_document(tmp_path: Path) -> None:
    assert precheck_document(TEMPLATE, "模板.docx") is None
    (tmp_path / "a.docx").write_bytes(compound_file({"EncryptionInfo": bytes(300), "EncryptedPackage": bytes(5000)}))
    (tmp_path / "b.docx").write_bytes(b"%PDF-1.4")
    bomb = write_bomb(tmp_path / "c.docx", 50)
    os.symlink(TEMPLATE, tmp_path / "d.docx")
    parts = {"[Content_Types].xml": "<Types/>",
             "word/document.xml": '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e "x">]><d/>'}
    write_zip(tmp_path / "e.docx", parts)
    codes = {name: getattr(precheck_document(tmp_path / name, name), "code", None)
             for name in ("a.docx", "b.docx", bomb.name, "d.docx", "e.docx")}
    assert codes == {"a.docx": "document-encrypted", "b.docx": "document-not-docx", "c.docx": "document-unsafe",
                     "d.docx": "document-unsafe", "e.docx": "document-unsafe"}
