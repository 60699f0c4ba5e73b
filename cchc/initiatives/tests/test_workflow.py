from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.exceptions import ConflictError, PermissionDenied, ValidationError
from cchc.core.models import AuditEntry
from cchc.initiatives import selectors, services
from cchc.initiatives.models import Initiative, Notice
from cchc.initiatives.tests.conftest import AUTHORS, BEFORE, DEADLINE, form_data, score

pytestmark = pytest.mark.django_db


def test_the_campaign_is_data_and_its_notice_reaches_every_unit_in_app_and_by_mail(campaign, people, world):
    people["head"].email = "head@maodien.gov.vn"
    people["head"].save()
    assert [f.code for f in campaign.fields.all()] == ["a", "c", "g"]
    assert [c.code for c in campaign.criteria.all()] == ["novelty", "effect", "replicability", "scope"]
    with pytest.raises(PermissionDenied):
        services.campaign_notify(actor=people["officer"], campaign=campaign)

    services.campaign_notify(actor=people["science"], campaign=campaign)
    told = set(Notice.objects.filter(kind="campaign").values_list("user__username", flat=True))
    assert {"officer", "head", "commune_standing", "sibling", "department_officer", "science"} <= told
    notice = Notice.objects.get(user=people["head"], kind="campaign")
    assert "23:59 ngày 29/09/2025" in notice.message


def test_the_campaign_mail_is_sent_on_commit(campaign, people, django_capture_on_commit_callbacks):
    people["sibling"].email = "sibling@namsach.gov.vn"
    people["sibling"].save()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_notify(actor=people["science"], campaign=campaign)
    assert any("sibling@namsach.gov.vn" in m.to for m in mail.outbox)
    assert "29/09/2025" in mail.outbox[0].body


def test_contributions_must_add_up_to_a_hundred_and_nothing_is_saved_otherwise(campaign, people, world):
    with pytest.raises(ValidationError, match="100%; hiện là 90"):
        services.initiative_create(
            actor=people["officer"],
            campaign=campaign,
            unit=world.mao_dien,
            data=form_data(campaign),
            authors=[{"full_name": "A", "contribution": "50"}, {"full_name": "B", "contribution": "40"}],
        )
    assert not Initiative.objects.exists()


def test_a_sibling_commune_cannot_propose_for_mao_dien(campaign, people, world):
    with pytest.raises(PermissionDenied):
        services.initiative_create(
            actor=people["sibling"],
            campaign=campaign,
            unit=world.mao_dien,
            data=form_data(campaign),
            authors=AUTHORS,
        )


def test_only_the_head_submits_and_one_minute_after_the_deadline_is_refused(draft, people):
    with pytest.raises(PermissionDenied):
        services.initiative_submit(actor=people["officer"], initiative=draft, expected_version=1, now=BEFORE)
    with pytest.raises(ValidationError, match="quá hạn"):
        services.initiative_submit(
            actor=people["head"], initiative=draft, expected_version=1, now=DEADLINE + timedelta(minutes=1)
        )
    draft.refresh_from_db()
    assert draft.status == "draft"
    done = services.initiative_submit(
        actor=people["head"], initiative=draft, expected_version=1, now=DEADLINE
    )
    assert done.status == "submitted"


def test_a_stale_form_is_refused(draft, people, campaign):
    services.initiative_update(
        actor=people["officer"],
        initiative=draft,
        expected_version=1,
        data=form_data(campaign),
        authors=AUTHORS,
    )
    with pytest.raises(ConflictError):
        services.initiative_update(
            actor=people["officer"],
            initiative=draft,
            expected_version=1,
            data=form_data(campaign),
            authors=AUTHORS,
        )


def test_an_attachment_that_is_not_what_it_claims_is_refused(draft, people):
    from cchc.core.tests.samples import pdf_exe_polyglot, tiny_pdf

    fake = SimpleUploadedFile("bao-cao.pdf", pdf_exe_polyglot(), content_type="application/pdf")
    with pytest.raises(ValidationError, match="không phải PDF hợp lệ"):
        services.attachment_add(actor=people["officer"], initiative=draft, upload=fake)
    assert not draft.attachments.exists()
    real = SimpleUploadedFile("bao-cao.pdf", tiny_pdf(), content_type="application/pdf")
    assert (
        services.attachment_add(actor=people["officer"], initiative=draft, upload=real).original_name
        == "bao-cao.pdf"
    )


def test_returned_for_supplements_with_a_reason_then_resubmitted_and_the_authors_are_told(
    draft, people, django_capture_on_commit_callbacks
):
    submitted = services.initiative_submit(
        actor=people["head"], initiative=draft, expected_version=1, now=BEFORE
    )
    with pytest.raises(ValidationError, match="lý do"):
        services.initiative_check(
            actor=people["science"],
            initiative=submitted,
            expected_version=submitted.version,
            decision="return",
        )
    with django_capture_on_commit_callbacks(execute=True):
        returned = services.initiative_check(
            actor=people["science"],
            initiative=submitted,
            expected_version=submitted.version,
            decision="return",
            reason="Bổ sung số liệu hồ sơ trễ hạn trước và sau khi áp dụng.",
        )
    assert returned.status == "returned"
    assert any("an@maodien.gov.vn" in m.to and "Bổ sung số liệu" in m.body for m in mail.outbox)
    assert Notice.objects.filter(user=people["officer"], kind="returned").exists()
    # The return asked for it, so the resubmission is accepted after the deadline too.
    again = services.initiative_submit(
        actor=people["head"],
        initiative=returned,
        expected_version=returned.version,
        now=DEADLINE + timedelta(days=3),
    )
    assert again.status == "submitted"
    steps = list(
        AuditEntry.objects.filter(object_id=str(draft.pk), action="status", content_type__model="initiative")
        .order_by("id")
        .values_list("changes", flat=True)
    )
    assert [s["status"] for s in steps] == [
        ["draft", "submitted"],
        ["submitted", "returned"],
        ["returned", "submitted"],
    ]


