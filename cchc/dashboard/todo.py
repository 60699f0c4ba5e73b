"""Everyone's to-do list: what is due or overdue for me, and what awaits my review.

Each kind of work is one queryset built from the person's scope (``_sources``). The home page
lists a few items of each; the menu shows the counts, all of them in ONE query (every count is a
scalar subquery of the same SELECT), computed once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import connections, router
from django.db.models import F, Func, IntegerField, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from cchc.core.cache import versioned
from cchc.org.models import Unit
from cchc.org.permissions import UserScope, scope_for

DUE_SOON_DAYS = 14
SHOWN = 8


@dataclass
class TodoItem:
    label: str
    detail: str
    href: str
    due: date | None = None
    overdue: bool = False


@dataclass
class TodoGroup:
    key: str
    title: str
    review: bool  # True: awaits my review; False: mine to do
    count: int = 0
    items: list[TodoItem] = field(default_factory=list)


def _paths_q(paths: list[str], prefix: str = "") -> Q:
    if not paths:
        return Q(pk__in=[])
    return reduce(or_, (Q(**{f"{prefix}path__startswith": p}) for p in paths))


def _sources(user, scope: UserScope, today: date) -> dict[str, tuple[str, bool, QuerySet]]:
    """key → (title, is_review, queryset). Admins get only what is assigned to them by name."""
    from cchc.initiatives.models import Campaign, Initiative
    from cchc.plans.models import Plan, Task
    from cchc.reporting.models import PeriodKind, ReportingPeriod, UnitReport
    from cchc.scoring.models import Assessment, Assignment, ItemScore, Season
    from cchc.surveys.models import Quota, Round

    personal = not scope.is_admin
    my_units = Unit.objects.filter(_paths_q(scope.edit_paths if personal else []))
    fill_units = Unit.objects.filter(
        (_paths_q(scope.plan_edit_paths) | Q(pk__in=list(scope.edit_organisation_ids)))
        if personal
        else Q(pk__in=[]),
        kind__in=Unit.REPORTING_KINDS,
    )
    out: dict[str, tuple[str, bool, QuerySet]] = {}

    led = Task.lead_units.through.objects.filter(unit__in=my_units).values("task_id")
    out["tasks"] = (
        "Nhiệm vụ tôi chủ trì đến hạn, quá hạn",
        False,
        Task.objects.filter(Q(responsible=user) | Q(pk__in=led))
        .filter(plan__status=Plan.Status.ISSUED, end_date__lte=today + timedelta(days=DUE_SOON_DAYS))
        .exclude(status__in=Task.FINISHED)
        .order_by("end_date", "pk"),
    )
    out["reports"] = (
        "Báo cáo phải lập, gửi",
        False,
        UnitReport.objects.filter(
            unit__in=fill_units, status__in=[UnitReport.Status.DRAFT, UnitReport.Status.RETURNED]
        ).order_by("period__deadline", "pk"),
    )
    out["reports_new"] = (
        "Kỳ báo cáo chưa lập",
        False,
        ReportingPeriod.objects.filter(
            rule_set__issuer__in=fill_units.values("parent_id"),
            year__gte=today.year - 1,
            cutoff_start__lte=today,
        )
        .exclude(kind=PeriodKind.ADHOC)
        .exclude(reports__unit__in=fill_units)
        .order_by("deadline", "pk"),
    )
    out["self_assessment"] = (
        "Tự đánh giá Chỉ số CCHC chưa gửi",
        False,
        Assessment.objects.filter(
            unit__in=fill_units, status=Assessment.Status.DRAFT, season__stage=Season.Stage.SELF
        ).order_by("season__self_deadline", "pk"),
    )
    out["quotas"] = (
        "Chỉ tiêu phiếu khảo sát chưa đủ",
        False,
        Quota.objects.filter(
            unit__in=my_units, round__status=Round.Status.OPEN, filled__lt=F("target")
        ).order_by("round_id", "pk"),
    )
    out["initiatives_to_score"] = (
        "Sáng kiến chờ tôi chấm",
        False,
        Initiative.objects.filter(
            campaign__status=Campaign.Status.SCORING,
            campaign__members__user=user,
            status=Initiative.Status.ELIGIBLE,
        )
        .exclude(reviews__member__user=user)
        .exclude(conflicts__member__user=user)
        .order_by("campaign_id", "pk"),
    )
    under_review = reduce(
        or_, (Q(unit__path__startswith=p) & ~Q(unit__path=p) for p in scope.review_paths), Q(pk__in=[])
    )
    out["reports_to_review"] = (
        "Báo cáo đơn vị đã gửi, chờ tôi xem xét",
        True,
        UnitReport.objects.filter(
            under_review if personal else Q(pk__in=[]), status=UnitReport.Status.SUBMITTED
        ).order_by("submitted_at", "pk"),
    )
    out["initiatives_to_check"] = (
        "Sáng kiến đã gửi, chờ thẩm định",
        True,
        Initiative.objects.filter(
            campaign__reviewing_unit__memberships__user=user,
            campaign__reviewing_unit__memberships__is_active=True,
            status=Initiative.Status.SUBMITTED,
        ).order_by("submitted_at", "pk"),
    )
    out["appraisals"] = (
        "Hồ sơ tự đánh giá được phân công thẩm định",
        True,
        Assignment.objects.filter(
            member__user=user, assessment__season__stage=Season.Stage.APPRAISAL
        ).order_by("assessment__season_id", "pk"),
    )
    out["explanations"] = (
        "Nội dung giải trình chờ Hội đồng kết luận",
        True,
        ItemScore.objects.filter(
            assessment__season__council__members__user=user,
            assessment__season__stage=Season.Stage.EXPLANATION,
            explained_points__isnull=True,
        )
        .exclude(explanation_answer="")
        .order_by("assessment_id", "pk"),
    )
    return out


def _unique(qs: QuerySet) -> QuerySet:
    """The same rows once each (the joins through memberships and councils may repeat a row)."""
    return qs.model.objects.filter(pk__in=qs.order_by().values("pk"))


class _Count(Func):
    function = "COUNT"
    template = "%(function)s(*)"
    output_field = IntegerField()


def _todo_version() -> tuple:
    """What the counts depend on, as a cache version, in one small query: every write of the
    services that change a to-do (tasks, reports, assessments, councils, initiatives, memberships)
    leaves an audit row, whose ids only grow; a public survey answer leaves none, but a quota leaves
    the list only when it fills up, so the number of filled quotas completes the version."""
    from cchc.core.models import AuditEntry
    from cchc.surveys.models import Quota

    # Read where the counts will be read (a replica, when the page reads from one), so a version
    # never names counts older than itself.
    with connections[router.db_for_read(AuditEntry)].cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT MAX(id) FROM {AuditEntry._meta.db_table}),"
            f" (SELECT COUNT(*) FROM {Quota._meta.db_table} WHERE filled >= target)"
        )
        return tuple(cursor.fetchone())


def counts_for(user) -> dict[str, int]:
    """Every to-do count, from the cache while no write has happened since (the menu shows them on
    every page: at 8 parallel users building the twelve subqueries cost more than the page), else in
    one query (each a scalar subquery)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    today = timezone.localdate()
    if not settings.TODO_COUNTS_CACHED:
        return _counts(user, today)
    # A write outside the services (the admin site) leaves no audit row: five minutes at most, then afresh.
    return versioned(
        "todo-counts", _todo_version(), (user.pk, today), lambda: _counts(user, today), timeout=300
    )


