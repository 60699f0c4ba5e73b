"""The unit-tree rule for conflicts of interest: a person from a unit, its parent or one of its
children does not judge that unit. Shared by every council (PAR initiatives, PAR Index)."""

from cchc.org.models import Unit


def is_near(member_unit: Unit, unit: Unit) -> bool:
    """True when `member_unit` (or the organisation it belongs to) is `unit`, its parent or a child.

    A commune's Văn phòng belongs to the commune, so its officer is conflicted with the commune too."""
    own = {member_unit.pk, member_unit.organisation_id or member_unit.pk}
    if own & {unit.pk, unit.parent_id}:
        return True
    return member_unit.parent_id == unit.pk or (
        member_unit.organisation is not None and member_unit.organisation.parent_id == unit.pk
    )
