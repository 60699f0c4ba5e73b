"""Who sees what in surveys.

- Managers of a survey: the standing agency of its owner unit (Sở Nội vụ for city surveys) and
  admins. They open rounds, publish, see raw answers and export them.
- A unit's people (its subtree in their scope) see that unit's results and key in its paper forms;
  before publication they see nothing of other units.
- Anyone sees published results (with small cells suppressed) and the public form.
"""

from django.http import Http404

from cchc.org.models import Unit
from cchc.org.permissions import scope_for
from cchc.surveys.models import Round, Survey


def is_manager(user, survey: Survey) -> bool:
    scope = scope_for(user)
    return scope.is_admin or scope.is_standing_agency_of(survey.owner)


def can_see_unit_results(user, round_: Round, unit: Unit) -> bool:
    scope = scope_for(user)
    return is_manager(user, round_.survey) or scope.in_subtree(unit)


def can_enter_paper(user, round_: Round, unit: Unit) -> bool:
    scope = scope_for(user)
    return is_manager(user, round_.survey) or scope.can_edit_items_of(unit)


def access_round(user, pk: int) -> Round:
    """A round the user may open: managers, or someone whose subtree holds one of its units."""
    round_ = Round.objects.select_related("survey__owner", "version").filter(pk=pk).first()
    if round_ is None or scope_for(user).is_anonymous:
        raise Http404("Không tìm thấy đợt khảo sát.")
    if is_manager(user, round_.survey):
        return round_
    scope = scope_for(user)
    if any(scope.in_subtree(u) for u in round_.units.all()):
        return round_
    raise Http404("Không tìm thấy đợt khảo sát.")


def visible_units(user, round_: Round) -> list[Unit]:
    """The round's units whose results the user sees before publication."""
    units = list(round_.units.order_by("path"))
    if is_manager(user, round_.survey):
        return units
    scope = scope_for(user)
    return [u for u in units if scope.in_subtree(u)]
