from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from cchc.core import audit, history
from cchc.core.params import paginate
from cchc.delivery import selectors as delivery_selectors
from cchc.delivery.permissions import default_unit
from cchc.org.permissions import scope_for
from cchc.plans import selectors as plan_selectors
from cchc.plans.models import Task
from cchc.plans.permissions import tasks_visible


@login_required
def home(request):
    scope = scope_for(request.user)
    today = timezone.localdate()
    plans = list(plan_selectors.plan_list(scope=scope)[:12])
    visible = tasks_visible(scope)
    if scope.home_unit is not None and not scope.is_admin:
        mine = visible.filter(plan__issuer__path__startswith=scope.home_unit.path)
    else:
        mine = visible
    overdue = (
        mine.filter(end_date__lt=today)
        .exclude(status__in=Task.FINISHED)
        .select_related("plan", "plan__issuer")
        .order_by("end_date")[:10]
    )
    return render(
        request,
        "core/home.html",
        {
            "plans": plans,
            "overdue": overdue,
            "scope": scope,
            "today": today,
            "delivery": delivery_selectors.summary_for(default_unit(request.user)),
        },
    )


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
