from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render

from cchc.core import audit, history
from cchc.core.params import paginate


@login_required
def object_history(request, label: str, pk: int):
    registration = history.lookup(label)
    if registration is None:
        raise Http404
    instance = registration.access(request.user, pk)
    entries = paginate(audit.history_for(instance), 50, request.GET.get("page"))
    return render(
        request,
        "core/history.html",
        {
            "object": instance,
            "title": history.title_for(registration, instance),
            "entries": entries,
            "rows": history.readable(registration, entries),
            "model_name": registration.model._meta.verbose_name,
        },
    )
