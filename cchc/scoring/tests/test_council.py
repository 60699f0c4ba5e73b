from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cchc.core.exceptions import ConflictError
from cchc.plans import services as plans
from cchc.scoring import selectors, services
from cchc.scoring.models import ScoreEntry
from cchc.scoring.permissions import is_conflicted
from cchc.scoring.tests.conftest import fill_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_appraisal(season, world, personas, council):
    for unit in (world.mao_dien, world.nam_sach):
        assessment = season.assessments.get(unit=unit)
        if unit == world.mao_dien:
            plans.plan_update(actor=None, plan=world.plan, issued_on=date(2026, 2, 20))
            services.assessment_propose(actor=personas["officer"], assessment=assessment)
        fill_all(assessment, personas["officer"] if unit == world.mao_dien else personas["sibling"])
        head = personas["head"]
        if unit == world.nam_sach:
            from cchc.conftest import _person

            head = _person("head_nam_sach", world.nam_sach, "head")
        services.assessment_submit(actor=head, assessment=assessment, today=date(2027, 1, 5))
    services.season_advance(actor=personas["city_standing"], season=season, to_stage="appraisal")
    season.refresh_from_db()
    services.council_assign(
        actor=personas["city_standing"], member=council["member"], assessments=season.assessments.all()
    )
    return season


def _item(season, unit, code):
    return (
        season.assessments.get(unit=unit)
        .items.select_related("criterion", "assessment__season")
        .get(criterion__code=code)
    )


def test_conflicts_come_from_the_unit_tree(council, world):
    conflicted = council["conflicted"]
    assert is_conflicted(conflicted, world.mao_dien)  # the member's office belongs to Mao Điền
    assert not is_conflicted(conflicted, world.nam_sach)
    assert not is_conflicted(council["member"], world.mao_dien)


def test_a_declared_conflict_counts_too(council, world, personas):
    services.council_declare_conflict(
        actor=council["member"].user,
        member=council["member"],
        unit=world.nam_sach,
        reason="Người thân công tác",
    )
    council["member"].refresh_from_db()
    assert is_conflicted(council["member"], world.nam_sach)


def test_a_conflicted_member_cannot_be_assigned_nor_score_the_unit(in_appraisal, council, world, personas):
    with pytest.raises(ValidationError, match="xung đột lợi ích với: Xã Mao Điền"):
        services.council_assign(
            actor=personas["city_standing"],
            member=council["conflicted"],
            assessments=in_appraisal.assessments.filter(unit=world.mao_dien),
        )
    with pytest.raises(PermissionDenied):
        services.member_score(
            actor=council["conflicted"].user, item=_item(in_appraisal, world.mao_dien, "2.1"), points=3
        )


def test_the_conflicted_members_queue_counts_leave_the_unit_out(in_appraisal, council, world):
    services.council_assign(
        actor=None,
        member=council["conflicted"],
        assessments=in_appraisal.assessments.filter(unit=world.nam_sach),
    )
    queue = selectors.council_queue(council["conflicted"])
    assert [row.assessment.unit for row in queue] == [world.nam_sach]
    hidden = selectors.hidden_units_for(council["conflicted"].user, in_appraisal)
    assert hidden == {world.mao_dien.pk}
    assert [r.code for r in selectors.ranking(in_appraisal, hide_unit_ids=hidden).rows] == ["10606"]
    assert len(selectors.season_overview(in_appraisal, hide_unit_ids=hidden)) == 1


def test_a_different_score_needs_a_reason(in_appraisal, council, world):
    item = _item(in_appraisal, world.mao_dien, "2.1")
    with pytest.raises(ValidationError, match="cần ghi lý do"):
        services.member_score(actor=council["member"].user, item=item, points=0)
    services.member_score(actor=council["member"].user, item=item, points=0, reason="Chưa có báo cáo rà soát")


def test_two_appraisers_saving_the_same_form_conflict(in_appraisal, council, world):
    item = _item(in_appraisal, world.mao_dien, "2.1")
    services.member_score(actor=council["member"].user, item=item, points=3, expected_version=0)
    with pytest.raises(ConflictError):
        services.member_score(
            actor=council["member"].user, item=item, points=0, reason="x", expected_version=0
        )
    services.member_score(actor=council["secretary"].user, item=item, points=3, expected_version=0)
    item.refresh_from_db()
    read_at = item.version
    services.council_score(
        actor=council["secretary"].user, item=item, method="consensus", expected_version=read_at
    )
    with pytest.raises(ConflictError):
        services.council_score(
            actor=council["secretary"].user,
            item=item,
            method="override",
            points=0,
            reason="r",
            expected_version=read_at,
        )


