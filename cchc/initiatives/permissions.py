"""Who sees and changes what among PAR initiatives.

- A unit's officers draft its initiatives; its head submits them (UserScope.is_head_of).
- The campaign's reviewing unit (Sở KH&CN) sees every submitted initiative, checks eligibility,
  returns for supplements, assigns the council and issues the decision.
- Council members see eligible and judged initiatives, except those they are conflicted with
  (unit tree or declaration, pinned): for them the initiative does not exist, 404 everywhere, and
  it is left out of every count and average they see.
- Leaders (viewers) and standing agencies read what lies in their subtree.
- Recognised initiatives are public in the library.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from cchc.initiatives.models import Campaign, CouncilMember, Initiative
from cchc.org.models import Membership
from cchc.org.permissions import UserScope, scope_for

COUNCIL_STATUSES = (
    Initiative.Status.ELIGIBLE,
    Initiative.Status.RECOGNISED,
    Initiative.Status.NOT_RECOGNISED,
)


def _unit_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = user.__dict__.get("_initiative_unit_ids")
    if cached is None:
        cached = list(Membership.objects.filter(user=user, is_active=True).values_list("unit_id", flat=True))
        user.__dict__["_initiative_unit_ids"] = cached
    return cached


def is_reviewer(user, campaign: Campaign) -> bool:
    """Staff of the campaign's reviewing unit (Sở KH&CN), or an admin."""
    scope = scope_for(user)
    return scope.is_admin or campaign.reviewing_unit_id in _unit_ids(user)


def can_manage(user, campaign: Campaign) -> bool:
    return is_reviewer(user, campaign)


def member_for(user, campaign: Campaign) -> CouncilMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_initiative_members", {})
    if campaign.pk not in cache:
        cache[campaign.pk] = (
            CouncilMember.objects.filter(campaign=campaign, user=user).select_related("unit").first()
        )
    return cache[campaign.pk]


def visible_initiatives(user) -> QuerySet[Initiative]:
    """The one query every page and check uses: what this person may see, minus their conflicts."""
    scope: UserScope = scope_for(user)
    if scope.is_anonymous:
        return Initiative.objects.none()
    qs = Initiative.objects.all()
    if not scope.is_admin:
        q = scope.subtree_units_q("unit__")
        q |= Q(campaign__reviewing_unit_id__in=_unit_ids(user)) & ~Q(status=Initiative.Status.DRAFT)
        q |= Q(campaign__members__user=user, status__in=COUNCIL_STATUSES)
        qs = qs.filter(q)
    return qs.exclude(conflicts__member__user=user).distinct()


def campaigns_visible(user) -> QuerySet[Campaign]:
    scope = scope_for(user)
    if scope.is_anonymous:
        return Campaign.objects.none()
    if scope.is_admin:
        return Campaign.objects.all()
    # Every unit receives the campaign notice, so every signed-in person of a unit under the issuer sees it.
    q = Q(issuer_id__in=list(scope.read_ancestor_ids)) | scope.subtree_units_q("issuer__")
    q |= Q(reviewing_unit_id__in=_unit_ids(user)) | Q(members__user=user)
    return Campaign.objects.filter(q).distinct()


def access_campaign(user, pk: int) -> Campaign:
    campaign = campaigns_visible(user).select_related("issuer", "reviewing_unit").filter(pk=pk).first()
    if campaign is None:
        raise Http404("Không tìm thấy đợt phát động.")
    return campaign


def access_initiative(user, pk: int) -> Initiative:
    """The initiative, or the same 404 for "does not exist", "not yours" and "conflicted"."""
    initiative = (
        visible_initiatives(user)
        .select_related("campaign", "campaign__reviewing_unit", "campaign__issuer", "unit", "field")
        .filter(pk=pk)
        .first()
    )
    if initiative is None:
        raise Http404("Không tìm thấy sáng kiến.")
    return initiative


def can_edit(user, initiative: Initiative) -> bool:
    return initiative.status in (Initiative.Status.DRAFT, Initiative.Status.RETURNED) and scope_for(
        user
    ).can_edit_items_of(initiative.unit)


def can_submit(user, initiative: Initiative) -> bool:
    return initiative.status in (Initiative.Status.DRAFT, Initiative.Status.RETURNED) and scope_for(
        user
    ).is_head_of(initiative.unit)


def can_propose_for(user, unit) -> bool:
    return scope_for(user).can_edit_items_of(unit)
