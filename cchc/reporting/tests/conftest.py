from datetime import date

import pytest


@pytest.fixture
def reporting(world, personas):
    """The city's Hải Phòng rule set with the 2026 periods open; Mao Điền and Nam Sách report to it."""
    from cchc.plans import services as plans
    from cchc.reporting import services

    rule_set = services.rule_set_create_hai_phong(actor=personas["city_standing"], issuer=world.city)
    periods = {
        p.code: p
        for p in services.periods_open_year(actor=personas["city_standing"], rule_set=rule_set, year=2026)
    }
    # Nam Sách's plan is issued too, so both communes have tasks to report on.
    plans.plan_update(expected_version=world.plan_b.version, actor=None, plan=world.plan_b, status="issued")
    return rule_set, periods


def at(day: date):
    """Freeze "now" for submissions: the on-time rule compares the submission date to the deadline."""
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return mock.patch("django.utils.timezone.now", return_value=moment)
