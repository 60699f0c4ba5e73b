"""Reads of the PAR Index: the form grouped by area, the council's queue, the overview, ranking.
Each is a fixed number of queries whatever the number of criteria or units."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, Q, Sum
from django.db.models.functions import Coalesce

from cchc.scoring import methods
from cchc.scoring.models import (
    Assessment,
    Assignment,
    CouncilMember,
    Criterion,
    ItemScore,
    MemberScore,
    Method,
    Season,
)
from cchc.scoring.permissions import is_conflicted

TWO = Decimal("0.01")
BEST = Coalesce("final_points", "explained_points", "appraised_points", "self_points")
DEC = DecimalField(max_digits=12, decimal_places=2)


# The self-assessment form -----------------------------------------------------------------------


@dataclass
class Node:
    criterion: Criterion
    item: ItemScore | None = None
    children: list["Node"] = field(default_factory=list)
    self_total: Decimal = Decimal(0)
    max_applicable: Decimal = Decimal(0)

    @property
    def level(self) -> int:
        return self.criterion.level


def assessment_tree(assessment: Assessment) -> list[Node]:
    """Areas → criteria → items, with the self-scored total and applicable maximum of each node
    (two queries: the set's criteria, the items with their evidence)."""
    criteria = list(
        Criterion.objects.filter(criteria_set_id=assessment.season.criteria_set_id).order_by("position")
    )
    items = {
        i.criterion_id: i
        for i in ItemScore.objects.filter(assessment=assessment).prefetch_related("evidence")
    }
    nodes = {c.pk: Node(c, items.get(c.pk)) for c in criteria}
    roots = []
    for c in criteria:
        node = nodes[c.pk]
        (nodes[c.parent_id].children if c.parent_id else roots).append(node)

    def total(node: Node) -> None:
        if node.item is not None:
            if node.item.applicable:
                node.self_total = node.item.self_points or Decimal(0)
                node.max_applicable = (
                    node.criterion.max_points if node.criterion.method != Method.BONUS else Decimal(0)
                )
            return
        for child in node.children:
            total(child)
            node.self_total += child.self_total
            node.max_applicable += child.max_applicable

    for root in roots:
        total(root)
    return roots


def flatten(nodes: list[Node]) -> list[Node]:
    out = []
    for node in nodes:
        out.append(node)
        out.extend(flatten(node.children))
    return out


# Index of one season ------------------------------------------------------------------------------


@dataclass
class RankRow:
    assessment_id: int
    code: str
    name: str
    appraised: Decimal | None
    survey: Decimal | None
    index: Decimal | None
    excluded: bool = False
    excluded_reason: str = ""
    rank: int | None = None
    band: str = ""
    areas: dict[str, Decimal] = field(default_factory=dict)
    previous_index: Decimal | None = None
    previous_rank: int | None = None

    @property
    def change(self) -> Decimal | None:
        if self.index is None or self.previous_index is None:
            return None
        return self.index - self.previous_index

    def as_json(self) -> dict:
        f = methods.fmt
        return {
            "code": self.code,
            "name": self.name,
            "appraised": f(self.appraised),
            "survey": f(self.survey),
            "index": f(self.index),
            "rank": self.rank,
            "band": self.band,
            "excluded": self.excluded,
            "excluded_reason": self.excluded_reason,
            "areas": {k: f(v) for k, v in self.areas.items()},
            "change": f(self.change) if self.change is not None else "",
        }


def assign_ranks(rows: list[RankRow]) -> list[RankRow]:
    """Highest index first; equal indices share a rank and the next rank is skipped (1, 2, 2, 4).
    Excluded units keep no rank and come last."""
    ranked = sorted(
        (r for r in rows if not r.excluded and r.index is not None), key=lambda r: (-r.index, r.name)
    )
    previous, rank = None, 0
    for position, row in enumerate(ranked, start=1):
        if row.index != previous:
            rank, previous = position, row.index
        row.rank = rank
    rest = sorted((r for r in rows if r.excluded or r.index is None), key=lambda r: r.name)
    for row in rest:
        row.rank = None
    return ranked + rest


def compute_index(
    criteria_set, got: Decimal | None, maximum: Decimal | None, bonus: Decimal | None, survey: Decimal | None
) -> tuple:
    """(appraised, index): the appraised part rescaled to what applies to the unit, plus bonus
    (capped at the maximum);
    then survey points added, or — when the unit has no survey result — the appraised part
    rescaled to the whole scale."""
    if not maximum:
        return None, None
    appraised = (got or Decimal(0)) * criteria_set.appraised_points / maximum + (bonus or Decimal(0))
    # Bonus points make up for lost points; they never lift the part above its maximum.
    appraised = min(criteria_set.appraised_points, max(Decimal(0), appraised)).quantize(TWO, ROUND_HALF_UP)
    if criteria_set.survey_points and survey is None:
        index = appraised * criteria_set.total_points / criteria_set.appraised_points
    else:
        index = appraised + (survey or Decimal(0))
    return appraised, index.quantize(TWO, ROUND_HALF_UP)


@dataclass
class Ranking:
    season: Season
    rows: list[RankRow]
    areas: list[Criterion]


def ranking(season: Season, *, with_areas: bool = True, hide_unit_ids: set[int] | None = None) -> Ranking:
    """The block's ranking from the best score each item has so far (final once locked)."""
    criteria_set = season.criteria_set
    counted = Q(applicable=True) & ~Q(criterion__method=Method.BONUS)
    area_list: list[Criterion] = []
    per_area = {}
    if with_areas:
        area_list = list(criteria_set.criteria.filter(parent__isnull=True).order_by("position"))
        # One column per area in the same pass: one row per unit, no second grouping.
        per_area = {
            f"area_{i}": Sum(BEST, filter=Q(applicable=True, criterion__area_code=a.code), output_field=DEC)
            for i, a in enumerate(area_list)
        }
    grouped = (
        ItemScore.objects.filter(assessment__season=season, assessment__status=Assessment.Status.SUBMITTED)
        .values("assessment_id")
        .annotate(
            got=Sum(BEST, filter=counted, output_field=DEC),
            maximum=Sum("criterion__max_points", filter=counted, output_field=DEC),
            bonus=Sum(BEST, filter=Q(applicable=True, criterion__method=Method.BONUS), output_field=DEC),
            **per_area,
        )
        .order_by()
    )
    by_assessment = {row["assessment_id"]: row for row in grouped}
    areas_of = {
        pk: {a.code: row[f"area_{i}"] or Decimal(0) for i, a in enumerate(area_list)}
        for pk, row in by_assessment.items()
    }
    previous = _previous_results(season)
    rows = []
    assessments = (
        Assessment.objects.filter(season=season)
        .select_related("unit")
        .only("id", "status", "survey_points", "excluded", "excluded_reason", "unit__code", "unit__name")
    )
    for a in assessments:
        if hide_unit_ids and a.unit_id in hide_unit_ids:
            continue
        t = by_assessment.get(a.pk)
        appraised, index = (None, None)
        if t is not None:
            appraised, index = compute_index(
                criteria_set, t["got"], t["maximum"], t["bonus"], a.survey_points
            )
        excluded = a.excluded or a.status != Assessment.Status.SUBMITTED
        reason = a.excluded_reason or (
            "Không gửi bản tự đánh giá" if a.status != Assessment.Status.SUBMITTED else ""
        )
        prev = previous.get(a.unit.code, {})
        rows.append(
            RankRow(
                a.pk,
                a.unit.code,
                a.unit.name,
                appraised,
                a.survey_points,
                index,
                excluded,
                reason,
                band=methods.level_for(index, criteria_set.bands) if not excluded else "",
                areas=areas_of.get(a.pk, {}),
                previous_index=methods.as_decimal(prev.get("index")) if prev.get("index") else None,
                previous_rank=prev.get("rank"),
            )
        )
    return Ranking(season, assign_ranks(rows), area_list)


def _previous_results(season: Season) -> dict[str, dict]:
    """Last year's published results of the same block, by unit code."""
    last = Season.objects.filter(block=season.block, year=season.year - 1).first()
    release = last.releases.order_by("-number").first() if last else None
    return {row["code"]: row for row in release.rows} if release else {}


# Council ------------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    assessment: Assessment
    items: int
    mine: int
    council: int

    @property
    def left(self) -> int:
        return self.items - self.mine


def council_queue(member: CouncilMember) -> list[QueueRow]:
    """The member's units (the assigned ones; all of the season for the secretary and chair),
    never a conflicted one, with "k/n" done by the member and by the council (three queries)."""
    season = member.council.season
    assessments = Assessment.objects.filter(season=season, status=Assessment.Status.SUBMITTED).select_related(
        "unit"
    )
    if member.role == CouncilMember.Role.MEMBER:
        assessments = assessments.filter(
            pk__in=Assignment.objects.filter(member=member).values("assessment_id")
        )
    assessments = [a for a in assessments.order_by("unit__name") if not is_conflicted(member, a.unit)]
    ids = [a.pk for a in assessments]
    counts = {
        r["assessment_id"]: r
        for r in ItemScore.objects.filter(assessment_id__in=ids, applicable=True)
        .values("assessment_id")
        .annotate(items=Count("id"), council=Count("id", filter=Q(appraised_points__isnull=False)))
    }
    mine = {
        r["item__assessment_id"]: r["n"]
        for r in MemberScore.objects.filter(member=member, item__assessment_id__in=ids)
        .values("item__assessment_id")
        .annotate(n=Count("id"))
    }
    return [
        QueueRow(
            a, counts.get(a.pk, {}).get("items", 0), mine.get(a.pk, 0), counts.get(a.pk, {}).get("council", 0)
        )
        for a in assessments
    ]


@dataclass
class OverviewRow:
    assessment: Assessment
    items: int
    appraised: int
    disputed: int


def season_overview(season: Season, *, hide_unit_ids: set[int] | None = None) -> list[OverviewRow]:
    """Who submitted, appraisal progress per unit ("k/n"), items in dispute (members disagree or
    an explanation awaits a decision)."""
    assessments = [
        a
        for a in Assessment.objects.filter(season=season)
        .select_related("unit", "submitted_by")
        .order_by("unit__sort_order", "unit__name")
        if not (hide_unit_ids and a.unit_id in hide_unit_ids)
    ]
    ids = [a.pk for a in assessments]
    counts = {
        r["assessment_id"]: r
        for r in ItemScore.objects.filter(assessment_id__in=ids, applicable=True)
        .values("assessment_id")
        .annotate(
            items=Count("id"),
            appraised=Count("id", filter=Q(appraised_points__isnull=False)),
            pending=Count("id", filter=~Q(explanation_answer="") & Q(explained_points__isnull=True)),
        )
    }
    spread = defaultdict(int)
    for r in (
        MemberScore.objects.filter(item__assessment_id__in=ids)
        .values("item_id", "item__assessment_id")
        .annotate(kinds=Count("points", distinct=True))
        .filter(kinds__gt=1)
    ):
        spread[r["item__assessment_id"]] += 1
    return [
        OverviewRow(
            a,
            counts.get(a.pk, {}).get("items", 0),
            counts.get(a.pk, {}).get("appraised", 0),
            counts.get(a.pk, {}).get("pending", 0) + spread[a.pk],
        )
        for a in assessments
    ]


def hidden_units_for(user, season: Season) -> set[int]:
    """Units a council member is conflicted with: left out of everything the member sees."""
    from cchc.scoring.permissions import conflicted_unit_ids, member_for

    member = member_for(user, season)
    if member is None:
        return set()
    units = [a.unit for a in Assessment.objects.filter(season=season).select_related("unit")]
    return conflicted_unit_ids(member, units)
