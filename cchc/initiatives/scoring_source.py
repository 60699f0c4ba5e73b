"""The PAR Index data source "initiatives": the unit's initiatives recognised in the campaign of the
index year, with the decision as provenance. Registered under the key the PAR criteria sets already
name, replacing the scoring module's "no data yet" placeholder.

The criterion's argument is the points per recognised initiative (default 1), capped at the
criterion's maximum: "initiatives:0.5" gives half a point each. No decided campaign for the year
means no data (None), never a made-up zero."""

from decimal import Decimal, InvalidOperation

from django.urls import reverse

from cchc.initiatives.models import Campaign, Initiative
from cchc.org.models import Unit
from cchc.scoring.sources import Proposal, register

TWO = Decimal("0.01")


@register("initiatives", "Sáng kiến CCHC được công nhận")
def recognised_initiatives(unit: Unit, year: int, criterion, argument: str) -> Proposal | None:
    campaigns = list(
        Campaign.objects.filter(year=year, status=Campaign.Status.DECIDED).exclude(decision_number="")
    )
    if not campaigns:
        return None
    try:
        each = Decimal(argument) if argument else Decimal(1)
    except InvalidOperation:
        each = Decimal(1)
    recognised = list(
        Initiative.objects.filter(campaign__in=campaigns, unit=unit, status=Initiative.Status.RECOGNISED)
        .select_related("campaign")
        .order_by("pk")
    )
    cap = criterion.max_points
    points = min(cap, each * len(recognised)).quantize(TWO)
    decisions = "; ".join(
        f"Quyết định số {c.decision_number} ngày {c.decision_date:%d/%m/%Y}"
        for c in campaigns
        if c.decision_date
    )
    figures = [
        (f"Sáng kiến được công nhận năm {year}", str(len(recognised))),
        ("Căn cứ", decisions),
        *[("Sáng kiến", i.title) for i in recognised],
    ]
    links = [(i.title, reverse("initiatives:library_detail", args=[i.pk])) for i in recognised]
    return Proposal(points, figures, links)
