from dataclasses import dataclass

from django.db.models import QuerySet

from cchc.org.models import Unit
from cchc.org.naming import candidate_keys, is_group_text, name_key
from cchc.org.permissions import UserScope


def units_visible(*, scope: UserScope) -> QuerySet[Unit]:
    return Unit.objects.filter(scope.readable_units_q()).select_related("parent")


def unit_tree(*, scope: UserScope, max_depth: int | None = None) -> list[Unit]:
    """Units the user may read, in tree order (path order is tree order)."""
    units = Unit.objects.filter(scope.subtree_units_q())
    if max_depth is not None:
        units = units.filter(depth__lte=max_depth)
    return list(units.order_by("depth", "sort_order", "name"))


def top_level_units() -> QuerySet[Unit]:
    return Unit.objects.filter(kind__in=Unit.REPORTING_KINDS).order_by("depth", "sort_order", "name")


@dataclass(frozen=True)
class UnitMatch:
    text: str
    unit: Unit | None

    @property
    def matched(self) -> bool:
        return self.unit is not None


class UnitMatcher:
    """Resolves written unit names to units, preferring the issuing organisation's own sub-units.

    Built once per import over all units (a city has about a thousand), then O(1) per name.
    """

    def __init__(self, units: list[Unit] | None = None):
        units = units if units is not None else list(Unit.objects.select_related("organisation"))
        self._by_org_key: dict[tuple[int | None, str], Unit] = {}
        self._global: dict[str, list[Unit]] = {}
        for unit in units:
            keys = {unit.name_key, *(name_key(a) for a in unit.aliases or [])}
            if unit.short_name:
                keys.add(name_key(unit.short_name))
            org_id = unit.organisation_id if not unit.is_reporting_unit else None
            for key in keys:
                if org_id:
                    self._by_org_key.setdefault((org_id, key), unit)
                else:
                    self._global.setdefault(key, []).append(unit)

    is_group = staticmethod(is_group_text)

    def match(self, text: str, *, organisation: Unit | None = None) -> UnitMatch:
        if not text or is_group_text(text):
            return UnitMatch(text, None)
        org_names = [organisation.name, *(organisation.aliases or [])] if organisation else []
        for key in candidate_keys(text, org_names):
            if organisation is not None:
                unit = self._by_org_key.get((organisation.pk, key))
                if unit:
                    return UnitMatch(text, unit)
                if key == organisation.name_key:
                    return UnitMatch(text, organisation)
            found = self._global.get(key, [])
            if len(found) == 1:
                return UnitMatch(text, found[0])
        return UnitMatch(text, None)
