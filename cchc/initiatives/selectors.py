"""Reads for the initiative pages: council aggregates (blind until one's own review, conflicts left
out), the council board, the ranking with the campaign's tie rule, the dashboard and the library."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from statistics import median

from django.db.models import Count, Q, QuerySet

from cchc.core.text import fold
from cchc.initiatives.models import Campaign, Conflict, CouncilMember, Initiative, Review
from cchc.initiatives.permissions import member_for, visible_initiatives

S = Initiative.Status
TWO = Decimal("0.01")


@dataclass
class Stats:
    count: int = 0
    members: int = 0
    mean: Decimal | None = None
    median: Decimal | None = None
    spread: Decimal | None = None
    criterion_means: list[Decimal] = field(default_factory=list)


def _stats(reviews: list[Review], criteria, members: int) -> Stats:
    if not reviews:
        return Stats(members=members)
    totals = [r.total for r in reviews]
    means = [
        (sum(Decimal(r.scores.get(c.code, "0")) for r in reviews) / len(reviews)).quantize(TWO)
        for c in criteria
    ]
    return Stats(
        count=len(reviews),
        members=members,
        mean=(sum(totals) / len(totals)).quantize(TWO),
        median=Decimal(median(totals)).quantize(TWO),
        spread=(max(totals) - min(totals)).quantize(TWO),
        criterion_means=means,
    )


def aggregate(initiative: Initiative) -> Stats:
    """Reviews of members not conflicted with the initiative (a conflict declared after scoring
    removes that review from every figure)."""
    conflicted = set(Conflict.objects.filter(initiative=initiative).values_list("member_id", flat=True))
    reviews = [r for r in initiative.reviews.all() if r.member_id not in conflicted]
    members = (
        CouncilMember.objects.filter(campaign_id=initiative.campaign_id).exclude(pk__in=conflicted).count()
    )
    return _stats(reviews, list(initiative.campaign.criteria.all()), members)


@dataclass
class BoardRow:
    initiative: Initiative
    mine: Review | None
    stats: Stats
    to_discuss: bool


def council_board(user, campaign: Campaign) -> tuple[CouncilMember | None, list[BoardRow]]:
    """The member's queue: only initiatives they may see, figures only after their own review (the
    chair too). Sở KH&CN staff who are not members see the figures, to prepare the discussion."""
    member = member_for(user, campaign)
    initiatives = list(
        visible_initiatives(user)
        .filter(campaign=campaign, status__in=[S.ELIGIBLE, S.RECOGNISED, S.NOT_RECOGNISED])
        .select_related("unit", "field")
        .order_by("field__position", "pk")
    )
    ids = [i.pk for i in initiatives]
    conflicts: dict[int, set[int]] = {}
    for member_id, initiative_id in Conflict.objects.filter(initiative_id__in=ids).values_list(
        "member_id", "initiative_id"
    ):
        conflicts.setdefault(initiative_id, set()).add(member_id)
    reviews: dict[int, list[Review]] = {}
    for review in Review.objects.filter(initiative_id__in=ids):
        reviews.setdefault(review.initiative_id, []).append(review)
    member_ids = list(campaign.members.values_list("pk", flat=True))
    criteria = list(campaign.criteria.all())
    rows = []
    for initiative in initiatives:
        excluded = conflicts.get(initiative.pk, set())
        counted = [r for r in reviews.get(initiative.pk, []) if r.member_id not in excluded]
        mine = next((r for r in counted if member and r.member_id == member.pk), None)
        stats = _stats(counted, criteria, len([m for m in member_ids if m not in excluded]))
        blind = member is not None and mine is None
        if blind:
            stats = Stats(count=stats.count, members=stats.members)
        discuss = bool(stats.spread is not None and stats.spread >= campaign.discuss_spread)
        rows.append(BoardRow(initiative, mine, stats, discuss))
    return member, rows


def _tie_key(campaign: Campaign, initiative: Initiative):
    verdict = initiative.verdict
    if campaign.tie_rule == Campaign.TieRule.CRITERIA_ORDER:
        return (
            -verdict.final_score,
            *[-Decimal(x) for x in verdict.criterion_means],
            initiative.first_submitted_at,
        )
    return (-verdict.final_score, initiative.first_submitted_at, initiative.pk)


def ranking(campaign: Campaign) -> list[Initiative]:
    recognised = list(
        campaign.initiatives.filter(status=S.RECOGNISED)
        .select_related("verdict", "unit", "field")
        .prefetch_related("authors")
    )
    return sorted(recognised, key=lambda i: _tie_key(campaign, i))


def top_awards(campaign: Campaign) -> list[Initiative]:
    return ranking(campaign)[: campaign.award_count]


def dashboard(user, campaign: Campaign) -> dict:
    qs = visible_initiatives(user).filter(campaign=campaign)
    by_field = list(
        campaign.fields.annotate(
            total=Count("initiatives", filter=Q(initiatives__in=qs)),
            submitted=Count("initiatives", filter=Q(initiatives__in=qs) & ~Q(initiatives__status=S.DRAFT)),
        )
    )
    units = Counter()
    on_time = Counter()
    names = {}
    for unit_id, unit_name, first in qs.values_list("unit_id", "unit__name", "first_submitted_at"):
        units[unit_id] += 1
        names[unit_id] = unit_name
        if first is not None and first <= campaign.submission_deadline:
            on_time[unit_id] += 1
    by_unit = sorted(
        ({"name": names[u], "total": n, "on_time": on_time[u]} for u, n in units.items()),
        key=lambda r: r["name"],
    )
    statuses = Counter(qs.values_list("status", flat=True))
    return {
        "by_field": by_field,
        "by_unit": by_unit,
        "statuses": [(label, statuses.get(value, 0)) for value, label in S.choices],
    }


def library(*, q: str = "", field_code: str = "", year: int | None = None) -> QuerySet[Initiative]:
    qs = (
        Initiative.objects.filter(status=S.RECOGNISED)
        .select_related("unit", "field", "campaign")
        .annotate(replication_count=Count("replications"))
        .order_by("-campaign__year", "field__position", "title")
    )
    if q:
        for word in fold(q).split():
            qs = qs.filter(search_text__contains=word)
    if field_code:
        qs = qs.filter(field__code=field_code)
    if year:
        qs = qs.filter(campaign__year=year)
    return qs


def recognised_count(unit, year: int) -> list[Initiative]:
    """Recognised initiatives submitted by the unit in the campaign of that year (the PAR Index source)."""
    return list(
        Initiative.objects.filter(unit=unit, campaign__year=year, status=S.RECOGNISED)
        .exclude(campaign__decision_number="")
        .select_related("campaign")
    )
