"""The chase page: the standing agency filters, sorts by days late and reminds the units it selects,
never twice the same day."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.notices.models import Notice
from cchc.reporting import services
from cchc.reporting.models import Reminder
from cchc.reporting.tests.conftest import at


def test_a_unit_is_reminded_once_a_day_and_its_people_are_told(world, reporting, personas):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    standing = personas["city_standing"]
    reminded, skipped = services.reminders_send(
        actor=standing, period=q1, units=[world.mao_dien], today=date(2026, 3, 12)
    )
    assert (reminded, skipped) == ([world.mao_dien], [])
    told = Notice.objects.filter(kind="reporting.reminder")
    assert {n.recipient.username for n in told} == {"officer", "head", "office_officer", "commune_standing"}
    assert "quá hạn 3 ngày" in told.first().body
    assert AuditEntry.objects.filter(object_repr__startswith="Nhắc Xã Mao Điền").count() == 1

    again = services.reminders_send(
        actor=standing, period=q1, units=[world.mao_dien], today=date(2026, 3, 12)
    )
    assert again == ([], [world.mao_dien])
    assert told.count() == 4
    next_day = services.reminders_send(
        actor=standing, period=q1, units=[world.mao_dien], today=date(2026, 3, 13)
    )
    assert next_day == ([world.mao_dien], [])
    assert Reminder.objects.filter(period=q1, unit=world.mao_dien).count() == 2


def test_a_unit_that_has_sent_is_not_reminded(world, reporting, personas):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    report = services.report_start(actor=None, period=q1, unit=world.nam_sach)
    with at(date(2026, 3, 2)):
        services.report_submit(expected_version=report.version, actor=None, report=report)
    reminded, skipped = services.reminders_send(
        actor=personas["city_standing"],
        period=q1,
        units=[world.nam_sach, world.mao_dien],
        today=date(2026, 3, 12),
    )
    assert reminded == [world.mao_dien] and skipped == [world.nam_sach]


@pytest.mark.parametrize(
    "persona", ["officer", "head", "commune_standing", "sibling", "leader", "department_officer"]
)
def test_only_the_standing_agency_of_the_issuer_reminds(world, reporting, personas, persona, login):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    with pytest.raises(PermissionDenied):
        services.reminders_send(actor=personas[persona], period=q1, units=[world.mao_dien])
    response = login(personas[persona]).post(
        reverse("reporting:remind", args=[q1.pk]), {"unit": [world.mao_dien.pk]}
    )
    assert response.status_code == 404
    assert not Reminder.objects.exists() and not Notice.objects.exists()


def test_reminding_over_http_twice_the_same_day_sends_once(world, reporting, personas, login):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    client = login(personas["city_standing"])
    url = reverse("reporting:remind", args=[q1.pk])
    assert login(None).post(url, {"unit": [world.mao_dien.pk]}).status_code == 302  # to the login page
    assert not Reminder.objects.exists()
    client = login(personas["city_standing"])
    client.post(url, {"unit": [world.mao_dien.pk, world.nam_sach.pk, "junk"]})
    response = client.post(url, {"unit": [world.mao_dien.pk]}, follow=True)
    assert Reminder.objects.count() == 2
    assert "Không gửi nhắc (đã nhắc hôm nay" in response.content.decode()
    assert "đã nhắc hôm nay</span>" in response.content.decode()


def test_the_chase_page_filters_by_state_and_sorts_by_days_late(world, reporting, personas, login):
    _, periods = reporting
    q1 = periods["2026-Q1"]
    report = services.report_start(actor=None, period=q1, unit=world.mao_dien)
    with at(date(2026, 3, 20)):
        services.report_submit(expected_version=report.version, actor=None, report=report)
    client = login(personas["city_standing"])
    page = reverse("reporting:period_detail", args=[q1.pk])

    submitted = client.get(page, {"trang-thai": "submitted"}).content.decode()
    assert "Xã Mao Điền" in submitted and "Xã Nam Sách" not in submitted
    overdue = client.get(page, {"trang-thai": "overdue"}).content.decode()
    assert "Xã Nam Sách" in overdue and "Xã Mao Điền" not in overdue
    assert client.get(page, {"trang-thai": "junk"}).status_code == 200

    # In tree order Mao Điền comes first; by lateness Nam Sách (never sent) passes Mao Điền (11 days late).
    in_tree_order = client.get(page).content.decode()
    assert in_tree_order.index("Xã Mao Điền") < in_tree_order.index("Xã Nam Sách")
    by_lateness = client.get(page, {"sap-xep": "tre"}).content.decode()
    assert by_lateness.index("Xã Nam Sách") < by_lateness.index("Xã Mao Điền")
    assert 'form="remind-form"' in by_lateness
    assert 'form="remind-form"' not in login(personas["leader"]).get(page).content.decode()
