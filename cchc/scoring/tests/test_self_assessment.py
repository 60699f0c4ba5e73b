from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.exceptions import ConflictError
from cchc.core.tests.samples import tiny_pdf
from cchc.plans import services as plans
from cchc.scoring import services, sources
from cchc.scoring.models import Assessment, ScoreEntry
from cchc.scoring.services import SelfEntry
from cchc.scoring.tests.conftest import fill_all

pytestmark = pytest.mark.django_db


def _item(assessment, code):
    return assessment.items.select_related("criterion").get(criterion__code=code)


def test_opening_the_season_gives_each_commune_of_the_block_its_assessment(season, world):
    assert set(season.assessments.values_list("unit__code", flat=True)) == {"10930", "10606"}


def test_a_score_the_method_does_not_allow_is_refused_naming_the_item(mao_dien_assessment, personas):
    item = _item(mao_dien_assessment, "1.1.1")
    with pytest.raises(ValidationError) as caught:
        services.assessment_save_self(
            actor=personas["officer"], assessment=mao_dien_assessment, entries={item.pk: SelfEntry("0,7")}
        )
    assert caught.value.messages == [
        "Tiêu chí 1.1.1: điểm 0,7 không hợp lệ, chỉ nhận một trong các mức 1, 0,5, 0."
    ]
    item.refresh_from_db()
    assert item.self_points is None


def test_free_points_stop_at_the_maximum_and_yes_no_takes_nothing_in_between(mao_dien_assessment, personas):
    free, yes_no = _item(mao_dien_assessment, "1.3.2"), _item(mao_dien_assessment, "2.1")
    with pytest.raises(ValidationError) as caught:
        services.assessment_save_self(
            actor=personas["officer"],
            assessment=mao_dien_assessment,
            entries={free.pk: SelfEntry("2,5"), yes_no.pk: SelfEntry("1")},
        )
    assert len(caught.value.messages) == 2
    services.assessment_save_self(
        actor=personas["officer"], assessment=mao_dien_assessment, entries={free.pk: SelfEntry("1,75")}
    )
    free.refresh_from_db()
    assert free.self_points == Decimal("1.75")


def test_a_sibling_commune_cannot_score_mao_dien(mao_dien_assessment, personas):
    item = _item(mao_dien_assessment, "2.1")
    with pytest.raises(PermissionDenied):
        services.assessment_save_self(
            actor=personas["sibling"], assessment=mao_dien_assessment, entries={item.pk: SelfEntry(3)}
        )


def test_a_stale_form_is_refused(mao_dien_assessment, personas):
    item = _item(mao_dien_assessment, "2.1")
    read_at = item.version
    services.assessment_save_self(
        actor=personas["officer"],
        assessment=mao_dien_assessment,
        entries={item.pk: SelfEntry(3, "x", "", read_at)},
    )
    with pytest.raises(ConflictError, match="2.1"):
        services.assessment_save_self(
            actor=personas["commune_standing"],
            assessment=mao_dien_assessment,
            entries={item.pk: SelfEntry(0, "y", "", read_at)},
        )


def test_data_proposes_the_plan_issued_on_time_and_the_share_of_tasks_done(
    mao_dien_assessment, world, personas
):
    plans.plan_update(actor=None, plan=world.plan, issued_on=date(2026, 1, 15))
    plans.task_update(actor=None, task=world.task, status="done", progress=100)
    services.assessment_propose(actor=personas["officer"], assessment=mao_dien_assessment)
    issued, done = _item(mao_dien_assessment, "1.1.1"), _item(mao_dien_assessment, "1.1.2")
    assert issued.proposed_points == Decimal(1)
    assert ["Ngày ban hành", "15/01/2026"] in issued.proposed_figures["figures"]
    # two top-level tasks, one done: 50% is below 70%, 0 points
    assert done.proposed_points == Decimal(0)
    assert ["Tỷ lệ", "50%"] in done.proposed_figures["figures"]
    assert issued.ledger.get().stage == ScoreEntry.Stage.PROPOSED


def test_a_source_without_data_proposes_nothing(mao_dien_assessment, personas):
    services.assessment_propose(actor=personas["officer"], assessment=mao_dien_assessment)
    initiatives = _item(mao_dien_assessment, "8.1")
    assert initiatives.proposed_points is None
    assert initiatives.proposed_figures["figures"] == [["Nguồn", "chưa có dữ liệu"]]
    assert "initiatives" in sources.REGISTRY and "survey" in sources.REGISTRY


def test_scoring_other_than_the_proposal_needs_a_reason(mao_dien_assessment, world, personas):
    plans.plan_update(actor=None, plan=world.plan, issued_on=date(2026, 1, 15))
    services.assessment_propose(actor=personas["officer"], assessment=mao_dien_assessment)
    item = _item(mao_dien_assessment, "1.1.1")
    with pytest.raises(ValidationError, match="khác điểm đề xuất"):
        services.assessment_save_self(
            actor=personas["officer"], assessment=mao_dien_assessment, entries={item.pk: SelfEntry("0,5")}
        )
    services.item_accept_proposal(actor=personas["officer"], item=item)
    item.refresh_from_db()
    assert item.self_points == 1


