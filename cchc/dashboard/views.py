from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from cchc.core.params import int_or_none
from cchc.dashboard import selectors, todo
from cchc.dashboard.charts import area_chart, trend_chart, trend_rows
from cchc.delivery import selectors as delivery_selectors
from cchc.delivery.permissions import default_unit
from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.plans import selectors as plan_selectors
from cchc.plans.models import Plan, Task
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
    groups = todo.todo_for(request.user, todo.request_counts(request), today=today)
    return render(
        request,
        "dashboard/home.html",
        {
            "plans": plans,
            "overdue": overdue,
            "scope": scope,
            "today": today,
            "todo_mine": [g for g in groups if not g.review],
            "todo_review": [g for g in groups if g.review],
            "delivery": delivery_selectors.summary_for(default_unit(request.user)),
        },
    )


SORT_DIRECTIONS = {"giam": True, "tang": False}


@login_required
def scorecard(request, unit_id: int | None = None):
    scope = scope_for(request.user)
    if unit_id is None:
        node = selectors.root_for(scope)
    else:
        node = Unit.objects.filter(pk=unit_id, kind__in=Unit.REPORTING_KINDS).first()
    if node is None or not scope.in_subtree(node):
        raise Http404("Không tìm thấy đơn vị trong phạm vi của bạn.")
    block = request.GET.get("khoi", "")
    if block not in Unit.Block.values:
        block = ""
    sort = request.GET.get("sap", "")
    descending = SORT_DIRECTIONS.get(request.GET.get("chieu", ""), True)
    card = selectors.scorecard(
        scope,
        node,
        year=int_or_none(request.GET.get("nam"), low=2000),
        block=block,
        sort=sort,
        descending=descending,
        page=request.GET.get("page"),
    )
    own_plans = []
    if card.node is not None:
        own_plans = list(
            Plan.objects.filter(issuer=node)
            .exclude(status=Plan.Status.DRAFT)
            .order_by("-year_start", "pk")[:5]
        )
    base = reverse("dashboard:scorecard_unit", args=[node.pk]) if unit_id else reverse("dashboard:scorecard")
    return render(
        request,
        "dashboard/scorecard.html",
        {
            "unit": node,
            "card": card,
            "indicators": selectors.INDICATORS,
            "blocks": Unit.Block.choices,
            "base": base,
            "own_plans": own_plans,
            "area_svg": area_chart(card),
            "trend_svg": trend_chart(card),
            "trend_rows": trend_rows(card),
        },
    )


def scorecard_unit(request, unit_id: int):
    return scorecard(request, unit_id)
