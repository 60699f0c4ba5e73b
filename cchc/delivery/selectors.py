"""Reads of the service-delivery module: periods, KPIs per unit / field / month, 766 scores, target
actuals. Everything comes from the month figures (``KpiFigure``) in a fixed number of queries; longer
periods are combined in Python (``kpi.periods``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max

from cchc.core.numbers import format_number
from cchc.delivery.kpi.catalogue import KpiDef
from cchc.delivery.kpi.periods import MEASURES, combine, derive
from cchc.delivery.models import DossierImport, KpiConfig, KpiFigure, KpiPublication, TargetKpiLink
from cchc.org.models import Unit
from cchc.plans.models import Target

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
AUTO_VALUE_NOTE = "Tự động từ dữ liệu hồ sơ một cửa"


@dataclass(frozen=True)
class Period:
    """A period the pages offer: a month of the store, or a span of months of one year."""

    key: str  # "2026-03", "2026-Q1", "2026-S1", "2026-9M", "2026"
    label: str
    months: tuple[str, ...]  # month labels ("2026-01", ...) it spans, oldest first
    start: date
    end: date
    complete: bool = True  # every month of the span has data (the data may end inside it)
    kind: str = "month"

    @property
    def range_label(self) -> str:
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


@dataclass
class PeriodCatalogue:
    months: list[Period] = dc_field(default_factory=list)
    spans: list[Period] = dc_field(default_factory=list)

    def get(self, key: str | None) -> Period | None:
        for period in self.spans + self.months:
            if period.key == key:
                return period
        return None

    @property
    def default(self) -> Period | None:
        """The latest year (to date): what a leader asks first."""
        years = [p for p in self.spans if p.kind == "year"]
        return years[-1] if years else (self.months[-1] if self.months else None)

    def for_dates(self, start: date, end: date) -> Period | None:
        """The span whose months exactly cover [start, end] (a reporting period), if one does."""
        inside = [m for m in self.months if start <= m.start and m.end <= end]
        if not inside or inside[0].start != start:
            return None
        return Period(
            key=f"{start:%Y%m%d}-{end:%Y%m%d}",
            label=f"{start:%d/%m/%Y}–{end:%d/%m/%Y}",
            months=tuple(m.key for m in inside),
            start=start,
            end=end,
            complete=inside[-1].end == end,
            kind="report",
        )


def kpi_config() -> KpiConfig:
    """The installation's settings; the defaults (unsaved) until someone changes them."""
    return KpiConfig.objects.order_by("pk").first() or KpiConfig()


def current_import() -> DossierImport | None:
    return (
        DossierImport.objects.filter(status=DossierImport.Status.SUCCEEDED)
        .exclude(snapshot="")
        .order_by("-finished_at", "-pk")
        .first()
    )


def figures_version(current: DossierImport | None, config: KpiConfig) -> tuple:
    """What the pages computed from the month figures depend on, as a cache version
    (``cchc.core.cache.versioned``): the current import, the newest figure (every recompute writes
    new rows, and ids are never reused), the settings and the unit tree's last change (names and
    children shown beside the figures). Two small queries."""
    newest = KpiFigure.objects.aggregate(n=Max("pk"))["n"]
    tree = Unit.objects.aggregate(changed=Max("updated_at"), n=Count("pk"))
    return (
        current.pk if current else None,
        newest,
        config.pk,
        config.version,
        tree["changed"],
        tree["n"],
    )


