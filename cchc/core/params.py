"""Strict parsing of what a request sends: versions, page numbers, indices, numbers, text.

Every page parses its parameters through these helpers so that a malformed value becomes a Vietnamese
error (a ValidationError, answered 400 or shown in the form), never an exception that escapes as a 500.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator

# Versions are PositiveIntegerField: anything past this is junk, not a version anyone was shown.
MAX_VERSION = 2**31 - 1
# No page in the app has this many pages; larger numbers only overflow the engines (DuckDB's int64).
MAX_PAGE = 1_000_000
# Figures on reports and targets are DecimalField(max_digits=14, decimal_places=2): 12 digits before
# the comma. A longer number would be refused by PostgreSQL (a 500) and silently kept by SQLite.
MAX_INTEGER_DIGITS = 12

MISSING_VERSION = (
    "Không xác định được phiên bản nội dung bạn đang sửa, nên thay đổi chưa được lưu để không ghi đè "
    "bản của người khác. Hãy tải lại trang rồi nhập lại."
)


def parse_version(value: Any) -> int:
    """The version a form was read at. Missing or not a whole number → ValidationError, never None."""
    text = "" if value is None else str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        raise ValidationError(MISSING_VERSION, code="version")
    number = int(text)
    if not 1 <= number <= MAX_VERSION:
        raise ValidationError(MISSING_VERSION, code="version")
    return number


def posted_version(post) -> int:
    """The ``version`` field of a posted form, where 0 stands for "nothing saved yet" (a member's first
    score). Missing or junk is refused like parse_version does, never taken as "do not check"."""
    version = int_or_none(post.get("version"), low=0, high=MAX_VERSION)
    if version is None:
        raise ValidationError(MISSING_VERSION, code="version")
    return version


def page_number(value: Any) -> int:
    """A page number from ?page=: junk, zero, negatives and huge numbers fall back into 1..MAX_PAGE."""
    text = "" if value is None else str(value).strip()
    if text == "last":
        return MAX_PAGE
    if not text.isascii() or not text.isdigit():
        return 1
    if len(text) > 7:
        return MAX_PAGE
    return min(max(int(text), 1), MAX_PAGE)


def page_offset(value: Any, per_page: int, total: int) -> tuple[int, int]:
    """(page, offset) for a page of ``per_page`` rows out of ``total``, the page clamped to the last one.

    For lists paged by the database or DuckDB themselves (LIMIT/OFFSET), where a Paginator does not fit.
    """
    last = max(1, math.ceil(total / per_page)) if per_page > 0 else 1
    page = min(page_number(value), last)
    return page, (page - 1) * per_page


def paginate(object_list, per_page: int, value: Any) -> Page:
    """Django's Paginator with the page parsed by page_number (get_page clamps it to the last page)."""
    return Paginator(object_list, per_page).get_page(page_number(value))


def index_path(value: Any, sizes: Sequence[int] | None = None, *, depth: int = 2) -> list[int]:
    """ "3" or "3.1" → [3] or [3, 1]; junk, negatives and too deep paths → ValidationError."""
    parts = str(value).split(".")
    if not 1 <= len(parts) <= depth or not all(p.isascii() and p.isdigit() and len(p) <= 6 for p in parts):
        raise ValidationError(f"Mục «{str(value)[:20]}» không có trong bản nhập.", code="index")
    indices = [int(p) for p in parts]
    if sizes is not None and not 0 <= indices[0] < sizes[0]:
        raise ValidationError(f"Mục «{str(value)[:20]}» không có trong bản nhập.", code="index")
    return indices


def decimal_or_none(
    value: Any,
    label: str,
    *,
    allow_negative: bool = False,
    integer_digits: int = MAX_INTEGER_DIGITS,
    places: int | None = 2,
) -> Decimal | None:
    """A finite decimal from a form ("12,5", "12.5"); empty → None. NaN, Infinity, huge numbers refused;
    rounded half up to ``places`` decimals so that what is stored is what is shown."""
    if value is None:
        return None
    text = str(value).replace("\u00a0", "").replace(" ", "").replace(",", ".").strip()
    if text == "":
        return None
    try:
        number = Decimal(text)
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError(f"{label}: «{str(value)[:30]}» không phải là số.", code="number") from exc
    if not number.is_finite():
        raise ValidationError(f"{label}: «{str(value)[:30]}» không phải là số hữu hạn.", code="number")
    if number.adjusted() >= integer_digits:
        raise ValidationError(
            f"{label}: số «{str(value)[:30]}» quá lớn (tối đa {integer_digits} chữ số phần nguyên).",
            code="number",
        )
    if number < 0 and not allow_negative:
        raise ValidationError(f"{label}: không được là số âm.", code="number")
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return number


def int_or_none(value: Any, *, low: int = -(2**31), high: int = 2**31 - 1) -> int | None:
    """A whole number within bounds from a query parameter, or None for junk."""
    text = "" if value is None else str(value).strip()
    if text.startswith("-"):
        sign, text = -1, text[1:]
    else:
        sign = 1
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    number = sign * int(text)
    return number if low <= number <= high else None


def has_nul(value: str) -> bool:
    return "\x00" in value
