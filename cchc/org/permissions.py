"""Who sees and changes what, decided in one place from a person's memberships.

Rules (see docs/architecture.md):
- admin: everything.
- standing agency officer: reads the whole subtree of the unit they serve (Sở Nội vụ → the city);
  edits that unit's own items and those of its internal sub-units.
- officer and head: read their organisation (the commune, the department) and every plan issued
  above them, which they concretise; edit items issued by or led by units within their own unit.
- viewer (leader): reads a subtree, edits nothing.
Only heads, standing officers and admins may approve (used by later modules).
"""

from dataclasses import dataclass, field

from django.db.models import Q

from cchc.org.models import Membership, Unit

Role = Membership.Role


@dataclass
class UserScope:
    is_admin: bool = False
    read_paths: list[str] = field(default_factory=list)
    read_ancestor_ids: set[int] = field(default_factory=set)
    edit_paths: list[str] = field(default_factory=list)
    edit_organisation_ids: set[int] = field(default_factory=set)
    plan_edit_paths: list[str] = field(default_factory=list)
    approve_paths: list[str] = field(default_factory=list)
    head_paths: list[str] = field(default_factory=list)
    review_paths: list[str] = field(default_factory=list)
    home_unit: Unit | None = None
    # A one-stop system's API token marked "data provider" by the city's standing agency: it may send
    # dossier exports for import (cchc.delivery.services.can_push_dossiers), nothing more.
    pushes_dossiers: bool = False

    @property
    def is_anonymous(self) -> bool:
        return not (self.is_admin or self.read_paths)

    # Units -----------------------------------------------------------------------------
    def readable_units_q(self, prefix: str = "") -> Q:
        if self.is_admin:
            return Q()
        q = Q(**{f"{prefix}id__in": list(self.read_ancestor_ids)})
        for path in self.read_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def subtree_units_q(self, prefix: str = "") -> Q:
        """Units strictly in the user's read subtrees (not the ancestors whose plans they may read)."""
        if self.is_admin:
            return Q()
        q = Q(pk__in=[])
        for path in self.read_paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def can_read_unit(self, unit: Unit) -> bool:
        if self.is_admin:
            return True
        return unit.pk in self.read_ancestor_ids or any(unit.path.startswith(p) for p in self.read_paths)

    def can_edit_items_of(self, unit: Unit) -> bool:
        if self.is_admin:
            return True
        if unit.organisation_id in self.edit_organisation_ids and not unit.is_reporting_unit:
            return True
        if unit.pk in self.edit_organisation_ids:
            return True
        return any(unit.path.startswith(p) for p in self.edit_paths)

    def can_edit_plan_of(self, unit: Unit) -> bool:
        """Create plans for, restructure and import into the plans of this issuer."""
        if self.is_admin:
            return True
        if unit.pk in self.edit_organisation_ids:
            return True
        return any(unit.path.startswith(p) for p in self.plan_edit_paths)

    def in_subtree(self, unit: Unit) -> bool:
        """Within the user's read subtrees (unlike can_read_unit, not the ancestors above them)."""
        return self.is_admin or any(unit.path.startswith(p) for p in self.read_paths)

    def is_head_of(self, unit: Unit) -> bool:
        return self.is_admin or any(unit.path.startswith(p) for p in self.head_paths)

    def can_review(self, unit: Unit) -> bool:
        """The standing agency of a level above reviews (returns, accepts) the unit's reports."""
        return self.is_admin or any(unit.path.startswith(p) and unit.path != p for p in self.review_paths)

    def is_standing_agency_of(self, unit: Unit) -> bool:
        return self.is_admin or unit.path in self.review_paths

    def can_approve_for(self, unit: Unit) -> bool:
        if self.is_admin:
            return True
        return any(unit.path.startswith(p) for p in self.approve_paths)


def _scope_unit_for(membership: Membership) -> Unit:
    unit = membership.unit
    if membership.role == Role.STANDING and unit.standing_agency_for_id:
        return unit.standing_agency_for
    return unit


def build_scope(user) -> UserScope:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return UserScope()
    if user.is_superuser:
        return UserScope(is_admin=True)
    memberships = list(
        Membership.objects.filter(user=user, is_active=True).select_related(
            "unit", "unit__standing_agency_for", "unit__organisation"
        )
    )
    scope = UserScope()
    for membership in memberships:
        unit = membership.unit
        if membership.role == Role.ADMIN:
            return UserScope(is_admin=True, home_unit=unit)
        scope_unit = _scope_unit_for(membership)
        scope.home_unit = scope.home_unit or scope_unit
        organisation = scope_unit.organisation or scope_unit
        if membership.role in (Role.STANDING, Role.VIEWER):
            scope.read_paths.append(scope_unit.path)
        else:
            scope.read_paths.append(organisation.path)
        scope.read_ancestor_ids.update(scope_unit.ancestor_ids)
        scope.read_ancestor_ids.update(organisation.ancestor_ids)
        if membership.role == Role.STANDING:
            scope.edit_organisation_ids.add(organisation.pk)
            scope.edit_paths.append(unit.path)
            scope.approve_paths.append(scope_unit.path)
            scope.review_paths.append(scope_unit.path)
        elif membership.role in (Role.OFFICER, Role.HEAD):
            scope.edit_paths.append(unit.path)
            if unit.is_reporting_unit:
                scope.plan_edit_paths.append(unit.path)
            if membership.role == Role.HEAD:
                scope.approve_paths.append(unit.path)
                scope.head_paths.append(unit.path)
    return scope


def scope_for(user) -> UserScope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached = getattr(user, "_cchc_scope", None)
    if cached is None:
        cached = build_scope(user)
        if getattr(user, "is_authenticated", False):
            user._cchc_scope = cached
    return cached
