"""What the public may see: only what has been published (PAR Index releases, survey results frozen at
publication, initiatives recognised by a decision). Never a draft, never a live computation."""

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache

from cchc.delivery.models import KpiPublication
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


# Service-delivery KPIs of the periods the city's standing agency has published --------------------

KPI_CACHE_SECONDS = 3600  # keyed on the publication's stamp: a re-publication or withdrawal is a new key


@dataclass
class PublishedPeriod:
    """One published period as the portal reads it: each unit's frozen KPIs and the tree between them."""

    key: str
    label: str
    start: date
    end: date
    complete: bool
    data_until: date | None
    published_at: datetime
    stamp: str
    units: dict[str, dict] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    top: list[str] = field(default_factory=list)

    def trail(self, code: str) -> list[dict]:
        """The unit's ancestors in the publication, top first, then the unit."""
        out, seen = [], set()
        while code in self.units and code not in seen:
            seen.add(code)
            out.append(self.units[code])
            code = self.units[code]["parent"]
        return out[::-1]


def kpi_stamps() -> dict[str, str]:
    """{period key: stamp} of the periods public right now: the one query every KPI page of the portal
    makes, so a withdrawal is seen by the next request of every server process."""
    return {
        period: f"{pk}-1-{published_at.timestamp():.6f}"
        for period, pk, published_at in KpiPublication.objects.filter(published=True).values_list(
            "period", "pk", "published_at"
        )
    }


def _build(publication: KpiPublication) -> PublishedPeriod:
    view = PublishedPeriod(
        key=publication.period,
        label=publication.label,
        start=publication.start,
        end=publication.end,
        complete=publication.complete,
        data_until=publication.data_until,
        published_at=publication.published_at,
        stamp=publication.stamp,
    )
    for row in publication.rows:
        view.units[row["code"]] = row
    for row in publication.rows:
        parent = row["parent"]
        if parent in view.units:
            view.children.setdefault(parent, []).append(row["code"])
        else:
            view.top.append(row["code"])
    return view


def published_period(key: str, stamps: dict[str, str]) -> PublishedPeriod | None:
    """The published period ``key`` (None when it is not public: never published, or withdrawn);
    read from the database once per stamp and process."""
    stamp = stamps.get(key)
    if stamp is None:
        return None

    def load() -> PublishedPeriod | None:
        publication = KpiPublication.objects.filter(period=key, published=True).first()
        return _build(publication) if publication is not None else None

    view = cache.get_or_set(f"portal:kpi:{key}:{stamp}", load, KPI_CACHE_SECONDS)
    return view if view is not None and view.stamp == stamp else None


def stamps_version(stamps: dict[str, str]) -> str:
    """One short key for the whole set of publications."""
    return hashlib.sha256(repr(sorted(stamps.items())).encode()).hexdigest()[:16]


def published_periods(stamps: dict[str, str]) -> list[dict]:
    """The public periods, latest first, each with its top units' headline figures (for the front page
    and the period list)."""
    if not stamps:
        return []
    version = stamps_version(stamps)

    def load() -> list[dict]:
        out = []
        for publication in KpiPublication.objects.filter(published=True).order_by("-end", "-start"):
            view = _build(publication)
            out.append(
                {
                    "key": view.key,
                    "label": view.label,
                    "range": f"{view.start:%d/%m/%Y}–{view.end:%d/%m/%Y}",
                    "published_at": view.published_at,
                    "top": [view.units[code] for code in view.top],
                    "units": len(view.units),
                }
            )
        return out

    return cache.get_or_set(f"portal:kpi-list:{version}", load, KPI_CACHE_SECONDS)
