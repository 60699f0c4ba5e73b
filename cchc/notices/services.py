"""Writes for notices: tell people (row now, e-mail after commit if they allow it), mark read, choose
how to be told."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from cchc.core import audit
from cchc.core.text import nfc
from cchc.notices.models import Notice, Preference

logger = logging.getLogger(__name__)
SIGNATURE = "Hệ thống quản lý cải cách hành chính thành phố Hải Phòng"


def _unique_active(recipients: Iterable) -> list:
    seen, people = set(), []
    for user in recipients:
        if user is None or not user.is_active or user.pk in seen:
            continue
        seen.add(user.pk)
        people.append(user)
    return people


def in_app_only_ids(user_ids: Iterable[int]) -> set[int]:
    return set(
        Preference.objects.filter(user_id__in=list(user_ids), channel=Preference.Channel.IN_APP).values_list(
            "user_id", flat=True
        )
    )


@transaction.atomic
def notify(recipients: Iterable, kind: str, subject: str, body: str = "", url: str = "") -> list[Notice]:
    """Tell each recipient once: one notice row each, and, after the transaction commits, one e-mail
    to those who have an address and did not choose in-app only. Returns the rows written."""
    people = _unique_active(recipients)
    if not people:
        return []
    subject, body = nfc(subject)[:255], nfc(body)
    rows = Notice.objects.bulk_create(
        [Notice(recipient=user, kind=kind, subject=subject, body=body, url=url[:500]) for user in people]
    )
    quiet = in_app_only_ids(user.pk for user in people)
    to_mail = [
        (row.pk, user) for row, user in zip(rows, people, strict=True) if user.email and user.pk not in quiet
    ]
    if to_mail and rows[0].pk is not None:
        transaction.on_commit(lambda: _send_emails(to_mail, subject, body, url))
    return rows


def _send_emails(to_mail: list, subject: str, body: str, url: str) -> None:
    link = f"\n\nXem chi tiết: {getattr(settings, 'CCHC_SITE_URL', '').rstrip('/')}{url}" if url else ""
    sent = []
    for notice_id, user in to_mail:
        name = user.get_full_name() or user.get_username()
        try:
            send_mail(
                subject=f"[CCHC] {subject}",
                message=f"Kính gửi {name},\n\n{body or subject}{link}\n\n{SIGNATURE}",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[user.email],
            )
        except OSError:
            logger.exception("Không gửi được thư thông báo %s", notice_id)
            continue
        sent.append(notice_id)
    if sent:
        Notice.objects.filter(pk__in=sent).update(emailed_at=timezone.now())


def mark_read(*, actor, notice: Notice) -> Notice:
    """Only the recipient marks their own notice read (no audit row: reading is not a change of record)."""
    if not getattr(actor, "is_authenticated", False) or notice.recipient_id != actor.pk:
        raise PermissionDenied("Đây không phải thông báo của bạn.")
    if notice.read_at is None:
        notice.read_at = timezone.now()
        Notice.objects.filter(pk=notice.pk, read_at=None).update(read_at=notice.read_at)
    return notice


def mark_all_read(*, actor) -> int:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Cần đăng nhập.")
    return Notice.objects.filter(recipient=actor, read_at=None).update(read_at=timezone.now())


@transaction.atomic
def preference_set(*, actor, channel: str) -> Preference:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Cần đăng nhập.")
    if channel not in Preference.Channel.values:
        raise ValidationError("Cách nhận thông báo không hợp lệ.")
    preference, _ = Preference.objects.select_for_update().get_or_create(user=actor)
    before = preference.channel
    if before != channel:
        preference.channel = channel
        preference.save()
        audit.record(
            actor=actor, action="update", instance=preference, changes={"channel": [before, channel]}
        )
    return preference
