"""Reads of the leader's scorecard: a fixed handful of queries on the snapshot table per page.

A page is one node of the tree (the city, a province, a department, a commune): its own row, its
direct reporting children (paginated, sorted in SQL), the children summed by block, last year's
rows of the same units for the trend arrows, and the plan targets that colour the cells.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page
from django.db.models import F, FloatField, QuerySet, Sum
from django.db.models.functions import Cast, NullIf

from cchc.core.params import paginate
from cchc.dashboard.models import ScorecardRow
from cchc.org.models import Unit
from cchc.org.permissions import UserScope
from cchc.plans.models import Area, Plan, Target

PAGE_SIZE = 40


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    num: str
    den: str = ""  # empty: ``num`` is the value itself (count, index)
    kind: str = "rate"  # rate (0..1) | count | score
    higher_is_better: bool = True
    target_keys: tuple[str, ...] = ()  # Target.key or delivery KPI codes linked to a target


INDICATORS: tuple[Indicator, ...] = (
    Indicator("nhiem-vu", "Nhiệm vụ hoàn thành", "tasks_done", "tasks_total"),
    Indicator("qua-han", "Nhiệm vụ quá hạn", "tasks_overdue", kind="count", higher_is_better=False),
    Indicator("bao-cao", "Báo cáo đúng hạn", "reports_on_time", "reports_due"),
    Indicator(
        "dung-han", "Hồ sơ đúng hạn", "dossiers_on_time", "dossiers_finished", target_keys=("on_time_rate",)
    ),
    Indicator(
        "truc-tuyen",
        "Hồ sơ trực tuyến",
        "online_num",
        "online_den",
        target_keys=("online_share", "dossiers_online_rate"),
    ),
    Indicator(
        "thanh-toan",
        "Thanh toán trực tuyến",
        "paid_online",
        "fee_dossiers",
        target_keys=("online_payment_share",),
    ),
    Indicator(
        "so-hoa",
        "Số hóa hồ sơ",
        "components_digitised",
        "components_total",
        target_keys=("components_digitised_rate",),
    ),
    Indicator(
        "hai-long",
        "Hài lòng (khảo sát)",
        "satisfaction",
        kind="share",
        target_keys=("satisfaction_tthc", "satisfaction_share"),
    ),
    Indicator("chi-so", "Chỉ số CCHC", "par_index", kind="score"),
)
BY_KEY = {i.key: i for i in INDICATORS}
SUM_FIELDS = (
    "tasks_total",
    "tasks_done",
    "tasks_overdue",
    "reports_due",
    "reports_on_time",
    "reports_missing",
    "dossiers_finished",
    "dossiers_on_time",
    "online_den",
    "online_num",
    "fee_dossiers",
    "paid_online",
    "components_total",
    "components_digitised",
)


def value_of(row: Any, indicator: Indicator) -> float | None:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k, None)
    num = get(indicator.num)
    if indicator.den:
        den = get(indicator.den) or 0
        return (num or 0) / den if den else None
    return None if num is None else float(num)


@dataclass
class Threshold:
    value: float  # 0..1 for rates
    comparator: str
    target: Target

    def light(self, value: float | None) -> str:
        """green: target met; amber: within 10 points (or 10%) of it; red: further away."""
        if value is None:
            return ""
        margin = 0.10 if self.value <= 1 else 0.10 * self.value
        if self.comparator == "lte":
            return "green" if value <= self.value else ("amber" if value <= self.value + margin else "red")
        return "green" if value >= self.value else ("amber" if value >= self.value - margin else "red")


@dataclass
class Cell:
    indicator: Indicator
    value: float | None
    previous: float | None
    light: str = ""
    extra: str = ""

    @property
    def trend(self) -> str:
        """up | down | flat | "" against the previous year, oriented so that up means better."""
        if self.value is None or self.previous is None:
            return ""
        delta = self.value - self.previous
        step = 0.005 if self.indicator.kind in ("rate", "share") else 0.05
        if abs(delta) < step:
            return "flat"
        better = delta > 0 if self.indicator.higher_is_better else delta < 0
        return "up" if better else "down"

    @property
    def trend_label(self) -> str:
        return {
            "up": "tốt lên so với năm trước",
            "down": "kém đi so với năm trước",
            "flat": "như năm trước",
        }.get(self.trend, "")


@dataclass
class Line:
    label: str
    cells: list[Cell]
    unit_id: int | None = None
    block: str = ""
    href: str = ""
    child_count: int = 0
    code: str = ""


@dataclass
class Scorecard:
    year: int
    years: list[int]
    node: ScorecardRow | None
    node_line: Line | None
    crumbs: list[tuple[int, str]]
    blocks: list[Line]
    page: Page | None
    lines: list[Line]
    thresholds: dict[str, Threshold]
    trend: list[ScorecardRow]
    block: str
    sort: str
    descending: bool
    areas: list[tuple[str, int, int]] = field(default_factory=list)


def root_for(scope: UserScope) -> Unit | None:
    """The unit whose scorecard a person opens by default: the top of their read subtree."""
    if scope.is_admin:
        return Unit.objects.filter(parent__isnull=True).order_by("sort_order", "pk").first()
    if scope.home_unit is None:
        return None
    home = scope.home_unit
    unit = home.organisation or home
    return unit if scope.in_subtree(unit) else None


def _ordered(rows: QuerySet, indicator: Indicator, descending: bool) -> QuerySet:
    if indicator.den:
        expr = Cast(F(indicator.num), FloatField()) / NullIf(Cast(F(indicator.den), FloatField()), 0.0)
    else:
        expr = F(indicator.num)
    rows = rows.annotate(sort_value=expr)
    key = F("sort_value").desc(nulls_last=True) if descending else F("sort_value").asc(nulls_last=True)
    return rows.order_by(key, "name", "pk")


def _thresholds(node: Unit, year: int) -> dict[str, Threshold]:
    """The nearest plan's target for each indicator: the node's own plan first, then those above."""
    issuers = [*reversed(node.ancestor_ids), node.pk]
    targets = (
        Target.objects.filter(
            plan__issuer_id__in=issuers,
            plan__status=Plan.Status.ISSUED,
            plan__year_start__lte=year,
            plan__year_end__gte=year,
            comparator__in=["gte", "lte"],
            threshold__isnull=False,
        )
        .select_related("kpi_link", "plan")
        .order_by("pk")
    )
    rank = {issuer: position for position, issuer in enumerate(reversed(issuers))}
    best: dict[str, tuple[int, Threshold]] = {}
    for target in targets:
        codes = {target.key}
        link = getattr(target, "kpi_link", None)
        if link is not None:
            codes.add(link.kpi)
        for indicator in INDICATORS:
            if codes & set(indicator.target_keys):
                value = float(target.threshold)
                if target.unit_of_measure.strip() == "%" or value > 1:
                    value /= 100
                candidate = (rank[target.plan.issuer_id], Threshold(value, target.comparator, target))
                if indicator.key not in best or candidate[0] < best[indicator.key][0]:
                    best[indicator.key] = candidate
    return {key: item[1] for key, item in best.items()}


def _cells(row: Any, previous: Any, thresholds: dict[str, Threshold]) -> list[Cell]:
    cells = []
    for indicator in INDICATORS:
        value = value_of(row, indicator)
        before = value_of(previous, indicator) if previous is not None else None
        threshold = thresholds.get(indicator.key)
        cell = Cell(indicator, value, before, threshold.light(value) if threshold else "")
        if indicator.key == "chi-so" and not isinstance(row, dict) and row.par_rank:
            cell.extra = f"hạng {row.par_rank}/{row.par_ranked}"
        cells.append(cell)
    return cells


def scorecard(
    scope: UserScope,
    node: Unit,
    *,
    year: int | None = None,
    block: str = "",
    sort: str = "",
    descending: bool = True,
    page: str | None = None,
) -> Scorecard:
    """The scorecard of ``node`` (the caller checked that the node is in the person's subtree)."""
    history = list(ScorecardRow.objects.filter(unit=node).order_by("year"))
    years = [r.year for r in history]
    if year not in years:
        year = years[-1] if years else year
    current = next((r for r in history if r.year == year), None)
    before = next((r for r in history if year is not None and r.year == year - 1), None)
    crumbs = [
        (u.pk, u.name)
        for u in Unit.objects.filter(pk__in=node.ancestor_ids, kind__in=Unit.REPORTING_KINDS).order_by(
            "depth"
        )
        if scope.in_subtree(u)
    ]
    indicator = BY_KEY.get(sort) or BY_KEY["nhiem-vu"]
    thresholds = _thresholds(node, year) if year else {}
    children = ScorecardRow.objects.filter(year=year, parent=node)
    blocks: list[Line] = []
    if current is not None and current.child_count:
        labels = dict(Unit.Block.choices)
        sums = children.values("block").annotate(**{f: Sum(f) for f in SUM_FIELDS}).order_by("block")
        for row in sums:
            row["satisfaction"] = None
            row["par_index"] = None
            blocks.append(
                Line(
                    labels.get(row["block"], "Đơn vị khác"), _cells(row, None, thresholds), block=row["block"]
                )
            )
    if block:
        children = children.filter(block=block)
    page_obj = paginate(_ordered(children, indicator, descending), PAGE_SIZE, page) if current else None
    rows = list(page_obj) if page_obj is not None else []
    previous = {
        r.unit_id: r
        for r in ScorecardRow.objects.filter(year=(year or 0) - 1, unit_id__in=[r.unit_id for r in rows])
    }
    lines = [
        Line(
            r.name,
            _cells(r, previous.get(r.unit_id), thresholds),
            r.unit_id,
            r.block,
            "",
            r.child_count,
            r.code,
        )
        for r in rows
    ]
    areas = []
    if current is not None:
        for value, label in Area.choices:
            done, total = current.areas.get(str(value), [0, 0])
            if total:
                areas.append((label, done, total))
    return Scorecard(
        year=year,
        years=years,
        node=current,
        node_line=Line(node.name, _cells(current, before, thresholds), node.pk) if current else None,
        crumbs=crumbs,
        blocks=blocks,
        page=page_obj,
        lines=lines,
        thresholds=thresholds,
        trend=history,
        block=block,
        sort=indicator.key,
        descending=descending,
        areas=areas,
    )
