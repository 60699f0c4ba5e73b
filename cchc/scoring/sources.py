"""Scores proposed from cchc's own data. A criterion names a source ("plan_issued:31/01",
"plan_tasks_done", "reports_on_time", "dossier:on_time_rate", …); the source returns the figures it
read and the rate or band they give, or None when it has no data. Sources for modules that do not
exist yet (initiatives, surveys) are registered and answer "no data": a number is never invented.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from cchc.org.models import Unit
from cchc.scoring import methods


@dataclass
class Proposal:
    points: Decimal
    figures: list[tuple[str, str]] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)

    def as_json(self) -> dict:
        return {"figures": [list(f) for f in self.figures], "links": [list(x) for x in self.links]}


SourceFn = Callable[[Unit, int, object, str], Proposal | None]
REGISTRY: dict[str, tuple[str, SourceFn]] = {}


def register(key: str, label: str):
    def wrap(fn: SourceFn) -> SourceFn:
        REGISTRY[key] = (label, fn)
        return fn

    return wrap


def label_for(source: str) -> str:
    key = source.split(":", 1)[0]
    return REGISTRY[key][0] if key in REGISTRY else ""


def propose(unit: Unit, year: int, criterion) -> Proposal | None:
    if not criterion.source:
        return None
    key, _, argument = criterion.source.partition(":")
    if key not in REGISTRY:
        return None
    return REGISTRY[key][1](unit, year, criterion, argument)


def _pct(value: Decimal) -> str:
    return f"{methods.fmt(value)}%"


def _rate_proposal(criterion, rate: Decimal, figures) -> Proposal | None:
    points = methods.points_for_rate(criterion, rate)
    if points is None:
        return None
    return Proposal(points, [*figures, ("Tỷ lệ", _pct(rate))])


def _year_plan(unit: Unit, year: int):
    from cchc.plans.models import Plan

    return (
        Plan.objects.filter(issuer=unit, year_start__lte=year, year_end__gte=year, status=Plan.Status.ISSUED)
        .order_by("-kind", "year_end", "-issued_on")
        .first()
    )


@register("plan_issued", "Kế hoạch CCHC năm được ban hành đúng hạn")
def _plan_issued(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    from cchc.plans.models import Plan

    day, month = (int(x) for x in (argument or "31/12").split("/")[:2])
    due = date(year, month, day)
    plan = (
        Plan.objects.filter(issuer=unit, year_start__lte=year, year_end__gte=year, status=Plan.Status.ISSUED)
        .order_by("issued_on")
        .first()
    )
    if plan is None:
        return Proposal(
            methods.band_points(criterion, 2) or Decimal("0.00"), [("Kế hoạch năm", "chưa ban hành")]
        )
    on_time = plan.issued_on is not None and plan.issued_on <= due
    points = methods.band_points(criterion, 0 if on_time else 1)
    if points is None:
        return None
    issued = f"{plan.issued_on:%d/%m/%Y}" if plan.issued_on else "không ghi ngày"
    return Proposal(
        points,
        [
            ("Kế hoạch", f"{plan.number} {plan.title}".strip()),
            ("Ngày ban hành", issued),
            ("Hạn", f"{due:%d/%m/%Y}"),
        ],
        [(plan.number or plan.title, f"/ke-hoach/{plan.pk}/")],
    )


@register("plan_tasks_done", "Tỷ lệ nhiệm vụ của kế hoạch năm hoàn thành")
def _plan_tasks_done(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    from cchc.plans.models import Task

    tasks = Task.objects.filter(
        plan__issuer=unit, plan__year_start__lte=year, plan__year_end__gte=year, parent__isnull=True
    )
    total = tasks.count()
    if not total:
        return None
    statuses = [Task.Status.DONE] if argument == "on_time" else list(Task.FINISHED)
    done = tasks.filter(status__in=statuses).count()
    rate = Decimal(done * 100) / Decimal(total)
    label = "Nhiệm vụ hoàn thành đúng hạn" if argument == "on_time" else "Nhiệm vụ hoàn thành"
    return _rate_proposal(criterion, rate, [("Số nhiệm vụ", str(total)), (label, str(done))])


@register("reports_on_time", "Báo cáo CCHC trong năm gửi đúng hạn")
def _reports_on_time(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    from cchc.reporting.models import PeriodKind, ReportingPeriod, UnitReport
    from cchc.reporting.selectors import is_on_time

    periods = list(
        ReportingPeriod.objects.filter(year=year).exclude(kind=PeriodKind.ADHOC).order_by("deadline")
    )
    if not periods:
        return None
    reports = {r.period_id: r for r in UnitReport.objects.filter(unit=unit, period__in=periods)}
    on_time = [p for p in periods if is_on_time(reports.get(p.pk), p)]
    rate = Decimal(len(on_time) * 100) / Decimal(len(periods))
    figures = [("Số kỳ báo cáo", str(len(periods))), ("Gửi đúng hạn", str(len(on_time)))]
    if criterion.method in ("bands", "yes_no"):
        points = methods.band_points(criterion, 0 if len(on_time) == len(periods) else 1)
        return Proposal(points, figures) if points is not None else None
    return _rate_proposal(criterion, rate, figures)


DOSSIER_KPIS = {
    "on_time_rate": ("Tỷ lệ hồ sơ giải quyết đúng hạn", "on_time_num", "rate_den"),
    "online_share": ("Tỷ lệ hồ sơ nộp trực tuyến", "online_num", "online_den"),
    "online_payment_share": ("Tỷ lệ thanh toán trực tuyến", "paid_online", "fee_dossiers"),
    "components_digitised_rate": (
        "Tỷ lệ thành phần hồ sơ được số hóa",
        "components_digitised",
        "components_total",
    ),
    "result_digitised_rate": ("Tỷ lệ kết quả giải quyết được số hóa", "result_digitised", "finished"),
    "satisfaction_share": ("Tỷ lệ đánh giá hài lòng", "satisfied", "rated"),
}


@register("dossier", "Chỉ số hồ sơ một cửa (đúng hạn, trực tuyến, thanh toán, số hóa, hài lòng)")
def _dossier(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    from cchc.delivery import selectors as delivery

    period = delivery.period_catalogue().get(str(year))
    if period is None:
        return None
    key = argument or "on_time_rate"
    if key not in DOSSIER_KPIS:
        return None
    label, numerator, denominator = DOSSIER_KPIS[key]
    kpis = delivery.unit_kpis(unit, period)
    value = kpis.get(key)
    if value is None:
        return None
    rate = (Decimal(str(value)) * 100).quantize(methods.TWO)
    figures = [("Kỳ số liệu", period.label), (label, f"{kpis.get(numerator)}/{kpis.get(denominator)} hồ sơ")]
    return _rate_proposal(criterion, rate, figures)


@register("initiatives", "Sáng kiến CCHC được công nhận")
def _initiatives(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    return None  # the initiatives module does not exist yet: no data, never a made-up number


@register("survey", "Chỉ số hài lòng (điều tra xã hội học)")
def _survey(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    return None  # the survey module does not exist yet: no data