def period_catalogue(current: DossierImport | None = None) -> PeriodCatalogue:
    """Months with data and, per year, its quarters, 6 and 9 months and the year. A period that
    ends after the export day is labelled "đến dd/mm" and marked incomplete. ``current``: the
    current import when the caller has it (saves a query)."""
    current = current or current_import()
    until = current.data_until if current else None
    rows = (
        KpiFigure.objects.filter(level=KpiFigure.Level.ALL, field="")
        .order_by("period_start")
        .values_list("period", "period_start", "period_end")
    )
    cat = PeriodCatalogue()
    by_key: dict[str, Period] = {}
    for label, start, end in rows:
        year, month = int(label[:4]), int(label[5:7])
        complete = until is None or end <= until
        text = f"Tháng {month}/{year}" + ("" if complete else f" (đến {until:%d/%m})")
        period = Period(label, text, (label,), start, end, complete)
        cat.months.append(period)
        by_key[label] = period
    years = sorted({int(m.key[:4]) for m in cat.months})
    for year in years:
        spans = [
            (f"{year}-Q{q}", f"Quý {ROMAN[q]}/{year}", range(3 * q - 2, 3 * q + 1), "quarter")
            for q in (1, 2, 3, 4)
        ]
        spans.insert(2, (f"{year}-S1", f"6 tháng đầu năm {year}", range(1, 7), "half"))
        spans.insert(4, (f"{year}-9M", f"9 tháng năm {year}", range(1, 10), "9m"))
        spans.append((f"{year}", f"Năm {year}", range(1, 13), "year"))
        for key, label, months, kind in spans:
            present = [by_key[f"{year}-{m:02d}"] for m in months if f"{year}-{m:02d}" in by_key]
            if not present or present[0].key != f"{year}-{months[0]:02d}":
                continue
            complete = len(present) == len(months) and present[-1].complete
            last = min(present[-1].end, until) if until else present[-1].end
            cat.spans.append(
                Period(
                    key,
                    label if complete else f"{label} (đến {last:%d/%m})",
                    tuple(p.key for p in present),
                    present[0].start,
                    present[-1].end,
                    complete,
                    kind,
                )
            )
    return cat


@dataclass
class UnitKpis:
    unit: Unit | None
    label: str
    kpis: dict[str, Any]


def _figures(**filters) -> dict[tuple, list[dict]]:
    """Month figures keyed by (level, unit_code, field), each list oldest first."""
    grouped: dict[tuple, list[dict]] = defaultdict(list)
    values = (
        KpiFigure.objects.filter(**filters)
        .order_by("period_start")
        .values("level", "unit_code", "field", "period", *MEASURES)
    )
    for row in values:
        grouped[(row["level"], row["unit_code"], row["field"])].append(row)
    return grouped


def _derive(rows: Sequence[dict], config: KpiConfig) -> dict[str, Any]:
    return derive(combine(rows), config.engine_settings())


def _own_level(grouped: dict[tuple, list], code: str, field: str = "") -> list[dict]:
    """A unit's rows: its subtree when it has one (itself and below), else its own dossiers."""
    return grouped.get(("subtree", code, field)) or grouped.get(("unit", code, field)) or []


def unit_kpis(
    unit: Unit, period: Period, *, field: str = "", config: KpiConfig | None = None
) -> dict[str, Any]:
    config = config or kpi_config()
    grouped = _figures(unit_code=unit.code, field=field, period__in=period.months)
    return _derive(_own_level(grouped, unit.code, field), config)


def children_kpis(unit: Unit, period: Period, *, config: KpiConfig | None = None) -> list[UnitKpis]:
    """The unit's own dossiers, then each child unit with dossiers in its subtree (two queries)."""
    config = config or kpi_config()
    children = {u.code: u for u in Unit.objects.filter(parent=unit).order_by("kind", "name")}
    grouped = _figures(unit_code__in=[unit.code, *children], field="", period__in=period.months)
    out = []
    own = grouped.get(("unit", unit.code, ""))
    if own and children:
        out.append(UnitKpis(unit, f"{unit.name} (hồ sơ do chính đơn vị tiếp nhận)", _derive(own, config)))
    for code, child in children.items():
        rows = _own_level(grouped, code)
        if rows:
            out.append(UnitKpis(child, child.name, _derive(rows, config)))
    return out


def _by_field(grouped: dict[tuple, list], config: KpiConfig) -> list[tuple[str, dict]]:
    level = "subtree" if any(k[0] == "subtree" for k in grouped) else "unit"
    out = [(k[2], _derive(rows, config)) for k, rows in grouped.items() if k[0] == level and k[2]]
    return sorted(out, key=lambda item: -item[1]["to_process"])


def received_by_field(units: Iterable[Unit], period: Period) -> dict[tuple[str, str], int]:
    """Dossiers received in ``period`` per (unit code, service field), the unit's whole as field "":
    the population a survey samples from (one query for every unit)."""
    codes = [u.code for u in units]
    grouped = _figures(unit_code__in=codes, period__in=period.months)
    out: dict[tuple[str, str], int] = {}
    for code in codes:
        level = "subtree" if ("subtree", code, "") in grouped else "unit"
        for (row_level, row_code, field), rows in grouped.items():
            if row_code == code and row_level == level:
                out[(code, field)] = int(sum(r["received"] or 0 for r in rows))
    return out


