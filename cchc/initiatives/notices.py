"""In-app notices and e-mails for initiatives, built like the reporting notices (one row per event,
e-mail after commit), reusing their choice of recipients for a unit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cchc.reporting.notices import recipients_for

logger = logging.getLogger(__name__)


def notify(*, user, campaign, kind: str, key: str, message: str) -> bool:
    from cchc.initiatives.models import Notice

    try:
        with transaction.atomic():
            notice = Notice.objects.create(user=user, campaign=campaign, kind=kind, key=key, message=message)
    except IntegrityError:
        return False  # already told: the unique key says so
    if user.email:
        transaction.on_commit(lambda: _email_notice(notice.pk))
    return True


def _email_notice(notice_id: int) -> None:
    from cchc.initiatives.models import Notice

    notice = Notice.objects.select_related("user").get(pk=notice_id)
    try:
        send_mail(
            subject=f"[CCHC] {notice.get_kind_display()}",
            message=f"Kính gửi {notice.user},\n\n{notice.message}\n\nHệ thống quản lý cải cách hành chính",
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[notice.user.email],
        )
    except OSError:
        logger.exception("Không gửi được thư thông báo sáng kiến %s", notice_id)
        return
    Notice.objects.filter(pk=notice_id).update(emailed_at=timezone.now())


def email_authors(initiative, subject: str, message: str) -> None:
    """Authors may have no account: they are written to at the address the request form gives."""
    addresses = sorted({a.email for a in initiative.authors.all() if a.email})
    if not addresses:
        return

    def _send() -> None:
        try:
            send_mail(
                subject=f"[CCHC] {subject}",
                message=f"Kính gửi các tác giả sáng kiến «{initiative.title}»,\n\n{message}\n\n"
                "Hệ thống quản lý cải cách hành chính",
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=addresses,
            )
        except OSError:
            logger.exception("Không gửi được thư cho tác giả sáng kiến %s", initiative.pk)

    transaction.on_commit(_send)


def unit_people(unit):
    return recipients_for(unit)
