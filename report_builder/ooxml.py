"""Office Open XML helpers shared by every wing: byte-reproducible zips, and cell names ("C7") both ways."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

__all__ = ["FIXED_ZIP_TIME", "cell_name", "column_letter", "column_number", "normalize_zip"]

#: The timestamp every entry gets (the earliest a zip can hold), so equal content gives equal bytes.
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

_CONTENT_TYPES = "[Content_Types].xml"


def _entry_order(name: str) -> tuple[int, str]:
    """[Content_Types].xml first (OPC readers look for it early), then the rest by name."""
    return (0 if name == _CONTENT_TYPES else 1, name)


def normalize_zip(data: bytes, transform: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """Rewrite a zip with fixed timestamps, attributes and entry order; the content is unchanged
    (or passed through `transform(name, content)`).

    Two packages with the same parts give the same bytes, whatever time and order they were written in.
    """
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for name in sorted(src.namelist(), key=_entry_order):
            if name.endswith("/"):
                continue
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same on every platform
            info.external_attr = 0o600 << 16  # what zipfile writes for 0 anyway (rw-------)
            content = src.read(name)
            dst.writestr(info, transform(name, content) if transform else content, compresslevel=6)
    return out.getvalue()


def column_letter(index0: int) -> str:
    """0 → "A", 25 → "Z", 26 → "AA", 16383 → "XFD"."""
    if index0 < 0:
        raise ValueError(f"column index must be >= 0, got {index0}")
    letters = ""
    number = index0 + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_number(letters: str | bytes) -> int:
    """"A" → 1, "XFD" → 16384 (upper-case ASCII letters, as in a cell reference)."""
    number = 0
    for code in letters.encode("ascii") if isinstance(letters, str) else letters:
        number = number * 26 + code - 64
    return number


def cell_name(row0: int, col0: int) -> str:
    """(6, 2) → "C7"."""
    if row0 < 0:
        raise ValueError(f"row index must be >= 0, got {row0}")
    return f"{column_letter(col0)}{row0 + 1}"