def _counts(user, today: date) -> dict[str, int]:
    scope = scope_for(user)
    sources = _sources(user, scope, today)
    from cchc.org.models import User

    annotations = {
        key: Subquery(
            _unique(qs).order_by().annotate(n=_Count()).values("n")[:1], output_field=IntegerField()
        )
        for key, (_, _, qs) in sources.items()
    }
    # One row carries every count: subqueries over the pk'ed user row.
    row = User.objects.filter(pk=user.pk).annotate(**annotations).values(*annotations).first() or {}
    return {key: int(row.get(key) or 0) for key in annotations}


def _describe(key: str, obj, today: date) -> TodoItem:
    if key == "tasks":
        return TodoItem(
            str(obj),
            f"{obj.plan.number or obj.plan.title} · {obj.plan.issuer}",
            reverse("plans:task_detail", args=[obj.pk]),
            obj.end_date,
            bool(obj.end_date and obj.end_date < today),
        )
    if key in ("reports", "reports_to_review"):
        return TodoItem(
            f"{obj.period} · {obj.unit}",
            obj.get_status_display(),
            reverse("reporting:report_detail", args=[obj.pk]),
            obj.period.deadline,
            key == "reports" and obj.period.deadline < today,
        )
    if key == "reports_new":
        return TodoItem(
            str(obj),
            "Chưa lập báo cáo",
            reverse("reporting:period_detail", args=[obj.pk]),
            obj.deadline,
            obj.deadline < today,
        )
    if key == "self_assessment":
        return TodoItem(
            f"{obj.season} · {obj.unit}",
            "Đang tự chấm",
            reverse("scoring:assessment_detail", args=[obj.pk]),
            obj.season.self_deadline,
            obj.season.self_deadline < today,
        )
    if key == "quotas":
        return TodoItem(
            f"{obj.round.title} · {obj.unit}",
            f"Đã có {obj.filled}/{obj.target} phiếu" + (f" · {obj.field}" if obj.field else ""),
            reverse("surveys:round", args=[obj.round_id]),
        )
    if key in ("initiatives_to_score", "initiatives_to_check"):
        target = "initiatives:review" if key == "initiatives_to_score" else "initiatives:initiative_detail"
        return TodoItem(obj.title, f"{obj.unit}", reverse(target, args=[obj.pk]))
    if key == "appraisals":
        return TodoItem(
            str(obj.assessment.unit),
            str(obj.assessment.season),
            reverse("scoring:queue_unit", args=[obj.assessment.season_id, obj.assessment_id]),
            obj.assessment.season.appraisal_deadline,
        )
    return TodoItem(
        f"{obj.criterion.code} · {obj.assessment.unit}",
        "Đã giải trình",
        reverse("scoring:item_detail", args=[obj.pk]),
        obj.assessment.season.explanation_deadline,
    )


