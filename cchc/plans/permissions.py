"""Plan, target and task access. Every view fetches through these, so "not found" and "not yours"
look the same (404) and no page can forget the check.

Drafts: a plan that is not yet issued is the issuing unit's working copy. Only those who plan for its
issuer (the officers and heads of the issuing unit, its standing agency) and admins see it; the units
below, the levels above and viewers see it once it is issued. Its targets and tasks follow the plan."""

from django.db.models import Q
from django.http import Http404

from cchc.org.models import Unit
from cchc.org.permissions import UserScope, scope_for
from cchc.plans.models import Plan, Target, Task


def _plans_of_editable_issuers_q(scope: UserScope, prefix: str) -> Q:
    """The Q twin of `UserScope.can_edit_plan_of` on the issuer at `prefix`."""
    q = Q(**{f"{prefix}id__in": list(scope.edit_organisation_ids)})
    for path in scope.plan_edit_paths:
        q |= Q(**{f"{prefix}path__startswith": path})
    return q


def _drafts_q(scope: UserScope, prefix: str = "") -> Q:
    if scope.is_admin:
        return Q()
    return ~Q(**{f"{prefix}status": Plan.Status.DRAFT}) | _plans_of_editable_issuers_q(
        scope, f"{prefix}issuer__"
    )


def plans_visible(scope: UserScope):
    return Plan.objects.filter(scope.readable_units_q("issuer__"), _drafts_q(scope))


def targets_visible(scope: UserScope):
    return Target.objects.filter(scope.readable_units_q("plan__issuer__"), _drafts_q(scope, "plan__"))


def tasks_visible(scope: UserScope):
    return Task.objects.filter(scope.readable_units_q("plan__issuer__"), _drafts_q(scope, "plan__"))


def can_edit_plan(scope: UserScope, plan: Plan) -> bool:
    """Structure, targets, tasks, imports. A superseded plan is kept as it was, read-only."""
    return not plan.is_superseded and scope.can_edit_plan_of(plan.issuer)


def can_issue_plan(scope: UserScope, plan: Plan) -> bool:
    return plan.is_draft and scope.can_edit_plan_of(plan.issuer)


def can_delete_plan(scope: UserScope, plan: Plan) -> bool:
    """Only a draft can be deleted: an issued plan is a legal document and is replaced instead."""
    return plan.is_draft and scope.can_edit_plan_of(plan.issuer)


def can_replace_plan(scope: UserScope, plan: Plan) -> bool:
    return plan.status == Plan.Status.ISSUED and scope.can_edit_plan_of(plan.issuer)


def plan_issuers(scope: UserScope) -> list[Unit]:
    """The reporting units this person may make new plans for (document import, concretise)."""
    if scope.is_anonymous:
        return []
    units = Unit.objects.filter(kind__in=Unit.REPORTING_KINDS).order_by("depth", "sort_order", "name")
    return [u for u in units if scope.can_edit_plan_of(u)]


def can_create_plans(scope: UserScope) -> bool:
    """Whether to offer the plan document import at all: the button and the page ask the same thing."""
    return bool(plan_issuers(scope))


def can_edit_task(scope: UserScope, task: Task) -> bool:
    """Progress, result and evidence: the issuer's people or the people of a lead unit."""
    if task.plan.is_superseded:
        return False
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
