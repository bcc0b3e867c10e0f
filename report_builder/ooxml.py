"""Package-level helpers for Office Open XML files (.docx, .xlsx): byte-reproducible zips."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

__all__ = ["FIXED_ZIP_TIME", "normalize_zip"]

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
