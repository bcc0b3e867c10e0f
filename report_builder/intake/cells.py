"""Turn what people type into cells into typed values.

Departments type dates as text ("2017.9.1", "2017年9月1日", full-width digits) and numbers
with units ("12条"). What is unambiguous is accepted with a warning that says what was
understood; anything ambiguous is an error, never a guess. pydantic's lax mode is not
used for this on purpose (it turns 0 into 1970-01-01 and True into 1).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import NamedTuple

from report_builder.intake.reader import CellValue
from report_builder.schema import Column


class Parsed(NamedTuple):
    """A parsed cell: a value (None when blank or wrong) and at most one finding code."""

    value: object = None
    code: str | None = None
    detail: str = ""


BLANK = Parsed()
_UNITS = ("人次", "条", "件", "次", "人", "个", "项", "元", "场", "期")
_TIME = r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"  # "2018-03-05 10:30" pasted from another system
_YMD = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*[日号]?" + _TIME + "$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# What a text cell may not carry into the report: characters XML 1.0 cannot hold (C0 controls but
# TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF; Excel stores them as "_x0001_"), bidi embeddings,
# overrides and isolates (they would reverse the tool's own text around them), and render.py's
# private-use marks U+E000–U+E002.
_UNSAFE_CHARS = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069\ue000-\ue002]")
_MAX_DIGITS = 15  # longer than any bound of the schema, and far inside int()'s limit of 4,300 digits
_PARTIAL_DATE = re.compile(  # no day, no year, or a year of two digits or not first
    r"^(\d{1,4}\s*[-./年]\s*\d{1,2}\s*月?"
    r"|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?"
    r"|\d{1,2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,4}\s*[日号]?)$")


def is_blank(raw: CellValue) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def show(raw: CellValue) -> str:
    """A cell value as text, close to what Excel shows (messages, `diff`): 7.0 → "7", TRUE, dates YYYY-MM-DD."""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer() and abs(raw) < 10.0**_MAX_DIGITS:
        return str(int(raw))  # 1e308 stays "1e+308", not 309 digits
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat(sep=" ")
    return "" if raw is None else str(raw)


def parse_cell(raw: CellValue, column: Column) -> Parsed:
    """Parse one non-blank cell for `column`; blank cells give BLANK."""
    if isinstance(raw, str) and column.kind in ("text", "choice"):
        text = raw.strip()  # is_blank and parse_text in one step: most cells are text
        if not text.isprintable() and _UNSAFE_CHARS.search(text):  # every unsafe character is unprintable
            parsed = strip_unsafe(text)
            if parsed.value is None:
                return BLANK
        elif not text:
            return BLANK
        else:
            parsed = Parsed(text)
    elif is_blank(raw):
        return BLANK
    elif column.kind == "int":
        parsed = parse_int(raw)
    elif column.kind == "date":
        parsed = parse_date(raw)
    else:
        parsed = parse_text(raw)
    if parsed.code and parsed.value is None:
        return _too_large(column) if parsed.code == "number-too-large" else parsed
    if column.kind == "choice" and parsed.value not in column.choices:
        return Parsed(code="not-in-list", detail="可选：" + "、".join(column.choices))
    if column.kind == "int" and isinstance(parsed.value, int):
        if column.minimum is not None and parsed.value < column.minimum:
            return Parsed(code="negative-number" if column.minimum == 0 else "not-in-list",
                          detail=f"应不小于 {column.minimum}")
        if column.maximum is not None and parsed.value > column.maximum:
            return _too_large(column)
    limit = column.max_length
    if limit is not None and isinstance(parsed.value, str) and len(parsed.value) > limit:
        return Parsed(code="text-too-long", detail=f"共 {len(parsed.value)} 字，最多 {limit} 字")
    return parsed


def _too_large(column: Column) -> Parsed:
    return Parsed(code="number-too-large", detail=f"应不大于 {column.maximum}" if column.maximum is not None else "")


def strip_unsafe(text: str) -> Parsed:
    """`text` without the characters of `_UNSAFE_CHARS`, with a warning naming them ("U+0001");
    BLANK when nothing else was there."""
    removed = dict.fromkeys(_UNSAFE_CHARS.findall(text))
    clean = _UNSAFE_CHARS.sub("", text).strip()
    if not clean:
        return BLANK
    return Parsed(clean, "text-control-character", "已删除 " + "、".join(f"U+{ord(c):04X}" for c in removed))


def parse_text(raw: CellValue) -> Parsed:
    if isinstance(raw, str):
        text = raw.strip()
        return strip_unsafe(text) if not text.isprintable() and _UNSAFE_CHARS.search(text) else Parsed(text)
    if isinstance(raw, bool):
        return Parsed(code="not-text")
    if isinstance(raw, int | float):
        return Parsed(show(raw))  # a phone number typed as a number
    return Parsed(code="not-text")


def parse_int(raw: CellValue) -> Parsed:
    if isinstance(raw, bool):
        return Parsed(code="not-a-number")
    if isinstance(raw, int):
        return Parsed(raw)
    if isinstance(raw, float):
        if not math.isfinite(raw):  # a crafted file can hold "1e309" or "NaN"
            return Parsed(code="not-a-number")
        if raw >= 10.0**_MAX_DIGITS:
            return Parsed(code="number-too-large")
        return Parsed(int(raw)) if raw.is_integer() else Parsed(code="not-whole-number")
    if not isinstance(raw, str):
        return Parsed(code="not-a-number")
    text = unicodedata.normalize("NFKC", raw).strip().replace(",", "").replace("\u2212", "-")  # − is a minus
    for unit in _UNITS:
        text = text.removesuffix(unit).strip()
    text = re.sub(r"^(\d+)\.0+$", r"\1", text)  # "12.0" is 12
    if re.fullmatch(r"-\d+(\.\d+)?", text):
        return Parsed(code="negative-number")
    if re.fullmatch(r"\d+\.\d+", text):
        return Parsed(code="not-whole-number")
    if not re.fullmatch(r"\d+", text):
        return Parsed(code="not-a-number")
    digits = text.lstrip("0") or "0"
    if len(digits) > _MAX_DIGITS:
        return Parsed(code="number-too-large")  # before int(): 5,000 digits would raise
    return Parsed(int(digits), "number-as-text", f"已读作 {int(digits)}")


def parse_date(raw: CellValue) -> Parsed:
    if isinstance(raw, dt.datetime):
        return Parsed(raw.date())
    if isinstance(raw, dt.date):
        return Parsed(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        return Parsed(code="not-a-date")
    text = unicodedata.normalize("NFKC", show(raw)).strip()
    match = _YMD.match(text) or _YMD_COMPACT.match(text)
    if match is None:
        code = "ambiguous-date" if _PARTIAL_DATE.match(text) else "not-a-date"
        return Parsed(code=code, detail="请填写完整的四位年份、月、日" if code == "ambiguous-date" else "")
    try:
        value = dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return Parsed(code="not-a-date", detail="没有这一天")
    return Parsed(value, "date-as-text", f"已读作 {value.isoformat()}")
