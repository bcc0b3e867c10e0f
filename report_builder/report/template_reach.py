"""A template's reach, said in Chinese: what in it would make Word or LibreOffice fetch or read something.

report_builder.reach finds each external relationship, including field and foreign content; here each
becomes a finding at its place. A hyperlink or an attached template is taken out at rendering
(render.render_report strips every external reference of the template) and is a warning
(`template-link-removed`): the report's only hyperlinks are the 清单's column links. Everything else
(a linked image or object, a field that includes or fetches, a subdocument, a frame, a mail-merge source)
changes what the report shows, so the template is refused (`template-reaches-out`).
"""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

from lxml import etree

from report_builder.findings import Finding
from report_builder.reach import Reach, find_reach

__all__ = ["reach_findings", "reach_of_file"]

_PART_LABELS = (("word/document.xml", "正文"), ("word/header", "页眉"), ("word/footer", "页脚"),
                ("word/settings.xml", "文档设置"), ("word/footnotes.xml", "脚注"), ("word/endnotes.xml", "尾注"),
                ("word/comments.xml", "批注"), ("word/webSettings.xml", "网页设置"))
_WHAT = {
    "image": "图片没有嵌入模板，而是链接到{where}，生成报告或 PDF 时会去读取它",
    "object": "对象没有嵌入模板，而是链接到{where}，打开报告时会去读取它",
    "field": "域代码 {name} 会在打开或转换报告时读取{where}",
    "content": "引用了模板之外的内容（子文档、框架、邮件合并数据源或导入的外部文档）{where}",
    "other": "引用了模板之外的{where}",
    "hyperlink": "超链接指向{where}，已去掉链接、保留文字",
    "attached-template": "附加了外部模板（{where}），已去掉，报告内容不变",
}
_PROGRAM_FIELDS = frozenset({"DDE", "DDEAUTO"})
_QUOTED = re.compile(r'"([^"]*)"')


def reach_findings(template: bytes, file: str) -> list[Finding]:
    """A finding for each thing of the template that reaches outside it (none for a self-contained one)."""
    try:
        reach = find_reach(template)
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        return [Finding("document-corrupt", file, detail="Word 文档的内容无法解析")]
    return list(dict.fromkeys(_finding(r, file) for r in reach))


def reach_of_file(path: Path) -> list[Finding]:
    """`reach_findings` of a pre-checked file, read without following a link (in a worker: pipeline's `check`)."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC), "rb") as f:
            data = f.read()
    except OSError:
        return [Finding("document-unreadable", path.name, detail="无法打开文件")]
    return reach_findings(data, path.name)


def _finding(reach: Reach, file: str) -> Finding:
    code = "template-link-removed" if reach.removable else "template-reaches-out"
    return Finding(code, file, _place(reach), detail=_detail(reach))


def _detail(reach: Reach) -> str:
    words = reach.target.split()
    if reach.kind == "field":
        name = words[0].upper() if words else ""
        quoted = _QUOTED.search(reach.target)
        argument = quoted.group(1) if quoted else " ".join(words[1:2])
        if name in _PROGRAM_FIELDS:
            return f"域代码 {name} 会在打开报告时启动其他程序（{' '.join(words[1:])[:60]}）"
        return _WHAT["field"].format(name=name, where=_where(argument) if argument else "其他文件")
    if reach.kind == "content":
        where = "" if reach.target in ("", "altChunk") else f"：{_where(reach.target)}"
        return _WHAT["content"].format(where=where)
    return _WHAT[reach.kind].format(where=_where(reach.target) if reach.target else "其他文件")


def _where(target: str) -> str:
    """"网址 http://…", "本机或局域网中的文件 \\\\host\\share\\x", or the target as it is written."""
    lowered = target.strip().lower()
    if lowered.startswith(("http://", "https://", "ftp://")):
        return f"网址 {target}"
    if lowered.startswith(("file:", "\\\\", "//", "/")) or re.match(r"[a-z]:[\\/]", lowered):
        return f"本机或局域网中的文件 {target}"
    return f"“{target}”"


def _place(reach: Reach) -> str:
    """"段落“二、主动公开情况…”", "页眉", "文档设置": where in the template it is."""
    label = next((label for prefix, label in _PART_LABELS if reach.part.startswith(prefix)), reach.part or "文档")
    words = " ".join(reach.paragraph.split())
    if not words:
        return label
    where = "段落" if label == "正文" else label
    return f"{where}“{words[:20]}{'…' if len(words) > 20 else ''}”"