@dataclass
class UnitOverview:
    """What the KPI page and its Excel export show for a unit and period."""

    kpis: dict[str, Any]
    children: list[UnitKpis]
    fields: list[tuple[str, dict]]
    trend: list[tuple[Period, dict]]  # the months of the period's year


def unit_overview(
    unit: Unit,
    catalogue: PeriodCatalogue,
    period: Period,
    *,
    field: str = "",
    config: KpiConfig | None = None,
) -> UnitOverview:
    """The unit's KPIs, its children's and its fields' (all fields only), and the monthly trend of
    the period's year; one query for the unit and its fields, one for the children, one for the trend."""
    config = config or kpi_config()
    if field:
        kpis, children, by_field = unit_kpis(unit, period, field=field, config=config), [], []
    else:
        grouped = _figures(unit_code=unit.code, period__in=period.months)
        kpis = _derive(_own_level(grouped, unit.code), config)
        children, by_field = children_kpis(unit, period, config=config), _by_field(grouped, config)
    year = period.months[0][:4]
    months = [m for m in catalogue.months if m.key.startswith(year)]
    return UnitOverview(kpis, children, by_field, monthly_kpis(unit, months, field=field, config=config))


def monthly_kpis(unit: Unit, months: Iterable[Period], *, field: str = "", config: KpiConfig | None = None):
    """[(month period, kpis)] for a trend chart (one query)."""
    config = config or kpi_config()
    months = list(months)
    grouped = _figures(unit_code=unit.code, field=field, period__in=[m.key for m in months])
    rows = {r["period"]: r for r in _own_level(grouped, unit.code, field)}
    return [(m, _derive([rows[m.key]] if m.key in rows else [], config)) for m in months]


def unit_codes_below(unit: Unit) -> list[str]:
    return list(Unit.objects.filter(path__startswith=unit.path).values_list("code", flat=True))


def fields() -> list[str]:
    return list(
        KpiFigure.objects.filter(level=KpiFigure.Level.ALL)
        .exclude(field="")
        .values_list("field", flat=True)
        .distinct()
        .order_by("field")
    )


# Targets -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TargetActual:
    kpi: KpiDef
    period: Period
    value: float | None
    numerator: float | None
    denominator: float | None
    met: bool | None  # None: no value, or a comparator that cannot be judged

    @property
    def status_label(self) -> str:
        if self.value is None:
            return "Chưa có số liệu"
        if self.met is None:
            return "Không đánh giá"
        return "Đạt" if self.met else "Chưa đạt"

    @property
    def value_label(self) -> str:
        if self.value is None:
            return "—"
        text = format_number(self.value, 1)
        return f"{text}{'%' if self.kpi.is_rate else ' ' + self.kpi.unit}"


def judge(target: Target, value: float | None) -> bool | None:
    if value is None or target.threshold is None:
        return None
    threshold = float(target.threshold)
    comparator = target.comparator
    if comparator == Target.Comparator.GTE:
        return value >= threshold
    if comparator == Target.Comparator.LTE:
        return value <= threshold
    if comparator == Target.Comparator.EQ:
        # "100% ..." targets: reached when the value gets there (rates never exceed it).
        return value >= threshold - 1e-9
    return None


def target_actuals_by_period(
    targets: Iterable[Target], periods: Sequence[Period] | None = None
) -> dict[str, dict[int, TargetActual]]:
    """{period key: {target id: actual}} for the linked targets among ``targets``, measured on the
    subtree of the plan's issuer; three queries whatever the number of periods (one when no target
    is linked). ``periods`` None: the latest year to date."""
    targets = list(targets)
    links = {
        link.target_id: link for link in TargetKpiLink.objects.filter(target__in=[t.pk for t in targets])
    }
    if periods is None and links:
        default = period_catalogue().default
        periods = [default] if default else []
    if not links or not periods:
        return {p.key: {} for p in periods or []}
    config = kpi_config()
    issuers = {t.pk: t.plan.issuer for t in targets if t.pk in links}
    grouped = _figures(
        unit_code__in={u.code for u in issuers.values()},
        field__in={link.field for link in links.values()},
        period__in={m for p in periods for m in p.months},
    )
    out: dict[str, dict[int, TargetActual]] = {}
    for period in periods:
        months = set(period.months)
        actuals = out[period.key] = {}
        for target in targets:
            link = links.get(target.pk)
            if link is None:
                continue
            rows = [
                r for r in _own_level(grouped, issuers[target.pk].code, link.field) if r["period"] in months
            ]
            kpis = _derive(rows, config)
            value = link.definition.value(kpis)
            num, den = link.definition.fraction(kpis)
            actuals[target.pk] = TargetActual(link.definition, period, value, num, den, judge(target, value))
    return out