def test_the_head_submits_before_the_deadline_only_with_every_item_scored_and_explained_or_evidenced(
    mao_dien_assessment, personas
):
    with pytest.raises(ValidationError, match="chưa chấm điểm"):
        services.assessment_submit(
            actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 10)
        )
    fill_all(mao_dien_assessment, personas["officer"], explanation="")
    with pytest.raises(ValidationError, match="phải giải thích"):
        services.assessment_submit(
            actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 10)
        )
    fill_all(mao_dien_assessment, personas["officer"])
    with pytest.raises(PermissionDenied):
        services.assessment_submit(
            actor=personas["officer"], assessment=mao_dien_assessment, today=date(2027, 1, 10)
        )
    with pytest.raises(ValidationError, match="quá hạn"):
        services.assessment_submit(
            actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 21)
        )
    services.assessment_submit(
        actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 20)
    )
    mao_dien_assessment.refresh_from_db()
    assert mao_dien_assessment.status == Assessment.Status.SUBMITTED
    assert ScoreEntry.objects.filter(stage="self", item__assessment=mao_dien_assessment).count() == 23


def test_the_unit_withdraws_until_appraisal_starts(mao_dien_assessment, season, personas):
    fill_all(mao_dien_assessment, personas["officer"])
    services.assessment_submit(actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 1))
    services.assessment_withdraw(actor=personas["head"], assessment=mao_dien_assessment)
    services.assessment_submit(actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 1))
    services.season_advance(actor=personas["city_standing"], season=season, to_stage="appraisal")
    with pytest.raises(ValidationError, match="Thẩm định"):
        services.assessment_withdraw(actor=personas["head"], assessment=mao_dien_assessment)


def test_evidence_files_go_through_the_task_evidence_checks(mao_dien_assessment, personas):
    item = _item(mao_dien_assessment, "1.1.1")
    with pytest.raises(ValidationError, match="không phải PDF hợp lệ"):
        services.evidence_attach(
            actor=personas["officer"], item=item, upload=SimpleUploadedFile("kh.pdf", b"not a pdf")
        )
    evidence = services.evidence_attach(
        actor=personas["officer"],
        item=item,
        upload=SimpleUploadedFile("kh.pdf", tiny_pdf()),
        section_page="trang 2",
    )
    assert evidence.label == "kh.pdf" and evidence.section_page == "trang 2"


def test_evidence_links_to_the_units_own_plan_but_not_anothers(mao_dien_assessment, world, personas):
    item = _item(mao_dien_assessment, "1.1.1")
    linked = services.evidence_link(
        actor=personas["officer"], item=item, kind="plan", object_id=world.plan.pk
    )
    assert "84/KH-UBND" in linked.label
    with pytest.raises(ValidationError, match="Không tìm thấy"):
        services.evidence_link(actor=personas["officer"], item=item, kind="plan", object_id=world.plan_b.pk)


def test_an_inapplicable_criterion_is_dropped_and_the_total_rescaled(season, mao_dien_assessment, personas):
    from cchc.scoring.selectors import ranking

    scores = {"3.1": 0, "3.2": 2, "8.1": 0}
    fill_all(mao_dien_assessment, personas["officer"], points=lambda c: scores.get(c.code, c.max_points))
    item = _item(mao_dien_assessment, "3.1")
    services.item_set_applicable(
        actor=personas["city_standing"], item=item, applicable=False, reason="Không có TTHC"
    )
    services.assessment_submit(actor=personas["head"], assessment=mao_dien_assessment, today=date(2027, 1, 1))
    row = next(r for r in ranking(season).rows if r.code == "10930")
    # 52 of the 54 points that apply, rescaled to 60
    assert row.appraised == Decimal("57.78")
    # no survey result yet: the appraised part rescaled to 100
    assert row.index == Decimal("96.30")
    services.assessment_set_survey(
        actor=personas["city_standing"], assessment=mao_dien_assessment, points="38,5", source="Khảo sát 2026"
    )
    row = next(r for r in ranking(season).rows if r.code == "10930")
    assert row.index == Decimal("96.28")


def test_a_draft_keeps_an_explanation_typed_before_its_score(mao_dien_assessment, personas):
    item = _item(mao_dien_assessment, "2.2")
    services.assessment_save_self(
        actor=personas["officer"],
        assessment=mao_dien_assessment,
        entries={item.pk: SelfEntry("", "Đang tổng hợp")},
    )
    item.refresh_from_db()
    assert (item.self_points, item.explanation) == (None, "Đang tổng hợp")
