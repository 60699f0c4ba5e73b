"""Reads for notices."""

from django.db.models import QuerySet

from cchc.notices.models import Notice, Preference


def unread_count(user) -> int:
    """One indexed COUNT: the header badge."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notice.objects.filter(recipient=user, read_at=None).count()


def notices_for(user, *, unread_only: bool = False) -> QuerySet[Notice]:
    notices = Notice.objects.filter(recipient=user)
    if unread_only:
        notices = notices.filter(read_at=None)
    return notices.order_by("-created", "-pk")


def channel_of(user) -> str:
    preference = Preference.objects.filter(user=user).first()
    return preference.channel if preference else Preference.Channel.EMAIL
