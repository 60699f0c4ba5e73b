"""Periods, cut-offs and deadlines computed from a rule set (data), never hard-coded.

Hải Phòng's default (QĐ 3848/QĐ-UBND pattern, domain §3): data from the 15th of the last month of the
previous period to the 14th of this period's last month; Q1 and Q3 reports before the 10th of the
quarter's last month, the 6-month report before 10/6, the year report before 05/12.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from cchc.reporting.models import PeriodKind, ReportingRule

PERIOD_CODE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>Q1|S1|Q3|9M))?$")
CODE_SUFFIX = {
    PeriodKind.Q1: "-Q1",
    PeriodKind.S1: "-S1",
    PeriodKind.Q3: "-Q3",
    PeriodKind.M9: "-9M",
    PeriodKind.YEAR: "",
}
TITLES = {
    PeriodKind.Q1: "quý I năm {year}",
    PeriodKind.S1: "6 tháng đầu năm {year}",
    PeriodKind.Q3: "quý III năm {year}",
    PeriodKind.M9: "9 tháng năm {year}",
    PeriodKind.YEAR: "năm {year}",
}


# (kind, cutoff start d/m, from previous year, cutoff end d/m, deadline d/m, enabled)
HAI_PHONG_RULES = [
    (PeriodKind.Q1, (15, 12), True, (14, 3), (10, 3), True),
    (PeriodKind.S1, (15, 12), True, (14, 6), (10, 6), True),
    (PeriodKind.Q3, (15, 6), False, (14, 9), (10, 9), True),
    (PeriodKind.M9, (15, 12), True, (14, 9), (10, 9), False),
    (PeriodKind.YEAR, (15, 12), True, (14, 12), (5, 12), True),
]


def safe_date(year: int, month: int, day: int) -> date:
    """A rule's day clamped to the month: 29/2 in a common year is 28/2, 31/4 is 30/4."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class PeriodDates:
    code: str
    title: str
    cutoff_start: date
    cutoff_end: date
    deadline: date  # the last day a report counts as on time
    deadline_as_written: date


def period_dates(rule: ReportingRule, year: int, *, deadline_exclusive: bool = True) -> PeriodDates:
    start_year = year - 1 if rule.cutoff_start_previous_year else year
    written = safe_date(year, rule.deadline_month, rule.deadline_day)
    return PeriodDates(
        code=f"{year}{CODE_SUFFIX[rule.kind]}",
        title=f"Báo cáo cải cách hành chính {TITLES[rule.kind].format(year=year)}",
        cutoff_start=safe_date(start_year, rule.cutoff_start_month, rule.cutoff_start_day),
        cutoff_end=safe_date(year, rule.cutoff_end_month, rule.cutoff_end_day),
        deadline=written - timedelta(days=1) if deadline_exclusive else written,
        deadline_as_written=written,
    )


def parse_period_code(code: str) -> tuple[int, str]:
    """ "2026-Q1" → (2026, "Q1"); "2026" → (2026, "Y")."""
    match = PERIOD_CODE.match((code or "").strip().upper())
    if not match:
        raise ValueError(f"Mã kỳ «{code}» không hợp lệ: dùng 2026-Q1, 2026-S1, 2026-Q3, 2026-9M hoặc 2026.")
    return int(match["year"]), match["kind"] or PeriodKind.YEAR
