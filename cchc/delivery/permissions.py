"""Who sees which KPI pages: a unit's figures and dossiers are read within the user's subtree
(a commune sees itself, never a sibling; the city's standing agency and leaders see every unit).
Data management (imports, mappings, settings) belongs to the standing agency of the top unit."""

from django.http import Http404

from cchc.org.models import Unit
from cchc.org.permissions import scope_for


def default_unit(user) -> Unit | None:
    scope = scope_for(user)
    if scope.is_admin:
        return Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    home = scope.home_unit
    if home is None:
        return None
    unit = home.organisation or home
    return unit if scope.in_subtree(unit) else home


def access_unit(user, code: str | None) -> Unit:
    """The unit named by ``code`` (or the user's own), 404 when missing or outside the subtree."""
    unit = Unit.objects.filter(code=code).first() if code else default_unit(user)
    if unit is None or not scope_for(user).in_subtree(unit):
        raise Http404("Không tìm thấy đơn vị.")
    return unit


def breadcrumb(user, unit: Unit) -> list[Unit]:
    """The unit's ancestors the user may open, top first, then the unit."""
    scope = scope_for(user)
    ancestors = Unit.objects.filter(pk__in=unit.ancestor_ids).order_by("path")
    return [u for u in ancestors if scope.in_subtree(u)] + [unit]
