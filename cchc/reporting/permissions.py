"""Report access: a unit's people fill its report, its head submits, the standing agency above reviews.

Reports are read within subtrees only: a commune sees its own reports, never a sibling's, and not
the city's consolidated report; the standing agency above sees every report below it."""

from django.db.models import Q
from django.http import Http404

from cchc.org.models import Unit
from cchc.org.permissions import UserScope, scope_for
from cchc.reporting.models import ConsolidatedReport, ReportingPeriod, UnitReport


def periods_visible(scope: UserScope):
    """Periods of the levels the user reports to (ancestors) or runs (their subtree)."""
    periods = ReportingPeriod.objects.select_related("rule_set", "rule_set__issuer").order_by(
        "-year", "deadline"
    )
    if scope.is_admin:
        return periods
    return periods.filter(
        Q(rule_set__issuer_id__in=list(scope.read_ancestor_ids)) | scope.subtree_units_q("rule_set__issuer__")
    )


def access_period(user, pk: int) -> ReportingPeriod:
    period = periods_visible(scope_for(user)).filter(pk=pk).first()
    if period is None:
        raise Http404("Không tìm thấy kỳ báo cáo.")
    return period


def access_consolidation(user, pk: int) -> ReportingPeriod:
    """The consolidation of a period is read by the level that runs it (its issuer's subtree)."""
    period = access_period(user, pk)
    if not scope_for(user).in_subtree(period.rule_set.issuer):
        raise Http404("Không tìm thấy báo cáo tổng hợp.")
    return period


def reports_visible(scope: UserScope):
    return UnitReport.objects.filter(scope.subtree_units_q("unit__"))


def can_fill(scope: UserScope, unit: Unit) -> bool:
    return scope.can_edit_plan_of(unit)


def can_submit(scope: UserScope, unit: Unit) -> bool:
    return scope.is_head_of(unit)


def access_report(user, pk: int) -> UnitReport:
    scope = scope_for(user)
    report = (
        reports_visible(scope)
        .select_related("unit", "period", "period__rule_set", "period__rule_set__issuer")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404("Không tìm thấy báo cáo.")
    return report


def access_consolidated(user, pk: int) -> ConsolidatedReport:
    scope = scope_for(user)
    report = ConsolidatedReport.objects.select_related("unit", "period").filter(pk=pk).first()
    if report is None or not scope.in_subtree(report.unit):
        raise Http404("Không tìm thấy báo cáo tổng hợp.")
    return report