RELATED = {
    "tasks": ("plan", "plan__issuer"),
    "reports": ("period", "unit"),
    "reports_to_review": ("period", "unit"),
    "reports_new": (),
    "self_assessment": ("season", "unit"),
    "quotas": ("round", "unit"),
    "initiatives_to_score": ("unit",),
    "initiatives_to_check": ("unit",),
    "appraisals": ("assessment__season", "assessment__unit"),
    "explanations": ("criterion", "assessment__unit", "assessment__season"),
}


def todo_for(user, counts: dict[str, int] | None = None, *, today: date | None = None) -> list[TodoGroup]:
    """The home page's list: every non-empty group with its first items (one query per non-empty
    group, plus the counts' one)."""
    today = today or timezone.localdate()
    scope = scope_for(user)
    counts = counts if counts is not None else counts_for(user)
    groups = []
    for key, (title, review, qs) in _sources(user, scope, today).items():
        count = counts.get(key, 0)
        if not count:
            continue
        rows = _unique(qs).select_related(*RELATED[key]).order_by(*qs.query.order_by)[:SHOWN]
        groups.append(TodoGroup(key, title, review, count, [_describe(key, o, today) for o in rows]))
    return groups


def request_counts(request) -> dict[str, int]:
    """The counts of this request, computed at most once (the menu and the home page share them)."""
    cached = getattr(request, "_cchc_todo_counts", None)
    if cached is None:
        cached = counts_for(request.user)
        request._cchc_todo_counts = cached
    return cached
