"""File names we make from values we do not control (a school's name, a department's, an attachment's).

A name is built from safe parts only: no path separator, no character a file system or Windows
refuses, no control or invisible character, no leading dot, and bounded in bytes, so that with a
version suffix and a temporary prefix it still fits the 255-byte limit of common file systems.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

__all__ = ["MAX_STEM_BYTES", "name_problem", "path_inside", "safe_stem"]

MAX_STEM_BYTES = 150  # leaves room for "_v9999.数据来源.xlsx" and ".….12345.tmp" within 255 bytes
_FORBIDDEN = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}


def _invisible(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn")


def name_problem(text: str) -> str | None:
    """Why `text` cannot stand as it is in a file name (Chinese, for a finding), or None."""
    found = sorted({ch for ch in text if _FORBIDDEN.match(ch) or _invisible(ch)})
    if found:
        shown = "、".join(ch if ch.isprintable() else f"U+{ord(ch):04X}" for ch in found)
        return f"含有不能用于文件名的字符：{shown}"
    if text.strip().startswith("."):
        return "不能以“.”开头"
    return None


def safe_stem(text: str, max_bytes: int = MAX_STEM_BYTES, fallback: str = "未命名") -> str:
    """`text` made safe for a file name: forbidden and invisible characters become "_", bounded in UTF-8 bytes."""
    text = unicodedata.normalize("NFC", text)
    text = "".join("_" if _FORBIDDEN.match(ch) or _invisible(ch) else ch for ch in text)
    text = text.strip(" .")
    encoded = text.encode("utf-8")[:max_bytes]
    text = encoded.decode("utf-8", errors="ignore").rstrip(" .")
    if not text:
        return fallback
    return f"_{text}" if text.split(".")[0].upper() in _RESERVED else text


def path_inside(folder: Path, name: str) -> Path:
    """`folder / name`, refusing (ValueError) a name that would leave the folder."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"not a plain file name: {name!r}")
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise ValueError(f"{name!r} is outside {folder}")
    return path
