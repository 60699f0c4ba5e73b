from django.utils.functional import SimpleLazyObject

from cchc.notices.selectors import unread_count


def unread(request):
    """The header badge: one COUNT, run only when a page shows it."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {}
    return {"notices_unread": SimpleLazyObject(lambda: unread_count(user))}
