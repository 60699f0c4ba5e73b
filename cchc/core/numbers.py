"""Vietnamese number formatting: thousands with a dot, decimals with a comma ("1.234,5", "53,30%").

Every number the app shows (pages, exports, e-mails, charts) goes through here, so nobody ever reads
"53.30%" and wonders whether it means fifty-three thousand. Parsing is the exact inverse, so text
written by :func:`format_number` can be turned back into a number (the report workbooks use that).
"""

import math
import re
from decimal import Decimal, InvalidOperation

__all__ = ["format_number", "format_percent", "parse_number"]

_VIETNAMESE_NUMBER = re.compile(r"^([-−]?)(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(%?)$")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    if not number.is_finite():
        return None
    return number


def format_number(
    value, digits: int = 0, *, trim: bool = False, grouping: bool = True, empty: str = ""
) -> str:
    """``digits`` places after the comma; ``trim`` drops trailing zeros ("12,50" → "12,5", "3,00" → "3")."""
    number = _decimal(value)
    if number is None:
        return empty
    digits = max(0, int(digits))
    text = f"{number:{',' if grouping else ''}.{digits}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text.startswith("-") and not any(ch not in "-0,." for ch in text):
        text = text[1:]  # "-0,0" reads as a mistake
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_percent(
    value, digits: int = 2, *, ratio: bool = False, trim: bool = False, empty: str = ""
) -> str:
    """A percentage with its sign: 53.3 → "53,30%"; with ``ratio`` the value is 0..1 (0.533 → "53,30%")."""
    number = _decimal(value)
    if number is None:
        return empty
    if ratio:
        number *= 100
    return format_number(number, digits, trim=trim) + "%"


def parse_number(text: str) -> tuple[Decimal, int, bool, bool] | None:
    """Vietnamese number text → (value, decimal places, had thousands dots, is a percentage).

    Only text that is exactly a number in our own format counts: "1.234,5", "12", "53,30%", "-3".
    Anything else ("1.2.3", "2026-2030", "≥ 90%", "12 hồ sơ") is None and stays text.
    """
    if not isinstance(text, str):
        return None
    match = _VIETNAMESE_NUMBER.match(text.strip())
    if not match:
        return None
    sign, whole, decimals, percent = match.groups()
    if len(whole) > 1 and whole.startswith("0") and "." not in whole:
        return None  # "0123" is a code (phone, dossier number), not a number
    digits = whole.replace(".", "")
    value = Decimal(f"{'-' if sign else ''}{digits}.{decimals or '0'}")
    if len(digits) > 15 or math.isinf(float(value)):
        return None  # beyond what a spreadsheet keeps exactly: an identifier, keep it as text
    return value, len(decimals or ""), "." in whole, bool(percent)
