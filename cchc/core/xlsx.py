"""The one way cchc writes a value into an .xlsx cell: numbers as numbers, dates as dates, text as text.

Every workbook the app produces (plan export and template, KPI and late-dossier lists, report
workbooks) writes its cells through :func:`put`, because of two ways a naive ``cell.value = x`` goes
wrong:

* **Formula injection.** openpyxl stores any string starting with "=" as a live formula, and Excel or
  LibreOffice re-evaluate text starting with "=", "+", "-", "@" (or a tab / carriage return, or their
  full-width forms) as soon as someone edits the cell. A task named ``=HYPERLINK(...)`` typed by one
  commune must not run on the city's computer. Such text is written as a string cell with the
  quote-prefix style (Excel's leading apostrophe): it displays exactly as typed, never evaluates, and
  openpyxl reads it back as the same text, so our imports round-trip it unchanged.
* **Numbers as text.** A count or a rate stored as the string "53,30%" cannot be summed or sorted.
  Numbers are numeric cells with a Vietnamese number format (thousands dot, decimal comma in a
  Vietnamese-locale Excel or LibreOffice); rates are fractions with a % format.
"""

import io
import math
import re
import unicodedata
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from cchc.core.numbers import parse_number

__all__ = [
    "DATE",
    "DATETIME",
    "INTEGER",
    "decimal_format",
    "is_formula_like",
    "percent_format",
    "put",
    "put_row",
    "put_text_or_number",
    "workbook_bytes",
]

# [$-42A] is Vietnamese (LCID 0x042A): LibreOffice, and Excel on a Vietnamese system, then show
# "1.234,5"; elsewhere Excel falls back to its own separators but the value stays a number.
_VI = "[$-42A]"
INTEGER = f"{_VI}#,##0"
DATE = "dd/mm/yyyy"
DATETIME = "dd/mm/yyyy hh:mm"

# What spreadsheet programs read as the start of a formula (or of a DDE call) when a cell is edited.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠", "−")
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def decimal_format(digits: int) -> str:
    return INTEGER if digits <= 0 else f"{INTEGER}.{'0' * digits}"


def percent_format(digits: int = 2) -> str:
    return f"{_VI}0{'.' + '0' * digits if digits > 0 else ''}%"


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def _clean_text(value: str) -> str:
    # NFC, and without the control characters XML (so .xlsx) cannot carry at all.
    return _XML_ILLEGAL.sub("", unicodedata.normalize("NFC", value))


def _naive(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value
    try:
        from django.utils import timezone

        return timezone.localtime(value).replace(tzinfo=None)
    except Exception:  # outside Django (the report writer is self-contained): keep the wall time
        return value.replace(tzinfo=None)


def put(
    cell: Cell,
    value: Any,
    *,
    number_format: str | None = None,
    percent: bool = False,
    digits: int | None = None,
) -> Cell:
    """Write ``value`` into ``cell`` safely.

    ``percent`` marks a 0..1 rate (shown "53,30%"); ``digits`` the decimal places of a number;
    ``number_format`` overrides the format entirely. None and non-finite numbers leave the cell empty.
    """
    if value is None:
        cell.value = None
        return cell
    if isinstance(value, bool):
        cell.value = value
        return cell
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, Decimal):
            if not value.is_finite():
                cell.value = None
                return cell
            value = int(value) if value == value.to_integral_value() else float(value)
        elif isinstance(value, float) and not math.isfinite(value):
            cell.value = None
            return cell
        cell.value = value
        if number_format:
            cell.number_format = number_format
        elif percent:
            cell.number_format = percent_format(2 if digits is None else digits)
        elif digits is not None:
            cell.number_format = decimal_format(digits)
        else:
            cell.number_format = INTEGER if isinstance(value, int) else decimal_format(2)
        return cell
    if isinstance(value, datetime):
        cell.value = _naive(value)
        cell.number_format = number_format or DATETIME
        return cell
    if isinstance(value, date):
        cell.value = value
        cell.number_format = number_format or DATE
        return cell
    if isinstance(value, time):
        cell.value = value
        cell.number_format = number_format or "hh:mm"
        return cell
    text = _clean_text(value if isinstance(value, str) else str(value))
    cell.value = text
    # openpyxl has just decided whether it is a formula ("=..."); it never is when it comes from us.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    if number_format:
        cell.number_format = number_format
    return cell


def put_text_or_number(cell: Cell, text: Any) -> Cell:
    """Text that is exactly a Vietnamese number ("1.234", "87,5", "53,30%") becomes that number,
    shown the same way; any other text stays text (safely). For tables built as text, like reports."""
    parsed = parse_number(text) if isinstance(text, str) else None
    if parsed is None:
        return put(cell, text)
    value, digits, grouped, is_percent = parsed
    if is_percent:
        return put(cell, value / 100, percent=True, digits=digits)
    fmt = decimal_format(digits) if grouped else _plain_format(digits)
    return put(cell, value, number_format=fmt)


def _plain_format(digits: int) -> str:
    # Without thousands grouping, so a year or a code written "2026" shows as 2026, not 2.026.
    return f"{_VI}0{'.' + '0' * digits if digits > 0 else ''}"


def put_row(ws, row: int, values, *, start: int = 1, formats: dict[int, dict] | None = None) -> None:
    """Write a row of values from column ``start``; ``formats`` maps a column number to put() options."""
    for column, value in enumerate(values, start=start):
        put(ws.cell(row=row, column=column), value, **((formats or {}).get(column, {})))


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