def target_actuals(targets: Iterable[Target], period: Period | None = None) -> dict[int, TargetActual]:
    """Actual value and status of every linked target among ``targets`` for ``period`` (default:
    the latest year to date)."""
    by_period = target_actuals_by_period(targets, [period] if period else None)
    return next(iter(by_period.values()), {})


def report_target_values(unit: Unit, targets: Iterable[Target], start: date, end: date) -> dict[int, dict]:
    """Values for a unit report over the reporting window [start, end]: {target id: {actual,
    numerator, denominator, note}} for targets linked to a KPI, when the store's months cover the
    window exactly. Rates carry numerator and denominator (consolidation sums them)."""
    period = period_catalogue().for_dates(start, end)
    if period is None:
        return {}
    out = {}
    actuals = target_actuals(targets, period)
    for target_id, actual in actuals.items():
        if actual.value is None:
            continue
        note = f"{AUTO_VALUE_NOTE} ({actual.kpi.label}, {period.range_label}"
        note += ")" if period.complete else ", số liệu chưa đủ kỳ)"
        out[target_id] = {
            "actual": Decimal(str(round(actual.value, 2))),
            "numerator": None if actual.denominator is None else Decimal(str(round(actual.numerator, 2))),
            "denominator": None if actual.denominator is None else Decimal(str(round(actual.denominator, 2))),
            "note": note,
        }
    return out


@dataclass(frozen=True)
class Summary:
    unit: Unit
    period: Period
    kpis: dict[str, Any]


def summary_for(unit: Unit | None) -> Summary | None:
    """The unit's KPIs for the latest year to date, for the home page (three queries, one when the
    store is empty)."""
    current = current_import()
    if unit is None or current is None:
        return None
    period = period_catalogue(current).default
    if period is None:
        return None
    kpis = unit_kpis(unit, period)
    return Summary(unit, period, kpis) if kpis["to_process"] else None


# Publication ---------------------------------------------------------------------------------------

# What the portal shows of each unit: the KPIs of Resolution 76/NQ-CP and Decision 766 people ask about,
# with the counts they are rates of.
PUBLIC_KPIS = (
    "to_process",
    "received",
    "finished",
    "late_total",
    "on_time_rate",
    "online_num",
    "online_den",
    "online_share",
    "fee_dossiers",
    "paid_online",
    "online_payment_share",
    "components_digitised_rate",
    "result_digitised_rate",
    "rated",
    "satisfaction_share",
    "avg_processing_days",
)


def publication_rows(period: Period, *, config: KpiConfig | None = None) -> list[dict]:
    """Every unit with dossiers in ``period``: its place in the tree and its public KPIs, tree order
    (two queries whatever the number of units)."""
    config = config or kpi_config()
    grouped = _figures(level__in=["unit", "subtree"], field="", period__in=period.months)
    codes = {code for _level, code, _field in grouped}
    units = Unit.objects.filter(code__in=codes).select_related("parent").order_by("path")
    rows = []
    for unit in units:
        kpis = _derive(_own_level(grouped, unit.code), config)
        if not kpis["to_process"] and not kpis["received"]:
            continue
        rows.append(
            {
                "code": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                "block": unit.block,
                "parent": unit.parent.code if unit.parent_id else "",
                "depth": len(unit.ancestor_ids),
                "kpis": {name: kpis.get(name) for name in PUBLIC_KPIS},
            }
        )
    return rows


def publication_of(key: str) -> KpiPublication | None:
    """The period's publication when it is on the portal now (one query, without the frozen rows)."""
    return (
        KpiPublication.objects.filter(period=key, published=True)
        .defer("rows")
        .select_related("published_by")
        .first()
    )
