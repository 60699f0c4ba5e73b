"""What the public may see: only what has been published (PAR Index releases, survey results frozen at
publication, initiatives recognised by a decision). Never a draft, never a live computation."""

from django.core.cache import cache

from cchc.initiatives.models import Campaign, Initiative
from cchc.scoring.models import Release
from cchc.surveys.models import Round
from cchc.surveys.selectors import latest_snapshot, results_of

CACHE_SECONDS = 300
TOP = 5


def recognised_initiatives():
    return (
        Initiative.objects.filter(
            status=Initiative.Status.RECOGNISED, campaign__status=Campaign.Status.DECIDED
        )
        .exclude(campaign__decision_number="")
        .select_related("campaign", "unit", "field")
        .order_by("-campaign__year", "campaign__pk", "title", "pk")
    )


def _releases() -> list[dict]:
    latest: dict[int, Release] = {}
    for release in Release.objects.select_related("season").order_by(
        "-season__year", "season__block", "-number"
    ):
        latest.setdefault(release.season_id, release)
    return [
        {
            "pk": r.pk,
            "title": str(r.season),
            "number": r.number,
            "published_at": r.published_at,
            "top": [row for row in r.rows if not row.get("excluded")][:TOP],
            "units": len(r.rows),
        }
        for r in latest.values()
    ]


def _surveys() -> list[dict]:
    rows = []
    for round_ in Round.objects.filter(status=Round.Status.PUBLISHED).order_by("-year", "title"):
        snapshot = latest_snapshot(round_)
        if snapshot is None:
            continue
        overall = results_of(snapshot.data, snapshot.data["cells"], suppress=True).overall
        rows.append(
            {
                "pk": round_.pk,
                "title": round_.title,
                "year": round_.year,
                "published_at": snapshot.created_at,
                "value": overall.value if overall.shown else None,
                "responses": overall.n,
            }
        )
    return rows


def _initiatives() -> list[dict]:
    return [
        {
            "pk": i.pk,
            "title": i.title,
            "unit": str(i.unit),
            "field": i.field.name,
            "decision": f"{i.campaign.decision_number} ngày {i.campaign.decision_date:%d/%m/%Y}"
            if i.campaign.decision_date
            else i.campaign.decision_number,
        }
        for i in recognised_initiatives()[:10]
    ]


def home_data() -> dict:
    """The portal's front page, computed at most once every few minutes (published data never changes
    in place: a re-publication is a new release or snapshot, seen at the next refresh)."""
    return cache.get_or_set(
        "portal:home:v1",
        lambda: {"releases": _releases(), "surveys": _surveys(), "initiatives": _initiatives()},
        CACHE_SECONDS,
    )
