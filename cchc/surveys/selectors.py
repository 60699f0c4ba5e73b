"""Reads: counts of a round, indices with n and a 95% confidence interval, suppression of small
cells, the index a unit reached in a year (with provenance) and the plan targets it feeds.

Everything is derived from counts (satisfied, valid) per unit, field and question, so live pages
and the frozen snapshot run the same arithmetic, and a snapshot alone reproduces every figure."""

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from cchc.delivery.selectors import judge
from cchc.org.models import Unit
from cchc.plans.models import Target
from cchc.surveys.models import Answer, Question, Response, ResultSnapshot, Round, Survey, TargetSurveyLink

Z95 = 1.96


def round_counts(round_: Round) -> dict[str, Any]:
    """{settings, aspects, cells: [{unit, path, block, field, responses, q: {code: [sat, valid]}}]}
    in two GROUP BY queries, whatever the number of answers."""
    survey = round_.survey
    questions = list(
        Question.objects.filter(section__version=round_.version)
        .select_related("section")
        .order_by("section__order", "order")
    )
    scale = {q.pk: q for q in questions if q.kind == Question.Kind.SCALE}
    cells: dict[tuple, dict] = {}
    responses = (
        Response.objects.filter(round=round_).values("unit_id", "field").annotate(n=Count("id")).order_by()
    )
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r["unit_id"] for r in responses})}
    for row in responses:
        unit = units[row["unit_id"]]
        cells[(row["unit_id"], row["field"])] = {
            "unit": unit.pk,
            "path": unit.path,
            "block": unit.block or "",
            "field": row["field"],
            "responses": row["n"],
            "q": {},
        }
    answers = (
        Answer.objects.filter(round_id_copy=round_.pk, question_id__in=list(scale), value_int__isnull=False)
        .values("unit_id_copy", "field", "question_id")
        .annotate(valid=Count("id"), sat=Count("id", filter=Q(value_int__in=survey.satisfied_levels)))
        .order_by()
    )
    for row in answers:
        cell = cells.get((row["unit_id_copy"], row["field"]))
        if cell is not None:
            cell["q"][scale[row["question_id"]].code] = [row["sat"], row["valid"]]
    aspects: dict[str, dict] = {}
    for q in scale.values():
        if q.section.is_aspect:
            aspect = aspects.setdefault(
                q.section.code, {"code": q.section.code, "title": q.section.title, "questions": []}
            )
            aspect["questions"].append([q.code, q.text])
    return {
        "round": round_.pk,
        "survey": survey.code,
        "satisfied_levels": survey.satisfied_levels,
        "method": survey.index_method,
        "min_cell": survey.min_cell,
        "aspects": list(aspects.values()),
        "cells": sorted(cells.values(), key=lambda c: (c["path"], c["field"])),
    }


@dataclass(frozen=True)
class IndexValue:
    value: float | None  # percent
    n: int
    low: float | None = None
    high: float | None = None
    suppressed: bool = False

    @property
    def shown(self) -> bool:
        return self.value is not None and not self.suppressed


def wilson(satisfied: float, n: int) -> tuple[float, float]:
    """The 95% Wilson interval of a share, in percent (sound near 0% and 100%, unlike p ± 1.96·se)."""
    p = satisfied / n
    denominator = 1 + Z95**2 / n
    centre = (p + Z95**2 / (2 * n)) / denominator
    half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / denominator
    return round(100 * max(0.0, centre - half), 2), round(100 * min(1.0, centre + half), 2)


def _share(sat: float, valid: int, *, responses: int, min_cell: int, suppress: bool) -> IndexValue:
    if valid == 0:
        return IndexValue(None, responses)
    if suppress and responses < min_cell:
        return IndexValue(None, responses, suppressed=True)
    low, high = wilson(sat, valid)
    return IndexValue(round(100 * sat / valid, 2), responses, low, high)


@dataclass
class Results:
    responses: int
    overall: IndexValue
    aspects: list[tuple[dict, IndexValue]] = field(default_factory=list)
    questions: list[tuple[str, str, IndexValue]] = field(default_factory=list)