def test_only_the_secretary_records_the_councils_score_by_median_or_override(in_appraisal, council, world):
    item = _item(in_appraisal, world.mao_dien, "1.3.2")
    services.member_score(
        actor=council["member"].user, item=item, points="1", reason="Mới khắc phục một phần"
    )
    services.member_score(
        actor=council["secretary"].user, item=item, points="1,5", reason="Khắc phục phần lớn"
    )
    with pytest.raises(PermissionDenied):
        services.council_score(actor=council["member"].user, item=item, method="median")
    with pytest.raises(ValidationError, match="chưa thống nhất"):
        services.council_score(actor=council["secretary"].user, item=item, method="consensus")
    services.council_score(
        actor=council["secretary"].user, item=item, method="median", comment="Bổ sung văn bản khắc phục"
    )
    item.refresh_from_db()
    assert item.appraised_points == Decimal("1.25")


def _walk_to_lock(season, council, world, personas):
    item = _item(season, world.mao_dien, "1.1.1")
    for assessment in season.assessments.all():
        for each in assessment.items.filter(applicable=True).select_related("criterion"):
            if each.pk == item.pk:
                services.member_score(
                    actor=council["secretary"].user, item=each, points="0,5", reason="Ban hành muộn"
                )
                services.council_score(
                    actor=council["secretary"].user,
                    item=each,
                    method="median",
                    comment="Kế hoạch ban hành ngày 20/02",
                )
            else:
                services.council_score(
                    actor=council["secretary"].user,
                    item=each,
                    method="override",
                    points=each.self_points,
                    reason="Đúng",
                )
    services.season_advance(actor=personas["city_standing"], season=season, to_stage="explanation")
    item.refresh_from_db()
    services.item_explain(
        actor=personas["officer"],
        item=item,
        answer="Kế hoạch ban hành 25/01, có văn bản",
        today=date(2027, 2, 1),
    )
    plans.plan_update(actor=None, plan=world.plan, issued_on=date(2026, 1, 25))
    services.evidence_link(
        actor=personas["officer"], item=item, kind="plan", object_id=world.plan.pk, section_page="trang 1"
    )
    services.explanation_decide(
        actor=council["secretary"].user, item=item, points=1, reason="Chấp nhận giải trình"
    )
    season.refresh_from_db()
    services.season_lock(
        actor=personas["city_standing"], season=season, reason="Quyết định số 12/QĐ-UBND ngày 09/01/2027"
    )
    return item


def test_the_ledger_of_one_item_shows_all_five_stages_and_a_write_after_the_lock_is_refused(
    in_appraisal, council, world, personas
):
    locked_item = _walk_to_lock(in_appraisal, council, world, personas)
    stages = list(locked_item.ledger.values_list("stage", "points"))
    assert stages == [
        ("proposed", Decimal("0.5")),  # the plan was issued 20/02, after the 31/01 deadline
        ("self", Decimal(1)),
        ("appraised", Decimal("0.5")),
        ("explained", Decimal(1)),
        ("final", Decimal(1)),
    ]
    locked_item.refresh_from_db()
    assert locked_item.final_points == 1
    final = locked_item.ledger.get(stage=ScoreEntry.Stage.FINAL)
    assert final.reason == "Quyết định số 12/QĐ-UBND ngày 09/01/2027"
    explained = locked_item.ledger.get(stage=ScoreEntry.Stage.EXPLAINED)
    assert explained.evidence_seen and "trang 1" in explained.evidence_seen[0]
    with pytest.raises(ValidationError, match="đã được chốt ngày .*Quyết định số 12/QĐ-UBND"):
        services.item_explain(actor=personas["officer"], item=locked_item, answer="Thêm")
    with pytest.raises(ValidationError, match="đã được chốt"):
        services.assessment_set_survey(
            actor=personas["city_standing"], assessment=locked_item.assessment, points=30, source="x"
        )


def test_only_home_affairs_unlocks_with_a_reason(in_appraisal, council, world, personas):
    _walk_to_lock(in_appraisal, council, world, personas)
    in_appraisal.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.season_unlock(actor=personas["head"], season=in_appraisal, reason="x")
    with pytest.raises(ValidationError, match="lý do"):
        services.season_unlock(actor=personas["city_standing"], season=in_appraisal, reason=" ")
    services.season_unlock(
        actor=personas["city_standing"], season=in_appraisal, reason="Phúc khảo theo đơn của xã"
    )
    in_appraisal.refresh_from_db()
    assert in_appraisal.stage == "explanation"
