"""Periods, cut-offs and deadlines from the rules, across year ends and leap years."""

from datetime import date

import pytest

from cchc.reporting.models import ReportingRule
from cchc.reporting.rules import parse_period_code, period_dates


def test_hai_phong_2026_cycle_deadlines_and_cut_offs(reporting):
    _, periods = reporting
    table = {code: (p.cutoff_start, p.cutoff_end, p.deadline) for code, p in periods.items()}
    assert table == {
        "2026-Q1": (date(2025, 12, 15), date(2026, 3, 14), date(2026, 3, 9)),
        "2026-S1": (date(2025, 12, 15), date(2026, 6, 14), date(2026, 6, 9)),
        "2026-Q3": (date(2026, 6, 15), date(2026, 9, 14), date(2026, 9, 9)),
        "2026": (date(2025, 12, 15), date(2026, 12, 14), date(2026, 12, 4)),
    }
    assert periods["2026-S1"].title == "Báo cáo cải cách hành chính 6 tháng đầu năm 2026"


def test_nine_months_is_a_rule_the_city_can_switch_on(reporting, personas):
    from cchc.reporting import services

    rule_set, _ = reporting
    rule_set.rules.filter(kind="9M").update(is_enabled=True)
    period = services.period_open(actor=personas["city_standing"], rule_set=rule_set, year=2026, kind="9M")
    assert (period.code, period.cutoff_start, period.cutoff_end) == (
        "2026-9M",
        date(2025, 12, 15),
        date(2026, 9, 14),
    )


def test_the_cut_off_of_a_first_period_starts_in_the_previous_year_even_across_a_century():
    rule = ReportingRule(
        kind="Q1",
        cutoff_start_day=15,
        cutoff_start_month=12,
        cutoff_start_previous_year=True,
        cutoff_end_day=14,
        cutoff_end_month=3,
        deadline_day=10,
        deadline_month=3,
    )
    dates = period_dates(rule, 2100)
    assert (dates.cutoff_start, dates.cutoff_end, dates.deadline) == (
        date(2099, 12, 15),
        date(2100, 3, 14),
        date(2100, 3, 9),
    )


@pytest.mark.parametrize(
    ("year", "end"),
    [
        (2028, date(2028, 2, 29)),
        (2027, date(2027, 2, 28)),
        (2100, date(2100, 2, 28)),
        (2000, date(2000, 2, 29)),
    ],
)
def test_a_rule_naming_the_29th_of_february_clamps_in_common_years(year, end):
    rule = ReportingRule(
        kind="Q1",
        cutoff_start_day=1,
        cutoff_start_month=12,
        cutoff_start_previous_year=True,
        cutoff_end_day=29,
        cutoff_end_month=2,
        deadline_day=29,
        deadline_month=2,
    )
    dates = period_dates(rule, year, deadline_exclusive=False)
    assert dates.cutoff_end == end and dates.deadline == end


def test_an_inclusive_deadline_keeps_the_written_day():
    rule = ReportingRule(
        kind="Y",
        cutoff_start_day=15,
        cutoff_start_month=12,
        cutoff_start_previous_year=True,
        cutoff_end_day=14,
        cutoff_end_month=12,
        deadline_day=5,
        deadline_month=12,
    )
    assert period_dates(rule, 2026, deadline_exclusive=False).deadline == date(2026, 12, 5)


@pytest.mark.parametrize(
    ("code", "parsed"),
    [("2026-Q1", (2026, "Q1")), ("2026-s1", (2026, "S1")), ("2026-9M", (2026, "9M")), ("2026", (2026, "Y"))],
)
def test_period_codes(code, parsed):
    assert parse_period_code(code) == parsed


def test_a_bad_period_code_is_explained():
    with pytest.raises(ValueError, match="Mã kỳ «2026-Q2» không hợp lệ"):
        parse_period_code("2026-Q2")


def test_only_the_standing_agency_of_a_level_opens_its_periods(reporting, personas):
    from django.core.exceptions import PermissionDenied

    from cchc.reporting import services

    rule_set, _ = reporting
    with pytest.raises(PermissionDenied):
        services.period_open(actor=personas["officer"], rule_set=rule_set, year=2027, kind="Q1")
