"""Who sees and changes what in the PAR Index.

- Sở Nội vụ (the standing agency of the city) and admins run the index: sets, seasons, council,
  lock, publication.
- A unit's officers fill its self-assessment; its head submits and withdraws it.
- Council members see the units assigned to the council, except those they are conflicted with:
  a member whose unit is the appraised unit, its parent or one of its children, or who declared a
  conflict. For a conflicted member the unit does not exist: 404 on its items, and it is left out
  of every count and average they see.
- Leaders (viewers) read what lies in their subtree.
"""

from django.http import Http404

from cchc.org.models import Unit
from cchc.org.permissions import UserScope, scope_for
from cchc.org.tree import is_near
from cchc.scoring.models import Assessment, CouncilMember, Season


def can_manage(scope: UserScope) -> bool:
    """The city's standing agency (its path is a root path) or an admin."""
    return scope.is_admin or any(path.count("/") == 2 for path in scope.review_paths)


def member_for(user, season: Season) -> CouncilMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    cache = user.__dict__.setdefault("_par_members", {})
    if season.pk not in cache:
        cache[season.pk] = (
            CouncilMember.objects.filter(council__season=season, user=user)
            .select_related("unit", "unit__organisation", "council")
            .prefetch_related("declarations")
            .first()
        )
    return cache[season.pk]


def is_conflicted(member: CouncilMember | None, unit: Unit) -> bool:
    if member is None:
        return False
    # The tree rule is the one every council uses (cchc.org.tree); declarations add to it.
    if is_near(member.unit, unit):
        return True
    return any(d.unit_id == unit.pk for d in member.declarations.all())


def conflicted_unit_ids(member: CouncilMember | None, units) -> set[int]:
    return {u.pk for u in units if is_conflicted(member, u)}


def can_read_assessment(user, assessment: Assessment) -> bool:
    scope = scope_for(user)
    member = member_for(user, assessment.season)
    if member is not None and is_conflicted(member, assessment.unit):
        return False
    if can_manage(scope) or member is not None:
        return True
    return scope.in_subtree(assessment.unit) or scope.can_edit_items_of(assessment.unit)


def can_edit_self(user, assessment: Assessment) -> bool:
    scope = scope_for(user)
    return scope.is_admin or scope.can_edit_items_of(assessment.unit)


def can_submit(user, assessment: Assessment) -> bool:
    return scope_for(user).is_head_of(assessment.unit)


def access_assessment(user, pk: int) -> Assessment:
    """The assessment, or the same 404 for "does not exist" and "not yours" (and "conflicted")."""
    assessment = (
        Assessment.objects.select_related(
            "unit", "season", "season__criteria_set", "submitted_by", "unit__organisation"
        )
        .filter(pk=pk)
        .first()
    )
    if assessment is None or not can_read_assessment(user, assessment):
        raise Http404("Không tìm thấy bản tự đánh giá.")
    return assessment


def access_season(user, pk: int) -> Season:
    """Managers, council members and leaders reach a season page; others 404."""
    season = Season.objects.select_related("criteria_set").filter(pk=pk).first()
    if season is None:
        raise Http404("Không tìm thấy đợt đánh giá.")
    scope = scope_for(user)
    if can_manage(scope) or member_for(user, season) is not None:
        return season
    if scope.read_paths and all(path.count("/") == 2 for path in scope.read_paths) and not scope.edit_paths:
        return season  # a city-wide leader (viewer)
    raise Http404("Không tìm thấy đợt đánh giá.")