def results_of(data: dict, cells: Iterable[dict], *, suppress: bool = False) -> Results:
    """Indices over a group of cells: per question and aspect the share of satisfied among valid
    answers; overall by the survey's method."""
    cells = list(cells)
    min_cell = data["min_cell"]
    responses = sum(c["responses"] for c in cells)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for cell in cells:
        for code, (sat, valid) in cell["q"].items():
            totals[code][0] += sat
            totals[code][1] += valid
    results = Results(responses, IndexValue(None, responses))
    aspect_values = []
    pooled = [0, 0]
    for aspect in data["aspects"]:
        sat = sum(totals[c][0] for c, _ in aspect["questions"])
        valid = sum(totals[c][1] for c, _ in aspect["questions"])
        pooled[0] += sat
        pooled[1] += valid
        value = _share(sat, valid, responses=responses, min_cell=min_cell, suppress=suppress)
        results.aspects.append((aspect, value))
        if valid:
            aspect_values.append(sat / valid)
        for code, text in aspect["questions"]:
            qs, qv = totals[code]
            results.questions.append(
                (code, text, _share(qs, qv, responses=responses, min_cell=min_cell, suppress=suppress))
            )
    if data["method"] == Survey.IndexMethod.POOLED or not aspect_values:
        results.overall = _share(
            pooled[0], pooled[1], responses=responses, min_cell=min_cell, suppress=suppress
        )
    else:
        # Mean of the aspect shares; the interval treats it as a share over the responses.
        mean = sum(aspect_values) / len(aspect_values)
        results.overall = _share(
            mean * responses, responses, responses=responses, min_cell=min_cell, suppress=suppress
        )
        if results.overall.value is not None:
            results.overall = IndexValue(
                round(100 * mean, 2), responses, results.overall.low, results.overall.high
            )
    return results


def cells_under(data: dict, unit: Unit, field_name: str | None = None) -> list[dict]:
    return [
        c
        for c in data["cells"]
        if c["path"].startswith(unit.path) and (field_name is None or c["field"] == field_name)
    ]


def results_by_unit(
    data: dict, units: Iterable[Unit], *, suppress: bool = False
) -> list[tuple[Unit, Results]]:
    return [(u, results_of(data, cells_under(data, u), suppress=suppress)) for u in units]


def results_by_block(data: dict, *, suppress: bool = False) -> list[tuple[str, Results]]:
    labels = dict(Unit.Block.choices)
    blocks = sorted({c["block"] for c in data["cells"] if c["block"]})
    return [
        (labels.get(b, b), results_of(data, [c for c in data["cells"] if c["block"] == b], suppress=suppress))
        for b in blocks
    ]


def results_by_field(
    data: dict, cells: Iterable[dict], *, suppress: bool = False
) -> list[tuple[str, Results]]:
    cells = list(cells)
    names = sorted({c["field"] for c in cells if c["field"]})
    return [(f, results_of(data, [c for c in cells if c["field"] == f], suppress=suppress)) for f in names]


def latest_snapshot(round_: Round) -> ResultSnapshot | None:
    return round_.snapshots.order_by("-created_at", "-pk").first()


def live_or_published(round_: Round) -> dict:
    snapshot = latest_snapshot(round_) if round_.status == Round.Status.PUBLISHED else None
    return snapshot.data if snapshot else round_counts(round_)


# What other modules read -----------------------------------------------------------------------


@dataclass(frozen=True)
class SatisfactionIndex:
    """A unit's satisfaction index for a year, from a frozen snapshot, with where it came from."""

    unit: Unit
    year: int
    value: float | None
    n: int
    low: float | None
    high: float | None
    provenance: dict

    @property
    def provenance_label(self) -> str:
        p = self.provenance
        if not p:
            return "Chưa có kết quả khảo sát đã công bố"
        return f"{p['round_title']} · chốt ngày {p['frozen_on']} · SHA-256 {p['sha256'][:12]}…"


def satisfaction_index(
    unit: Unit, year: int, *, survey: Survey | None = None, aspect: str = ""
) -> SatisfactionIndex:
    """The overall (or one aspect's) index of ``unit`` and its subtree in the latest published round
    of ``year`` (of ``survey`` when given), computed from that round's frozen snapshot."""
    rounds = Round.objects.filter(year=year, status=Round.Status.PUBLISHED).select_related("survey")
    if survey is not None:
        rounds = rounds.filter(survey=survey)
    snapshot = (
        ResultSnapshot.objects.filter(round__in=rounds)
        .select_related("round__survey")
        .order_by("-created_at", "-pk")
        .first()
    )
    if snapshot is None:
        return SatisfactionIndex(unit, year, None, 0, None, None, {})
    results = results_of(snapshot.data, cells_under(snapshot.data, unit))
    value = results.overall
    if aspect:
        value = next((v for a, v in results.aspects if a["code"] == aspect), IndexValue(None, 0))
    provenance = {
        "source": "surveys",
        "survey": snapshot.round.survey.code,
        "round": snapshot.round_id,
        "round_title": snapshot.round.title,
        "snapshot": snapshot.pk,
        "sha256": snapshot.sha256,
        "frozen_on": snapshot.created_at.strftime("%d/%m/%Y"),
        "responses": results.responses,
        "method": snapshot.data["method"],
        "satisfied_levels": snapshot.data["satisfied_levels"],
    }
    return SatisfactionIndex(unit, year, value.value, value.n, value.low, value.high, provenance)


