"""Figures on the reporting pages are written the Vietnamese way: "53,64%", "1.100"."""

from datetime import date

from django.urls import reverse

from cchc.plans import services as plans
from cchc.reporting import services as reporting_services
from cchc.reporting.tests.conftest import at

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}


def test_a_consolidated_rate_shows_a_decimal_comma(world, reporting, personas, login):
    _, periods = reporting
    period = periods["2026-Q1"]
    plans.target_create(
        actor=None,
        plan=world.plan_b,
        area=2,
        text="Tỷ lệ hồ sơ trực tuyến ≥ 85%",
        comparator="gte",
        threshold=85,
        unit_of_measure="%",
        parent_target=world.city_online,
    )
    for unit, numerator, denominator in ((world.mao_dien, 90, 100), (world.nam_sach, 500, 1000)):
        report = reporting_services.report_start(actor=None, period=period, unit=unit)
        value = report.target_values.get(target__parent_target=world.city_online)
        reporting_services.report_save(
            actor=None,
            report=report,
            expected_version=report.version,
            target_values={value.target_id: {"numerator": numerator, "denominator": denominator}},
            narrative={},
            task_entries={},
        )
        with at(date(2026, 3, 1)):
            report.refresh_from_db()
            reporting_services.report_submit(
                actor=personas["admin"], report=report, expected_version=report.version
            )
    page = login(personas["city_standing"]).get(
        reverse("reporting:consolidation", args=[period.pk]), **ENGLISH_BROWSER
    )
    text = page.content.decode()
    assert "53,64%" in text and "1.100" in text  # (90 + 500) / (100 + 1000)
    assert "53.64" not in text
