from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import render

from cchc.core.text import fold
from cchc.org.models import Unit
from cchc.org.permissions import scope_for


@login_required
def unit_tree(request):
    """The units the user may read, as a tree; reporting units first, their sub-units folded away."""
    scope = scope_for(request.user)
    units = list(
        Unit.objects.filter(scope.subtree_units_q())
        .annotate(plan_count=Count("plans"))
        .order_by("depth", "sort_order", "name")
    )
    query = fold(request.GET.get("q", ""))
    by_parent: dict[int | None, list[Unit]] = {}
    ids = {u.pk for u in units}
    for unit in units:
        parent_id = unit.parent_id if unit.parent_id in ids else None
        by_parent.setdefault(parent_id, []).append(unit)
    rows: list[tuple[Unit, int]] = []

    def walk(parent_id, level):
        for unit in by_parent.get(parent_id, []):
            rows.append((unit, level))
            walk(unit.pk, level + 1)

    walk(None, 0)
    if query:
        rows = [(u, level) for u, level in rows if query in fold(u.name) or query in fold(u.code)]
    return render(
        request, "org/unit_tree.html", {"rows": rows, "q": request.GET.get("q", ""), "total": len(units)}
    )
