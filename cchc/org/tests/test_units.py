import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.models import AuditEntry
from cchc.org import services
from cchc.org.models import Unit
from cchc.org.selectors import UnitMatcher


def test_a_unit_gets_its_path_depth_and_organisation(world):
    assert world.mao_dien_office.path == f"{world.mao_dien.path}{world.mao_dien_office.pk}/"
    assert world.mao_dien_office.depth == 2
    assert world.mao_dien_office.organisation == world.mao_dien
    assert world.mao_dien.organisation == world.mao_dien


def test_moving_a_unit_moves_its_subtree(world, personas):
    services.unit_update(actor=personas["admin"], unit=world.mao_dien, parent=world.education)
    office = Unit.objects.get(pk=world.mao_dien_office.pk)
    assert office.path.startswith(Unit.objects.get(pk=world.education.pk).path)
    assert office.depth == 3


def test_a_unit_cannot_become_its_own_descendant(world, personas):
    with pytest.raises(ValidationError):
        services.unit_update(actor=personas["admin"], unit=world.mao_dien, parent=world.mao_dien_office)


def test_only_an_administrator_changes_units(world, personas):
    with pytest.raises(PermissionDenied):
        services.unit_create(
            actor=personas["city_standing"], code="X", name="Xã X", kind="commune", parent=world.city
        )


def test_creating_a_unit_writes_an_audit_row(world, personas):
    unit = services.unit_create(
        actor=personas["admin"], code="11311", name="Phường Hồng Bàng", kind="ward", parent=world.city
    )
    entry = AuditEntry.objects.get(object_id=str(unit.pk), content_type__model="unit")
    assert entry.actor == personas["admin"]
    assert entry.changes["name"] == "Phường Hồng Bàng"


@pytest.mark.parametrize(
    "written",
    [
        "Văn phòng HĐND và UBND xã",
        "Van phong HDND va UBND",
        "VĂN PHÒNG HĐND&UBND",
        "Văn phòng HĐND và UBND xã Mao Điền",
    ],
)
def test_written_names_match_the_communes_own_sub_unit(world, written):
    match = UnitMatcher().match(written, organisation=world.mao_dien)
    assert match.unit == world.mao_dien_office


def test_a_sub_unit_name_shared_by_communes_matches_within_the_issuer_only(world):
    matcher = UnitMatcher()
    assert matcher.match("Phòng Văn hóa - Xã hội", organisation=world.mao_dien).unit == world.mao_dien_culture
    assert matcher.match("Phòng Văn hóa - Xã hội", organisation=world.nam_sach).unit.parent == world.nam_sach
    assert matcher.match("Phòng Văn hóa - Xã hội", organisation=None).unit is None


def test_group_names_and_unknown_names_stay_text(world):
    matcher = UnitMatcher()
    assert matcher.match("Các cơ quan, đơn vị có liên quan", organisation=world.mao_dien).unit is None
    assert matcher.match("Phòng Không Tồn Tại", organisation=world.mao_dien).unit is None
    assert matcher.match("so noi vu", organisation=world.mao_dien).unit == world.home_affairs
