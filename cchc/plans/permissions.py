"""Plan, target and task access. Every view fetches through these, so "not found" and "not yours"
look the same (404) and no page can forget the check."""

from django.http import Http404

from cchc.org.permissions import UserScope, scope_for
from cchc.plans.models import Plan, Target, Task


def plans_visible(scope: UserScope):
    return Plan.objects.filter(scope.readable_units_q("issuer__"))


def targets_visible(scope: UserScope):
    return Target.objects.filter(scope.readable_units_q("plan__issuer__"))


def tasks_visible(scope: UserScope):
    return Task.objects.filter(scope.readable_units_q("plan__issuer__"))


def can_edit_plan(scope: UserScope, plan: Plan) -> bool:
    return scope.can_edit_plan_of(plan.issuer)


def can_edit_task(scope: UserScope, task: Task) -> bool:
    """Progress, result and evidence: the issuer's people or the people of a lead unit."""
    if scope.can_edit_items_of(task.plan.issuer) or scope.can_edit_plan_of(task.plan.issuer):
        return True
    return any(scope.can_edit_items_of(unit) for unit in task.lead_units.all())


def access_plan(user, pk: int, *, for_edit: bool = False) -> Plan:
    scope = scope_for(user)
    plan = plans_visible(scope).select_related("issuer", "parent", "parent__issuer").filter(pk=pk).first()
    if plan is None or (for_edit and not can_edit_plan(scope, plan)):
        raise Http404("Không tìm thấy kế hoạch.")
    return plan


def access_task(user, pk: int, *, for_edit: bool = False) -> Task:
    scope = scope_for(user)
    task = (
        tasks_visible(scope)
        .select_related("plan", "plan__issuer", "parent", "responsible", "source_task", "source_task__plan")
        .prefetch_related("lead_units", "partner_units")
        .filter(pk=pk)
        .first()
    )
    if task is None or (for_edit and not can_edit_task(scope, task)):
        raise Http404("Không tìm thấy nhiệm vụ.")
    return task


def access_target(user, pk: int, *, for_edit: bool = False) -> Target:
    scope = scope_for(user)
    target = (
        targets_visible(scope)
        .select_related("plan", "plan__issuer", "parent_target", "parent_target__plan")
        .filter(pk=pk)
        .first()
    )
    if target is None or (for_edit and not can_edit_plan(scope, target.plan)):
        raise Http404("Không tìm thấy chỉ tiêu.")
    return target
