from datetime import date

from django.core import mail
from django.core.management import call_command

from cchc.reporting import services
from cchc.reporting.models import Notification
from cchc.reporting.notices import send_reminders


def test_reminders_go_to_units_that_have_not_submitted_once_each(
    world, reporting, personas, django_capture_on_commit_callbacks
):
    _, periods = reporting
    personas["officer"].email = "officer@maodien.gov.vn"
    personas["officer"].save()
    q1 = periods["2026-Q1"]  # deadline 9/3, reminders from 6/3 (3 days before)
    nam_sach = services.report_start(actor=None, period=q1, unit=world.nam_sach)
    services.report_submit(expected_version=nam_sach.version, actor=None, report=nam_sach)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_reminders(today=date(2026, 3, 6))
    with django_capture_on_commit_callbacks(execute=True):
        second = send_reminders(today=date(2026, 3, 6))
    assert first["before"] > 0 and second == {"before": 0, "due": 0, "late": 0}
    notices = Notification.objects.filter(period=q1, kind="before")
    assert not notices.filter(unit=world.nam_sach).exists()  # it submitted
    mao_dien_people = {n.user.username for n in notices.filter(unit=world.mao_dien)}
    assert mao_dien_people == {"officer", "head", "office_officer", "commune_standing"}
    assert len([m for m in mail.outbox if "officer@maodien.gov.vn" in m.to]) == 1
    assert "hạn gửi Báo cáo cải cách hành chính quý I năm 2026 là ngày 09/03/2026" in mail.outbox[0].body

    assert send_reminders(today=date(2026, 3, 5)) == {"before": 0, "due": 0, "late": 0}  # too early
    assert send_reminders(today=date(2026, 3, 9))["due"] > 0
    late_first = send_reminders(today=date(2026, 3, 10))["late"]
    assert late_first > 0
    assert send_reminders(today=date(2026, 3, 12))["late"] == 0  # same week: nothing new
    assert send_reminders(today=date(2026, 3, 17))["late"] == late_first  # a week later: once more
    assert send_reminders(today=date(2026, 4, 30))["late"] == 0  # past four weeks: the agency takes over


def test_the_command_is_safe_to_run_twice(world, reporting, capsys):
    call_command("send_reminders", "--date", "2026-06-09")
    first = capsys.readouterr().out
    call_command("send_reminders", "--date", "2026-06-09")
    second = capsys.readouterr().out
    assert "0 sắp đến hạn, 0 đến hạn, 0 quá hạn" in second
    assert first != second
    assert (
        Notification.objects.filter(kind="due").count()
        == Notification.objects.filter(kind="due").values("user", "unit", "period").distinct().count()
    )
