"""Reads for plan pages: task lists with filters, a plan grouped by area, the alignment check."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from cchc.core.text import fold
from cchc.org.models import Unit
from cchc.org.permissions import UserScope
from cchc.plans.models import Area, Plan, Target, Task
from cchc.plans.permissions import plans_visible, tasks_visible


@dataclass
class TaskFilters:
    plan: int | None = None
    area: int | None = None
    lead_unit: int | None = None
    status: str | None = None
    overdue: bool = False
    q: str = ""
    issuer: int | None = None


def task_list(*, scope: UserScope, filters: TaskFilters, today: date | None = None) -> QuerySet[Task]:
    """Visible tasks matching the filters; a fixed number of queries whatever the page size."""
    today = today or timezone.localdate()
    tasks = tasks_visible(scope)
    if filters.plan:
        tasks = tasks.filter(plan_id=filters.plan)
    if filters.issuer:
        tasks = tasks.filter(plan__issuer_id=filters.issuer)
    if filters.area is not None:
        tasks = tasks.filter(area=filters.area)
    if filters.status:
        tasks = tasks.filter(status=filters.status)
    if filters.lead_unit:
        lead = Unit.objects.filter(pk=filters.lead_unit).only("path").first()
        if lead is not None:
            tasks = tasks.filter(
                pk__in=Task.lead_units.through.objects.filter(unit__path__startswith=lead.path).values(
                    "task_id"
                )
            )
    if filters.overdue:
        tasks = tasks.filter(end_date__lt=today).exclude(status__in=Task.FINISHED)
    if filters.q:
        for word in fold(filters.q).split():
            tasks = tasks.filter(search_text__contains=word)
    return (
        tasks.select_related("plan", "plan__issuer", "parent")
        .prefetch_related(Prefetch("lead_units", queryset=Unit.objects.only("id", "name", "code")))
        .annotate(evidence_count=Count("evidence", distinct=True))
        .order_by("plan__issuer__path", "plan_id", "area", "parent__position", "position", "id")
    )


def plan_list(*, scope: UserScope) -> QuerySet[Plan]:
    return (
        plans_visible(scope)
        .select_related("issuer", "parent")
        .annotate(task_count=Count("tasks", distinct=True), target_count=Count("targets", distinct=True))
        .order_by("issuer__depth", "issuer__path", "-year_start", "number")
    )


@dataclass
class AreaSection:
    area: int
    label: str
    targets: list[Target] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    status_counts: dict[str, int] = field(default_factory=dict)


def plan_duplicates(*, issuer: Unit, number: str, exclude: tuple[int, ...] = ()) -> QuerySet[Plan]:
    """Live plans (draft or issued) of the same issuer with the same number, written the same way up
    to case and spacing. Superseded plans are history and do not count."""
    number = " ".join((number or "").split())
    if not number:
        return Plan.objects.none()
    return (
        Plan.objects.filter(issuer=issuer, number__iexact=number)
        .exclude(status=Plan.Status.SUPERSEDED)
        .exclude(pk__in=[pk for pk in exclude if pk])
        .select_related("issuer")
        .order_by("-issued_on", "-pk")
    )


def plan_by_area(*, plan: Plan) -> list[AreaSection]:
    """The plan as its document reads: per area, its targets then its tasks with their sub-items."""
    sections = {value: AreaSection(value, label) for value, label in Area.choices}
    for target in plan.targets.select_related("parent_target").order_by("area", "position", "id"):
        sections[target.area].targets.append(target)
    tasks = list(
        plan.tasks.select_related("parent")
        .prefetch_related("lead_units")
        .annotate(evidence_count=Count("evidence"))
        .order_by("area", "position", "id")
    )
    children: dict[int, list[Task]] = defaultdict(list)
    for task in tasks:
        if task.parent_id:
            children[task.parent_id].append(task)
    for task in tasks:
        task.children_list = children.get(task.pk, [])
        if not task.parent_id:
            sections[task.area].tasks.append(task)
        counts = sections[task.area].status_counts
        counts[task.status] = counts.get(task.status, 0) + 1
    return [s for s in sections.values() if s.targets or s.tasks]


def plan_progress(*, plan: Plan, today: date | None = None) -> dict[str, int]:
    today = today or timezone.localdate()
    rows = plan.tasks.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status__in=Task.FINISHED)),
        in_progress=Count("id", filter=Q(status=Task.Status.IN_PROGRESS)),
        overdue=Count("id", filter=Q(end_date__lt=today) & ~Q(status__in=Task.FINISHED)),
    )
    rows["percent_done"] = round(100 * rows["done"] / rows["total"]) if rows["total"] else 0
    return rows


# Alignment --------------------------------------------------------------------------------------

MISSING, WEAKER, STRONGER, SAME, ADDED, DIFFERENT = (
    "missing",
    "weaker",
    "stronger",
    "same",
    "added",
    "different",
)
VERDICT_LABELS = {
    MISSING: "Thiếu so với cấp trên",
    WEAKER: "Thấp hơn cấp trên",
    STRONGER: "Cao hơn cấp trên",
    SAME: "Tương đương",
    ADDED: "Bổ sung mới",
    DIFFERENT: "Khác cách đo",
}


@dataclass
class TargetAlignment:
    verdict: str
    parent: Target | None
    child: Target | None
    reason: str = ""

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]


@dataclass
class Alignment:
    plan: Plan
    parent: Plan
    targets: list[TargetAlignment]
    tasks_without_child: list[Task]

    def of(self, verdict: str) -> list[TargetAlignment]:
        return [row for row in self.targets if row.verdict == verdict]

    @property
    def counts(self) -> dict[str, int]:
        return {verdict: len(self.of(verdict)) for verdict in VERDICT_LABELS}


_HIGHER_IS_STRONGER = {
    Target.Comparator.GTE,
    Target.Comparator.EQ,
    Target.Comparator.REDUCE_BY,
    Target.Comparator.INCREASE_BY,
}


def compare_targets(parent: Target, child: Target) -> TargetAlignment:
    quantified = {parent.comparator, child.comparator} - {Target.Comparator.TEXT}
    if child.comparator == Target.Comparator.TEXT and parent.comparator != Target.Comparator.TEXT:
        return TargetAlignment(
            WEAKER, parent, child, f"cấp trên {parent.threshold_label}, cấp dưới không lượng hóa"
        )
    if not quantified or parent.comparator == Target.Comparator.TEXT:
        return TargetAlignment(SAME, parent, child)
    if (parent.unit_of_measure or "") != (child.unit_of_measure or "") or (
        (parent.comparator in _HIGHER_IS_STRONGER) != (child.comparator in _HIGHER_IS_STRONGER)
    ):
        return TargetAlignment(
            DIFFERENT, parent, child, f"{parent.threshold_label} so với {child.threshold_label}"
        )
    higher_is_stronger = parent.comparator in _HIGHER_IS_STRONGER
    if child.threshold == parent.threshold:
        return TargetAlignment(SAME, parent, child, child.threshold_label)
    stronger = (child.threshold > parent.threshold) == higher_is_stronger
    return TargetAlignment(
        STRONGER if stronger else WEAKER,
        parent,
        child,
        f"cấp trên {parent.threshold_label}, cấp dưới {child.threshold_label}",
    )


def plan_alignment(*, plan: Plan) -> Alignment | None:
    """Compare a child plan with its parent: missing, weaker, stronger, same, added targets, and
    parent tasks no child task carries."""
    parent = plan.parent
    if parent is None:
        return None
    parent_targets = list(parent.targets.order_by("area", "position", "id"))
    child_targets = list(plan.targets.select_related("parent_target").order_by("area", "position", "id"))
    by_parent: dict[int, list[Target]] = defaultdict(list)
    rows: list[TargetAlignment] = []
    for child in child_targets:
        if child.parent_target_id:
            by_parent[child.parent_target_id].append(child)
        else:
            rows.append(TargetAlignment(ADDED, None, child))
    for target in parent_targets:
        children = by_parent.get(target.pk)
        if not children:
            rows.append(TargetAlignment(MISSING, target, None, target.threshold_label))
        for child in children or []:
            rows.append(compare_targets(target, child))
    order = [WEAKER, MISSING, DIFFERENT, STRONGER, SAME, ADDED]
    rows.sort(key=lambda r: (order.index(r.verdict), (r.parent or r.child).area))
    carried = set(plan.tasks.exclude(source_task=None).values_list("source_task_id", flat=True))
    orphan_tasks = list(parent.tasks.filter(parent=None).exclude(pk__in=carried).order_by("area", "position"))
    return Alignment(plan=plan, parent=parent, targets=rows, tasks_without_child=orphan_tasks)