@dataclass(frozen=True)
class SatisfactionActual:
    target: Target
    index: SatisfactionIndex
    met: bool | None

    @property
    def value_label(self) -> str:
        from cchc.core.numbers import format_percent

        return "—" if self.index.value is None else format_percent(self.index.value)

    @property
    def status_label(self) -> str:
        if self.index.value is None:
            return "Chưa có số liệu"
        return {True: "Đạt", False: "Chưa đạt"}.get(self.met, "Không đánh giá")


def satisfaction_target_actuals(targets: Iterable[Target], year: int) -> dict[int, SatisfactionActual]:
    """{target id: actual} for the targets linked to a survey, measured on the plan issuer's subtree
    (like delivery's target_actuals for KPIs)."""
    targets = list(targets)
    links = TargetSurveyLink.objects.filter(target__in=[t.pk for t in targets]).select_related("survey")
    by_target = {link.target_id: link for link in links}
    out = {}
    for target in targets:
        link = by_target.get(target.pk)
        if link is None:
            continue
        index = satisfaction_index(target.plan.issuer, year, survey=link.survey, aspect=link.aspect)
        out[target.pk] = SatisfactionActual(target, index, judge(target, index.value))
    return out


def target_satisfaction(target: Target) -> SatisfactionActual | None:
    """What a plan's target page shows for a target measured by a survey: the latest year of the
    plan with a published result (the plan's last year when none has one yet), or None when the
    target is not linked to a survey."""
    if not TargetSurveyLink.objects.filter(target=target).exists():
        return None
    plan = target.plan
    actual = None
    for year in range(plan.year_end, plan.year_start - 1, -1):
        actual = satisfaction_target_actuals([target], year)[target.pk]
        if actual.index.value is not None:
            return actual
    return actual


# Sampling --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SampleRow:
    unit: Unit
    period_label: str
    population: int | None  # dossiers received in the period (None: no dossier data)
    sample: int | None
    quota: int | None
    filled: int
    field: str = ""  # a service field of the unit; "" for the unit as a whole


def sample_plan(round_: Round, units: Iterable[Unit], margin: float = 0.05) -> list[SampleRow]:
    """Per unit, and under it per service field, n = N / (1 + N·e²) from the dossiers received in
    the round's year (or the latest period the one-stop data holds), beside the quota set and the
    responses taken. Three queries whatever the number of units and fields."""
    from cchc.delivery import selectors as delivery
    from cchc.surveys.services import sample_size

    units = list(units)
    catalogue = delivery.period_catalogue()
    period = catalogue.get(str(round_.year)) or catalogue.default
    received = delivery.received_by_field(units, period) if period is not None else {}
    quotas = {(q.unit_id, q.field): q for q in round_.quotas.all()}
    counts = {
        (unit_id, field): n
        for unit_id, field, n in Response.objects.filter(round=round_)
        .values_list("unit_id", "field")
        .annotate(n=Count("id"))
        .order_by()
    }
    label = period.label if period else ""

    def row(unit: Unit, field: str) -> SampleRow:
        population = received.get((unit.code, field)) if period is not None else None
        if population is None and not field and period is not None:
            population = 0  # the data holds the period, not this unit: nobody to sample
        quota = quotas.get((unit.pk, field))
        filled = (
            sum(n for (uid, _), n in counts.items() if uid == unit.pk)
            if not field
            else counts.get((unit.pk, field), 0)
        )
        return SampleRow(
            unit,
            label,
            population,
            sample_size(population, margin) if population else None,
            quota.target if quota else None,
            filled,
            field,
        )

    rows = []
    for unit in units:
        rows.append(row(unit, ""))
        fields = {f for code, f in received if code == unit.code and f}
        fields |= {f for uid, f in quotas if uid == unit.pk and f}
        rows.extend(row(unit, f) for f in sorted(fields, key=lambda f: -(received.get((unit.code, f)) or 0)))
    return rows


# Trend over rounds ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    round: Round
    results: Results

    @property
    def label(self) -> str:
        return f"{self.round.year} · {self.round.title}"


def survey_trend(survey: Survey, visible_units: Callable[[Round], list[Unit]]) -> list[TrendPoint]:
    """The overall index of each round of ``survey`` (oldest first), over the units the reader
    sees in that round (``visible_units``); published rounds read their frozen snapshot, the others
    live counts. A round with none of the reader's units is left out."""
    points = []
    for round_ in Round.objects.filter(survey=survey).select_related("survey").order_by("year", "pk"):
        units = visible_units(round_)
        if not units:
            continue
        data = live_or_published(round_)
        cells = [c for c in data["cells"] if any(c["path"].startswith(u.path) for u in units)]
        points.append(TrendPoint(round_, results_of(data, cells)))
    return points
