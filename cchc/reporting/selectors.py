"""Reads for reporting: who must report, completeness and timeliness, consolidation across units."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from cchc.core import audit
from cchc.org.models import Unit
from cchc.plans.models import Area, Target, Task
from cchc.reporting.models import PeriodKind, ReportingPeriod, ReportTargetValue, ReportTaskEntry, UnitReport

Status = UnitReport.Status


def expected_units(period: ReportingPeriod) -> QuerySet[Unit]:
    """Units that must report: the ad-hoc request's list, or the reporting units directly under the
    rule set's issuer that existed on the period's data cut-off date (a unit created or merged
    mid-year is expected only for periods it existed in)."""
    if period.kind == PeriodKind.ADHOC:
        return period.units.order_by("sort_order", "name")
    day = period.cutoff_end
    return (
        Unit.objects.filter(parent=period.rule_set.issuer, kind__in=Unit.REPORTING_KINDS)
        .filter(Q(established_on__isnull=True) | Q(established_on__lte=day))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=day))
        .order_by("sort_order", "name")
    )


def previous_report(*, period: ReportingPeriod, unit: Unit) -> UnitReport | None:
    return (
        UnitReport.objects.filter(
            unit=unit, period__rule_set=period.rule_set, period__cutoff_end__lt=period.cutoff_end
        )
        .exclude(period__kind=PeriodKind.ADHOC)
        .exclude(first_submitted_at=None)
        .order_by("-period__cutoff_end")
        .first()
    )


def is_on_time(report: UnitReport | None, period: ReportingPeriod) -> bool | None:
    if report is None or report.first_submitted_at is None:
        return None
    return timezone.localdate(report.first_submitted_at) <= period.deadline


@dataclass
class CompletenessRow:
    unit: Unit
    report: UnitReport | None
    state: str  # accepted | submitted | returned | drafting | not_started | missing | overdue
    on_time: bool | None
    days_late: int = 0

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


STATE_LABELS = {
    "accepted": "Đã tiếp nhận",
    "submitted": "Đã gửi, chờ xem xét",
    "returned": "Bị trả lại, đang sửa",
    "drafting": "Đang soạn",
    "not_started": "Chưa bắt đầu",
    "overdue": "Quá hạn, chưa gửi",
    "missing": "Ghi nhận không gửi",
}


@dataclass
class Completeness:
    period: ReportingPeriod
    rows: list[CompletenessRow]
    today: date

    def _count(self, predicate) -> int:
        return sum(1 for row in self.rows if predicate(row))

    @property
    def counts(self) -> dict[str, int]:
        past_deadline = self.today > self.period.deadline
        return {
            "expected": len(self.rows),
            "submitted": self._count(lambda r: r.on_time is not None),
            "on_time": self._count(lambda r: r.on_time is True),
            "late": self._count(lambda r: r.on_time is False),
            "missing": self._count(lambda r: r.on_time is None and (past_deadline or r.state == "missing")),
            "pending": self._count(
                lambda r: r.on_time is None and not past_deadline and r.state != "missing"
            ),
            "accepted": self._count(lambda r: r.state == "accepted"),
        }


def completeness(*, period: ReportingPeriod, today: date | None = None) -> Completeness:
    today = today or timezone.localdate()
    reports = {r.unit_id: r for r in UnitReport.objects.filter(period=period).select_related("unit")}
    rows = []
    for unit in expected_units(period):
        report = reports.get(unit.pk)
        on_time = is_on_time(report, period)
        if report is None or report.status == Status.DRAFT and report.first_submitted_at is None:
            state = "overdue" if today > period.deadline else ("drafting" if report else "not_started")
        else:
            state = {
                Status.ACCEPTED: "accepted",
                Status.SUBMITTED: "submitted",
                Status.RETURNED: "returned",
                Status.MISSING: "missing",
                Status.DRAFT: "drafting",
            }[report.status]
        days_late = 0
        if on_time is False:
            days_late = (timezone.localdate(report.first_submitted_at) - period.deadline).days
        elif on_time is None and today > period.deadline:
            days_late = (today - period.deadline).days
        rows.append(CompletenessRow(unit, report, state, on_time, days_late))
    return Completeness(period, rows, today)


SHORT_LABELS = {
    "accepted": "Đã nhận",
    "accepted_late": "Đã nhận, trễ",
    "submitted": "Đã gửi",
    "submitted_late": "Gửi trễ",
    "returned": "Trả lại",
    "returned_late": "Trả lại",
    "drafting": "Đang soạn",
    "not_started": "Chưa lập",
    "overdue": "Quá hạn",
    "missing": "Không gửi",
}


def unit_history(*, states: list[Completeness]) -> dict[int, dict[int, str]]:
    """{unit_id: {period_id: state}} for the chase page's history over periods."""
    history: dict[int, dict[int, str]] = defaultdict(dict)
    for state in states:
        for row in state.rows:
            history[row.unit.pk][state.period.pk] = row.state + ("_late" if row.on_time is False else "")
    return history


