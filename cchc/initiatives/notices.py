"""In-app notices and e-mails for initiatives, built like the reporting notices (one row per event,
e-mail after commit), reusing their choice of recipients for a unit."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse

from cchc.reporting.notices import recipients_for

logger = logging.getLogger(__name__)


def notify(*, user, campaign, kind: str, key: str, message: str) -> bool:
    """Write the keyed ledger row (refused if this event was already told), then hand the telling to the
    notices service: an in-app notice, and an e-mail after commit if the person allows it."""
    from cchc.initiatives.models import Notice
    from cchc.notices.services import notify as tell

    try:
        with transaction.atomic():
            Notice.objects.create(user=user, campaign=campaign, kind=kind, key=key, message=message)
    except IntegrityError:
        return False  # already told: the unique key says so
    label = Notice.Kind(kind).label
    tell(
        [user],
        f"initiatives.{kind}",
        f"{label}: {campaign}",
        message,
        reverse("initiatives:campaign_detail", args=[campaign.pk]),
    )
    return True


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
