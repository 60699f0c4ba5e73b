from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest


@pytest.fixture
def reporting(world, personas):
    """The city's Hải Phòng rule set with the 2026 periods open; both communes report to it."""
    from cchc.plans import services as plans
    from cchc.reporting import services

    rule_set = services.rule_set_create_hai_phong(actor=personas["city_standing"], issuer=world.city)
    periods = {
        p.code: p
        for p in services.periods_open_year(actor=personas["city_standing"], rule_set=rule_set, year=2026)
    }
    plans.plan_update(expected_version=world.plan_b.version, actor=None, plan=world.plan_b, status="issued")
    return rule_set, periods


def at(day: date):
    moment = datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def commune_leader(world):
    """A leader who follows xã Mao Điền only (viewer of the commune)."""
    from cchc.conftest import _person

    return _person("mao_dien_leader", world.mao_dien, "viewer")


@pytest.fixture
def snapshot(world):
    """The scorecard rows of 2025 and 2026, rebuilt from the world's plans (today: 2 Dec 2026)."""
    from cchc.dashboard.services import refresh_scorecard

    refresh_scorecard(2025, today=date(2026, 12, 2))
    refresh_scorecard(2026, today=date(2026, 12, 2))


# The source modules' own worlds, to feed the snapshot through their services.
from cchc.scoring.tests.conftest import commune_set, council, season  # noqa: E402, F401
from cchc.surveys.tests.conftest import submit, surveys  # noqa: E402, F401
