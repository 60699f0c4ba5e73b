"""What each role reads and edits, decided by org.permissions."""

from cchc.org.permissions import scope_for


def test_a_commune_officer_reads_their_commune_and_the_plans_above_but_not_a_sibling(world, personas):
    scope = scope_for(personas["officer"])
    assert scope.can_read_unit(world.mao_dien)
    assert scope.can_read_unit(world.mao_dien_office)
    assert scope.can_read_unit(world.city)
    assert not scope.can_read_unit(world.nam_sach)
    assert not scope.can_read_unit(world.education)


def test_a_commune_officer_edits_their_commune_items_only(world, personas):
    scope = scope_for(personas["officer"])
    assert scope.can_edit_items_of(world.mao_dien)
    assert scope.can_edit_plan_of(world.mao_dien)
    assert not scope.can_edit_items_of(world.nam_sach)
    assert not scope.can_edit_plan_of(world.city)


def test_a_sub_unit_officer_edits_their_sub_unit_but_cannot_restructure_the_commune_plan(world, personas):
    scope = scope_for(personas["office_officer"])
    assert scope.can_read_unit(world.mao_dien)
    assert scope.can_edit_items_of(world.mao_dien_office)
    assert not scope.can_edit_plan_of(world.mao_dien)


def test_the_city_standing_agency_reads_everything_and_edits_the_city_plan(world, personas):
    scope = scope_for(personas["city_standing"])
    for unit in (world.mao_dien, world.nam_sach, world.education, world.mao_dien_office):
        assert scope.can_read_unit(unit)
    assert scope.can_edit_plan_of(world.city)
    assert not scope.can_edit_plan_of(world.mao_dien)


def test_the_commune_standing_agency_serves_the_commune(world, personas):
    scope = scope_for(personas["commune_standing"])
    assert scope.can_edit_plan_of(world.mao_dien)
    assert scope.can_approve_for(world.mao_dien)
    assert not scope.can_read_unit(world.nam_sach)


def test_a_leader_reads_the_subtree_and_edits_nothing(world, personas):
    scope = scope_for(personas["leader"])
    assert scope.can_read_unit(world.nam_sach)
    assert not scope.can_edit_items_of(world.mao_dien)
    assert not scope.can_edit_plan_of(world.city)


def test_an_anonymous_visitor_has_no_scope(world):
    from django.contrib.auth.models import AnonymousUser

    scope = scope_for(AnonymousUser())
    assert scope.is_anonymous
    assert not scope.can_read_unit(world.city)


def test_a_revoked_membership_grants_nothing(world, personas):
    from cchc.org import services
    from cchc.org.models import Membership

    membership = Membership.objects.get(user=personas["sibling"])
    services.membership_revoke(actor=personas["admin"], membership=membership)
    user = type(personas["sibling"]).objects.get(pk=personas["sibling"].pk)
    assert not scope_for(user).can_read_unit(world.nam_sach)
