"""Who manages tokens, and what a token may see: the same UserScope the pages use, built from the
token's unit and access instead of a person's memberships (read = a viewer of the subtree, write = an
officer of the unit). Services then apply their usual rules to the integration's service account."""

from cchc.api.models import ApiToken
from cchc.org.models import Unit
from cchc.org.permissions import UserScope, scope_for


def can_manage_tokens_for(user, unit: Unit) -> bool:
    """Admins, and the standing agency of a unit's level for the units below it."""
    scope = scope_for(user)
    return scope.is_admin or any(unit.path.startswith(p) for p in scope.review_paths)


def can_manage_tokens(user) -> bool:
    scope = scope_for(user)
    return scope.is_admin or bool(scope.review_paths)


def token_scope(token: ApiToken) -> UserScope:
    unit = token.unit
    scope = UserScope(read_paths=[unit.path], read_ancestor_ids=set(unit.ancestor_ids), home_unit=unit)
    if token.access == ApiToken.Access.WRITE:
        scope.edit_paths.append(unit.path)
        if unit.is_reporting_unit:
            scope.plan_edit_paths.append(unit.path)
        scope.pushes_dossiers = token.pushes_dossiers
    return scope
