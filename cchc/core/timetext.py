"""Parse the time column of a plan's task table into a start and end date.

Plans write times as text ("2026-2030", "Quý IV/2022 đến Quý I/2023", "Theo yêu cầu của Bộ Nội vụ").
The raw text is always kept; this derives the window it names, or marks it event-driven when it
names no date (done when someone asks), or recurring ("Hằng năm") within the plan's years.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from cchc.core.text import fold

EVENT_DRIVEN = "event"
RANGE = "range"
RECURRING = "recurring"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class TimeWindow:
    kind: str
    start: date | None = None
    end: date | None = None

    @property
    def is_event_driven(self) -> bool:
        return self.kind == EVENT_DRIVEN


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_YEAR = r"(20\d{2}|19\d{2})"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter(q: int, year: int) -> tuple[date, date]:
    first_month = 3 * (q - 1) + 1
    return date(year, first_month, 1), _month_end(year, first_month + 2)


# One point in time as written: "15/3/2026", "03/2026", "Quý II/2026", "6 tháng đầu năm 2026", "2026".
_POINT_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"(\d{1,2})\s*/\s*(\d{1,2})\s*/\s*" + _YEAR), "day"),
    (re.compile(r"quy\s+(iv|iii|ii|i|[1-4])\s*(?:/|nam)?\s*" + _YEAR), "quarter"),
    (re.compile(r"6 thang (dau|cuoi) nam\s*" + _YEAR), "half"),
    (re.compile(r"(?:thang\s+)?(\d{1,2})\s*/\s*" + _YEAR), "month"),
    (re.compile(r"(?:nam\s+)?" + _YEAR), "year"),
]


def _parse_point(text: str) -> tuple[date, date, int] | None:
    """The first date-like expression in text: (start, end, position after it)."""
    best = None
    for pattern, kind in _POINT_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        if best is not None and match.start() >= best[0].start():
            continue
        best = (match, kind)
    if best is None:
        return None
    match, kind = best
    groups = match.groups()
    try:
        if kind == "day":
            day, month, year = int(groups[0]), int(groups[1]), int(groups[2])
            start = end = date(year, month, day)
        elif kind == "quarter":
            q = _ROMAN.get(groups[0]) or int(groups[0])
            start, end = _quarter(q, int(groups[1]))
        elif kind == "half":
            year = int(groups[1])
            start, end = (
                (date(year, 1, 1), date(year, 6, 30))
                if groups[0] == "dau"
                else (
                    date(year, 7, 1),
                    date(year, 12, 31),
                )
            )
        elif kind == "month":
            month, year = int(groups[0]), int(groups[1])
            start, end = date(year, month, 1), _month_end(year, month)
        else:
            year = int(groups[0])
            start, end = date(year, 1, 1), date(year, 12, 31)
    except ValueError:
        return None
    return start, end, match.end()


_EVENT_MARKERS = (
    "theo yeu cau",
    "theo chi dao",
    "theo van ban",
    "theo huong dan",
    "theo ke hoach",
    "khi co",
    "dot xuat",
    "theo quy dinh",
    "theo tien do",
)
_RECURRING_MARKERS = ("hang nam", "hang quy", "hang thang", "thuong xuyen", "dinh ky", "hang nam")
_RANGE_SEPARATOR = re.compile(r"\s*(?:-|–|—|den|toi|\bdến\b)\s*")


def parse_time_text(
    text: str | None, *, plan_start_year: int | None = None, plan_end_year: int | None = None
) -> TimeWindow:
    """Derive the window a task's time text names.

    >>> parse_time_text("Quý IV/2022 đến Quý I/2023")
    TimeWindow(kind='range', start=datetime.date(2022, 10, 1), end=datetime.date(2023, 3, 31))
    """
    folded = fold(text).replace("–", "-").replace("—", "-")
    folded = re.sub(r"\s*-\s*", "-", folded)
    if not folded:
        return TimeWindow(UNKNOWN)

    first = _parse_point(folded)
    if first is None:
        if any(marker in folded for marker in _RECURRING_MARKERS) and plan_start_year and plan_end_year:
            return TimeWindow(RECURRING, date(plan_start_year, 1, 1), date(plan_end_year, 12, 31))
        if any(marker in folded for marker in _EVENT_MARKERS) or any(
            marker in folded for marker in _RECURRING_MARKERS
        ):
            return TimeWindow(EVENT_DRIVEN)
        return TimeWindow(UNKNOWN)

    start, end, position = first
    rest = folded[position:]
    joined = re.match(r"\s*(?:-|den|toi)\s*(.*)", rest)
    if joined:
        second = _parse_point(joined.group(1))
        if second is not None and second[1] >= start:
            end = second[1]
    # "Quý I hằng năm 2026-2030" and "Hằng năm" with a year read as recurring over that window.
    kind = RECURRING if any(marker in folded for marker in _RECURRING_MARKERS) else RANGE
    return TimeWindow(kind, start, end)