def test_the_conflicted_member_is_pinned_from_the_tree_and_never_counted(eligible, people, council):
    assert eligible.conflicts.get().member == council["conflicted"]
    with pytest.raises(PermissionDenied):
        score(people, eligible, "conflicted")
    score(people, eligible, "member", (8, 8, 8, 8))
    stats = selectors.aggregate(eligible)
    assert (stats.count, stats.members) == (1, 2)
    _, rows = selectors.council_board(people["conflicted"], eligible.campaign)
    assert rows == []


def test_blind_phase_then_mean_median_spread_and_to_discuss(eligible, people, campaign):
    score(people, eligible, "member", (9, 9, 9, 10))
    _, rows = selectors.council_board(people["member"], campaign)
    assert rows[0].stats.mean == 91
    _, rows = selectors.council_board(people["science"], campaign)
    assert rows[0].stats.count == 1
    score(people, eligible, "chair", (5, 5, 5, 5))
    _, rows = selectors.council_board(people["member"], campaign)
    assert (rows[0].stats.mean, rows[0].stats.median, rows[0].stats.spread) == (70.5, 70.5, 41)
    assert rows[0].to_discuss


def test_blind_member_sees_counts_but_no_figures_before_own_review(eligible, people, campaign):
    score(people, eligible, "chair", (5, 5, 5, 5))
    _, rows = selectors.council_board(people["member"], campaign)
    assert rows[0].stats.count == 1 and rows[0].stats.mean is None and rows[0].mine is None


def test_a_score_outside_the_range_is_refused(eligible, people):
    with pytest.raises(ValidationError, match="từ 0 đến 10"):
        score(people, eligible, "member", (11, 8, 8, 8))


def test_verdict_reason_required_when_not_recognised_and_reopen_only_by_the_chair(eligible, people):
    score(people, eligible, "member")
    with pytest.raises(PermissionDenied):
        services.verdict_record(actor=people["member"], initiative=eligible, recognised=True, method="mean")
    with pytest.raises(ValidationError, match="lý do"):
        services.verdict_record(actor=people["chair"], initiative=eligible, recognised=False, method="vote")
    verdict = services.verdict_record(
        actor=people["chair"], initiative=eligible, recognised=True, method="mean"
    )
    assert verdict.final_score == 80
    with pytest.raises(PermissionDenied):
        services.verdict_reopen(actor=people["member"], verdict=verdict, reason="x")
    with pytest.raises(ValidationError, match="lý do"):
        services.verdict_reopen(actor=people["chair"], verdict=verdict, reason=" ")
    reopened = services.verdict_reopen(actor=people["chair"], verdict=verdict, reason="Có phiếu chấm nhầm")
    assert not reopened.is_final
    eligible.refresh_from_db()
    assert eligible.status == "eligible"


def test_top_five_with_the_campaigns_tie_rule(campaign, people, world, council):
    """Equal final scores: by criteria in rubric order (novelty first), or by the earlier submission."""
    from datetime import datetime

    made = []
    for n, (title, sheet) in enumerate(
        [("Cũ hơn, tính mới thấp", (7, 8, 8, 8)), ("Mới hơn, tính mới cao", (8, 7, 8, 8))]
    ):
        i = services.initiative_create(
            actor=people["officer"],
            campaign=campaign,
            unit=world.mao_dien,
            data=form_data(campaign, title=title),
            authors=AUTHORS,
        )
        i = services.initiative_submit(
            actor=people["head"], initiative=i, expected_version=1, now=BEFORE.replace(day=10 + n)
        )
        i = services.initiative_check(
            actor=people["science"], initiative=i, expected_version=i.version, decision="eligible"
        )
        score(people, i, "member", sheet)
        services.verdict_record(actor=people["chair"], initiative=i, recognised=True, method="mean")
        made.append(i)
    assert [i.title for i in selectors.ranking(campaign)] == [
        "Mới hơn, tính mới cao",
        "Cũ hơn, tính mới thấp",
    ]
    campaign.tie_rule = "earlier_submission"
    campaign.save()
    assert [i.title for i in selectors.ranking(campaign)] == [
        "Cũ hơn, tính mới thấp",
        "Mới hơn, tính mới cao",
    ]
    campaign.award_count = 1
    assert len(selectors.top_awards(campaign)) == 1
    assert isinstance(made[0].first_submitted_at, datetime)


def test_a_stale_score_sheet_is_refused_and_the_first_save_stays(eligible, people):
    codes = {"novelty": 8, "effect": 8, "replicability": 8, "scope": 8}
    review = services.review_save(
        actor=people["member"], initiative=eligible, scores=codes, expected_version=0
    )
    services.review_save(
        actor=people["member"], initiative=eligible, scores=codes, expected_version=review.version
    )
    with pytest.raises(ConflictError):
        services.review_save(
            actor=people["member"],
            initiative=eligible,
            scores={**codes, "scope": 1},
            expected_version=review.version,
        )
    review.refresh_from_db()
    assert review.total == 80 and review.version == 2
