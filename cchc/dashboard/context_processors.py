from django.utils.functional import SimpleLazyObject

from cchc.dashboard.todo import request_counts


def todo(request):
    """The menu's to-do counts, computed only when a template shows them, once per request."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}

    def counts():
        values = request_counts(request)
        return {"total": sum(values.values()), **values}

    return {"todo_counts": SimpleLazyObject(counts)}
