"""In-app notices and their e-mails. One row per (person, period, unit, kind, key): sending the same
notice twice is impossible by construction, which makes the reminder job safe to run at any frequency."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cchc.org.models import Membership, User

logger = logging.getLogger(__name__)
RECIPIENT_ROLES = (Membership.Role.OFFICER, Membership.Role.HEAD, Membership.Role.STANDING)


def recipients_for(unit) -> list[User]:
    """The people who answer for a unit's report: its officers and head, and its own standing agency."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=RECIPIENT_ROLES,
            memberships__unit__organisation=unit,
        ).distinct()
    )


def _create(*, user, period, unit, kind: str, key: str, message: str) -> bool:
    from cchc.reporting.models import Notification

    try:
        with transaction.atomic():
            notice = Notification.objects.create(
                user=user, period=period, unit=unit, kind=kind, key=key, message=message
            )
    except IntegrityError:
        return False  # already sent: the unique key says so
    if user.email:
        transaction.on_commit(lambda: _email(notice.pk))
    return True


def _email(notice_id: int) -> None:
    from cchc.reporting.models import Notification

    notice = Notification.objects.select_related("user").get(pk=notice_id)
    try:
        send_mail(
            subject=f"[CCHC] {notice.get_kind_display()}: {notice.period}",
            message=f"Kính gửi {notice.user},\n\n{notice.message}\n\nHệ thống quản lý cải cách hành chính",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.user.email],
        )
    except OSError:
        logger.exception("Không gửi được thư nhắc %s", notice_id)
        return
    Notification.objects.filter(pk=notice_id).update(emailed_at=timezone.now())


def notify_unit(*, report, kind: str, key: str, message: str) -> int:
    return sum(
        _create(user=user, period=report.period, unit=report.unit, kind=kind, key=key, message=message)
        for user in recipients_for(report.unit)
    )


LATE_REMINDER_WEEKS = 4


def reminder_kind(period, today: date) -> str | None:
    """Which reminder a not-yet-submitted unit is due today: N days before, on the day, or late
    (weekly, for four weeks; after that the standing agency chases or records the unit as missing)."""
    days_left = (period.deadline - today).days
    if days_left < -7 * LATE_REMINDER_WEEKS:
        return None
    if days_left < 0:
        return "late"
    if days_left == 0:
        return "due"
    if days_left <= period.rule_set.remind_days_before:
        return "before"
    return None


def send_reminders(*, today: date | None = None) -> dict[str, int]:
    """Remind every expected unit that has not submitted. Run it as often as you like: each reminder
    (before, due, late once a week) exists once per person, so a second run sends nothing."""
    from cchc.reporting.models import ReportingPeriod, UnitReport
    from cchc.reporting.selectors import expected_units

    today = today or timezone.localdate()
    sent = {"before": 0, "due": 0, "late": 0}
    periods = ReportingPeriod.objects.filter(
        rule_set__is_active=True, deadline__gte=today - timedelta(weeks=LATE_REMINDER_WEEKS)
    )
    for period in periods.select_related("rule_set"):
        kind = reminder_kind(period, today)
        if kind is None:
            continue
        # Late reminders repeat weekly at most; the others once.
        key = str((today - period.deadline).days // 7) if kind == "late" else ""
        submitted = set(
            UnitReport.objects.filter(period=period)
            .exclude(first_submitted_at=None)
            .values_list("unit_id", flat=True)
        ) | set(
            UnitReport.objects.filter(period=period, status=UnitReport.Status.MISSING).values_list(
                "unit_id", flat=True
            )
        )
        for unit in expected_units(period):
            if unit.pk in submitted:
                continue
            deadline = period.deadline.strftime("%d/%m/%Y")
            message = {
                "before": f"{unit}: hạn gửi {period} là ngày {deadline}. Đề nghị hoàn thành và gửi báo cáo.",
                "due": f"{unit}: hôm nay ({deadline}) là hạn cuối gửi {period}.",
                "late": f"{unit}: {period} đã quá hạn từ ngày {deadline} mà chưa gửi. Đề nghị gửi ngay.",
            }[kind]
            for user in recipients_for(unit):
                sent[kind] += _create(
                    user=user, period=period, unit=unit, kind=kind, key=key, message=message
                )
    return sent
