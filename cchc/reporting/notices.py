"""In-app notices and their e-mails. One row per (person, period, unit, kind, key): sending the same
notice twice is impossible by construction, which makes the reminder job safe to run at any frequency."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cchc.org.models import Membership, User

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


def reviewers_for(period) -> list[User]:
    """The standing agency over a period's issuer: the people who return or accept the reports sent to it
    (standing officers of the unit that serves the issuer, or of the issuer itself)."""
    issuer_id = period.rule_set.issuer_id
    return list(
        User.objects.filter(
            is_active=True, memberships__is_active=True, memberships__role=Membership.Role.STANDING
        )
        .filter(
            Q(memberships__unit__standing_agency_for_id=issuer_id)
            | Q(memberships__unit_id=issuer_id, memberships__unit__standing_agency_for=None)
        )
        .distinct()
    )


def _create(*, user, period, unit, kind: str, key: str, message: str, url: str = "") -> bool:
    """Write the keyed ledger row (refused if this event was already told), then hand the telling itself
    to the notices service: in-app row, and e-mail after commit if the person allows it."""
    from cchc.notices.services import notify
    from cchc.reporting.models import Notification

    try:
        with transaction.atomic():
            Notification.objects.create(
                user=user, period=period, unit=unit, kind=kind, key=key, message=message
            )
    except IntegrityError:
        return False  # already sent: the unique key says so
    label = Notification.Kind(kind).label
    notify(
        [user], f"reporting.{kind}", f"{label}: {period}", message, url or reverse("reporting:period_list")
    )
    return True


def notify_unit(*, report, kind: str, key: str, message: str) -> int:
    url = reverse("reporting:report_detail", args=[report.pk])
    return sum(
        _create(
            user=user, period=report.period, unit=report.unit, kind=kind, key=key, message=message, url=url
        )
        for user in recipients_for(report.unit)
    )


def notify_reviewers(*, report) -> int:
    """A unit has sent its report: tell the standing agency that reviews it."""
    from cchc.notices.services import notify

    sent_on = timezone.localtime(report.submitted_at).strftime("%H:%M ngày %d/%m/%Y")
    again = " (gửi lại sau khi chỉnh sửa)" if report.revision > 1 else ""
    rows = notify(
        reviewers_for(report.period),
        "reporting.submitted",
        f"{report.unit} đã gửi {report.period}{again}",
        f"{report.unit} đã gửi {report.period} lúc {sent_on}{again}. Đề nghị xem xét, tiếp nhận hoặc trả lại.",
        reverse("reporting:report_detail", args=[report.pk]),
    )
    return len(rows)


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
