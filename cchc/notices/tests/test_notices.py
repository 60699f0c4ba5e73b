"""Notices reach the right person: the reviewer when a unit submits, the unit when its report is returned
(with the reason) or accepted; the badge counts them; only the recipient marks them read."""

from datetime import date

import pytest
from django.core import mail
from django.urls import reverse

from cchc.notices import services as notices
from cchc.notices.models import Notice, Preference
from cchc.notices.tests.conftest import at
from cchc.reporting import services
from cchc.testing import check_matrix


def _with_email(user, address):
    user.email = address
    user.save()
    return user


@pytest.fixture
def submitted(world, reporting, personas, django_capture_on_commit_callbacks):
    _with_email(personas["city_standing"], "thuongtruc@snv.haiphong.gov.vn")
    _with_email(personas["head"], "lanhdao@maodien.gov.vn")
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    with at(date(2026, 3, 2)), django_capture_on_commit_callbacks(execute=True):
        report = services.report_submit(
            expected_version=report.version, actor=personas["head"], report=report
        )
    return report


def test_unit_submits_the_standing_agency_sees_the_notice_and_badge_and_the_head_sees_the_return(
    world, personas, submitted, login, django_capture_on_commit_callbacks
):
    standing = personas["city_standing"]
    told = Notice.objects.get(recipient=standing, kind="reporting.submitted")
    assert "Xã Mao Điền đã gửi Báo cáo cải cách hành chính quý I năm 2026" in told.subject
    assert told.url == reverse("reporting:report_detail", args=[submitted.pk])
    assert [m.to for m in mail.outbox] == [["thuongtruc@snv.haiphong.gov.vn"]]
    assert mail.outbox[0].subject.startswith("[CCHC] Xã Mao Điền đã gửi")
    # Nobody in the commune, and not the sibling commune, is told of its own submission.
    assert not Notice.objects.filter(kind="reporting.submitted").exclude(recipient=standing).exists()

    page = login(standing).get(reverse("notices:list")).content.decode()
    assert 'aria-label="1 thông báo chưa đọc"' in page
    assert "Xã Mao Điền đã gửi" in page

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_return(
            actor=standing, report=submitted, reason="Thiếu số liệu chỉ tiêu hồ sơ trực tuyến"
        )
    returned = Notice.objects.get(recipient=personas["head"], kind="reporting.returned")
    assert "Thiếu số liệu chỉ tiêu hồ sơ trực tuyến" in returned.body
    head_mail = [m for m in mail.outbox if m.to == ["lanhdao@maodien.gov.vn"]]
    assert len(head_mail) == 1 and "Thiếu số liệu chỉ tiêu hồ sơ trực tuyến" in head_mail[0].body
    page = login(personas["head"]).get(reverse("notices:list")).content.decode()
    assert "Thiếu số liệu chỉ tiêu hồ sơ trực tuyến" in page and "chưa đọc" in page
    assert not Notice.objects.filter(recipient=personas["sibling"]).exists()


def test_acceptance_reaches_the_units_people(world, personas, submitted):
    services.report_accept(actor=personas["city_standing"], report=submitted)
    told = set(Notice.objects.filter(kind="reporting.accepted").values_list("recipient__username", flat=True))
    assert {"officer", "head"} <= told and "sibling" not in told and "city_standing" not in told


def test_in_app_only_people_get_the_notice_but_no_email(
    world, personas, reporting, django_capture_on_commit_callbacks
):
    head = _with_email(personas["head"], "lanhdao@maodien.gov.vn")
    notices.preference_set(actor=head, channel=Preference.Channel.IN_APP)
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify([head, head, personas["officer"]], "test", "Thử", "Nội dung", "/")
    assert Notice.objects.filter(recipient=head).count() == 1
    assert mail.outbox == []


def test_mark_read_and_mark_all_read_touch_only_my_notices(world, personas, login):
    mine = notices.notify([personas["head"]], "test", "Của tôi")[0]
    notices.notify([personas["head"]], "test", "Của tôi nữa")
    theirs = notices.notify([personas["sibling"]], "test", "Của người khác")[0]

    client = login(personas["head"])
    assert client.post(reverse("notices:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(reverse("notices:mark_read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notices:mark_read", args=[mine.pk])).status_code == 405
    client.post(reverse("notices:mark_all_read"))
    assert not Notice.objects.filter(recipient=personas["head"], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_open_marks_read_and_goes_to_the_notice_but_never_off_site(world, personas, login):
    inside = notices.notify([personas["head"]], "test", "Trong", url="/bao-cao/")[0]
    outside = notices.notify([personas["head"]], "test", "Ngoài", url="https://example.com/")[0]
    client = login(personas["head"])
    assert client.post(reverse("notices:mark_read", args=[inside.pk]), {"open": "1"}).url == "/bao-cao/"
    assert client.post(reverse("notices:mark_read", args=[outside.pk]), {"open": "1"}).url == reverse(
        "notices:list"
    )


def test_preferences_form_saves_the_choice_and_refuses_junk(world, personas, login):
    client = login(personas["officer"])
    assert client.post(reverse("notices:preferences"), {"channel": "pigeon"}).status_code == 400
    assert client.post(reverse("notices:preferences"), {"channel": "in_app"}).status_code == 302
    assert Preference.objects.get(user=personas["officer"]).channel == "in_app"


def test_every_notice_page_needs_a_login(world, personas, login):
    notice = notices.notify([personas["head"]], "test", "Thử")[0]
    #        anon off  offi head cstd sib  city dept lead admin
    every = "302  200  200  200  200  200  200  200  200  200"
    pages = [(reverse("notices:list"), every), (reverse("notices:preferences"), every)]
    assert not check_matrix(login, personas, pages)
    anonymous = login(None)
    for url in (reverse("notices:mark_read", args=[notice.pk]), reverse("notices:mark_all_read")):
        assert anonymous.post(url).status_code == 302
    notice.refresh_from_db()
    assert notice.read_at is None


def test_the_list_page_and_badge_cost_a_fixed_number_of_queries(
    world, personas, login, django_assert_max_num_queries
):
    head = personas["head"]
    client = login(head)
    notices.notify([head], "test", "Một")
    client.get(reverse("notices:list"))
    for n in range(60):
        notices.notify([head], "test", f"Thông báo số {n}", "Nội dung", "/")
    with django_assert_max_num_queries(9):
        response = client.get(reverse("notices:list"))
    assert response.status_code == 200 and response.content.decode().count('class="card unread"') == 30