def report_content(report: UnitReport) -> dict:
    """What a report says: frozen as-is into a revision on submit, printed live for drafts."""
    return {
        "unit": str(report.unit),
        "period": report.period.code,
        "narrative": report.narrative,
        "tasks": [
            {
                "task_id": e.task_id,
                "area": e.task.area,
                "number": e.task.number,
                "content": e.task.content,
                "parent_id": e.task.parent_id,
                "lead": e.task.lead_text,
                "status": e.status,
                "progress": e.progress,
                "result": e.result,
            }
            for e in report.task_entries.select_related("task").order_by(
                "task__area", "task__position", "task_id"
            )
        ],
        "targets": [
            {
                "target_id": v.target_id,
                "area": v.target.area,
                "text": v.target.text,
                "threshold": v.target.threshold_label,
                "parent_target_id": v.target.parent_target_id,
                "unit_of_measure": v.target.unit_of_measure,
                "actual": audit._plain(v.actual),
                "numerator": audit._plain(v.numerator),
                "denominator": audit._plain(v.denominator),
                "note": v.note,
            }
            for v in report.target_values.select_related("target").order_by(
                "target__area", "target__position"
            )
        ],
    }


# Consolidation ----------------------------------------------------------------------------------


@dataclass
class TargetAggregate:
    target: Target
    units: int = 0
    numerator: Decimal = Decimal(0)
    denominator: Decimal = Decimal(0)
    without_counts: list[str] = field(default_factory=list)
    met: int = 0

    @property
    def rate(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (self.numerator * 100 / self.denominator).quantize(Decimal("0.01"), ROUND_HALF_UP)

    @property
    def is_met(self) -> bool | None:
        rate, threshold = self.rate, self.target.threshold
        if rate is None or threshold is None:
            return None
        if self.target.comparator == Target.Comparator.LTE:
            return rate <= threshold
        return rate >= threshold


@dataclass
class Consolidation:
    period: ReportingPeriod
    completeness: Completeness
    targets: list[TargetAggregate]
    task_counts: dict[int, dict[str, int]]
    narratives: dict[str, list[tuple[Unit, str]]]

    @property
    def late_units(self) -> list[Unit]:
        return [row.unit for row in self.completeness.rows if row.on_time is False]

    @property
    def missing_units(self) -> list[Unit]:
        counts_missing = self.completeness.today > self.period.deadline
        return [
            row.unit
            for row in self.completeness.rows
            if row.on_time is None and (counts_missing or row.state == "missing")
        ]


def consolidation(*, period: ReportingPeriod, today: date | None = None) -> Consolidation:
    """The standing agency's view across the units below: rates from summed numerators and
    denominators (never an average of rates), task status per area, late and missing units, and each
    unit's narrative gathered per section. Uses submitted and accepted reports."""
    state = completeness(period=period, today=today)
    reports = [
        row.report
        for row in state.rows
        if row.report is not None and row.report.status in (Status.SUBMITTED, Status.ACCEPTED)
    ]
    report_ids = [r.pk for r in reports]
    aggregates: dict[int, TargetAggregate] = {}
    values = (
        ReportTargetValue.objects.filter(report_id__in=report_ids)
        .exclude(target__parent_target=None)
        .select_related("target", "target__parent_target", "target__parent_target__plan", "report__unit")
    )
    for value in values:
        parent = value.target.parent_target
        aggregate = aggregates.setdefault(parent.pk, TargetAggregate(parent))
        if value.actual is None and value.numerator is None:
            continue
        aggregate.units += 1
        if value.numerator is not None and value.denominator:
            aggregate.numerator += value.numerator
            aggregate.denominator += value.denominator
        else:
            aggregate.without_counts.append(value.report.unit.name)
    task_counts: dict[int, dict[str, int]] = {area: defaultdict(int) for area in Area.values}
    for entry in (
        ReportTaskEntry.objects.filter(report_id__in=report_ids)
        .select_related("task")
        .only("status", "task__area")
    ):
        task_counts[entry.task.area][entry.status] += 1
        task_counts[entry.task.area]["total"] += 1
    narratives: dict[str, list[tuple[Unit, str]]] = defaultdict(list)
    for report in sorted(reports, key=lambda r: (r.unit.sort_order, r.unit.name)):
        for key, text in (report.narrative or {}).items():
            if text:
                narratives[key].append((report.unit, text))
    ordered = sorted(aggregates.values(), key=lambda a: (a.target.area, a.target.position))
    return Consolidation(
        period, state, ordered, {a: dict(c) for a, c in task_counts.items()}, dict(narratives)
    )


TASK_STATUS_LABELS = dict(Task.Status.choices)
