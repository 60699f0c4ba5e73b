import contextlib
import threading
import uuid

import pytest
from django.db import connection

from cchc.core.exceptions import ConflictError, PermissionDenied, ValidationError
from cchc.surveys import selectors, services
from cchc.surveys.models import Answer, Draft, Question, Quota, Response, SpentToken
from cchc.surveys.tests.conftest import all_answers


def test_the_sipas_template_has_the_five_service_factors_on_the_five_level_scale(surveys):
    version = surveys.survey.versions.get()
    aspects = [s.title for s in version.sections.filter(is_aspect=True)]
    assert aspects == [
        "Tiếp cận dịch vụ",
        "Thủ tục hành chính",
        "Công chức trực tiếp giải quyết",
        "Kết quả giải quyết",
        "Tiếp nhận và xử lý góp ý, phản ánh, kiến nghị",
    ]
    scale = Question.objects.filter(section__version=version, kind="scale").first()
    assert [label for _, label in scale.choices] == [
        "Rất hài lòng",
        "Hài lòng",
        "Bình thường",
        "Không hài lòng",
        "Rất không hài lòng",
    ]
    assert surveys.survey.is_template and "mẫu để thành phố điều chỉnh" in surveys.survey.title
    assert surveys.survey.satisfied_levels == [4, 5]


def test_only_the_city_standing_agency_opens_a_round(world, personas, surveys):
    with pytest.raises(PermissionDenied):
        services.round_open(
            actor=personas["officer"], survey=surveys.survey, title="x", year=2026, units=[world.mao_dien]
        )


def test_a_required_question_left_empty_is_named_and_nothing_is_saved(surveys):
    raw = all_answers()
    del raw["tt2"]
    with pytest.raises(ValidationError) as info:
        services.response_submit(channel=surveys.mao_dien_desk, raw=raw, submission_uuid=uuid.uuid4())
    assert info.value.message_dict == {"tt2": ["Ông/Bà vui lòng trả lời câu hỏi này."]}
    assert Response.objects.count() == 0


def test_skip_logic_asks_about_feedback_handling_only_of_those_who_gave_feedback(surveys, submit):
    submit(surveys.mao_dien_desk, gy1=1)  # gy0 = "khong": gy1 is hidden and dropped
    assert not Answer.objects.filter(question__code="gy1").exists()
    submit(surveys.mao_dien_desk, gy0="co", gy1=2)
    assert Answer.objects.get(question__code="gy1").value_int == 2


def test_an_identical_resubmission_counts_once_and_an_altered_one_is_a_conflict(surveys, submit):
    uid = uuid.uuid4()
    first = submit(surveys.mao_dien_desk, 5, uid=uid)
    again = submit(surveys.mao_dien_desk, 5, uid=uid)
    assert first.created and not again.created and again.response.pk == first.response.pk
    with pytest.raises(ConflictError):
        submit(surveys.mao_dien_desk, 4, uid=uid)
    assert Response.objects.count() == 1


def test_the_response_keeps_only_the_hour_it_came_in(surveys, submit):
    response = submit(surveys.mao_dien_desk).response
    assert response.submitted_hour.minute == 0 and response.submitted_hour.second == 0


def test_a_receipt_token_is_spent_by_a_finished_response_only_and_refused_when_reused(surveys):
    token = services.token_issue(surveys.round, "H47.25-260301-0007")
    with pytest.raises(ValidationError):
        services.response_submit(
            channel=surveys.mao_dien_desk, raw={}, submission_uuid=uuid.uuid4(), token=token
        )
    assert not services.token_is_spent(surveys.round, token)
    services.response_submit(
        channel=surveys.mao_dien_desk, raw=all_answers(), submission_uuid=uuid.uuid4(), token=token
    )
    assert services.token_is_spent(surveys.round, token)
    with pytest.raises(services.TokenRefused, match="đã được dùng"):
        services.response_submit(
            channel=surveys.mao_dien_desk, raw=all_answers(3), submission_uuid=uuid.uuid4(), token=token
        )
    assert Response.objects.count() == 1
    # Nothing in the spent token points to the response.
    spent = SpentToken.objects.get()
    assert {f.name for f in SpentToken._meta.fields} == {"digest", "round", "spent_on"}
    assert "H47" not in spent.digest


def test_a_forged_or_foreign_token_is_refused(surveys):
    with pytest.raises(services.TokenRefused, match="không hợp lệ"):
        services.token_read(surveys.round, "1.H47:forged")


def test_a_draft_keeps_partial_answers_and_finishing_deletes_it(surveys):
    uid = uuid.uuid4()
    draft = services.draft_save(channel=surveys.mao_dien_desk, raw={"tc1": "4"}, submission_uuid=uid)
    assert Draft.objects.get(key=draft.key).answers == {"tc1": 4}
    services.response_submit(
        channel=surveys.mao_dien_desk, raw=all_answers(), submission_uuid=uid, draft_key=draft.key
    )
    assert not Draft.objects.exists()


def test_a_quota_refuses_the_response_after_the_last_place(world, personas, surveys, submit):
    services.quota_set(actor=personas["city_standing"], round_=surveys.round, unit=world.mao_dien, target=2)
    submit(surveys.mao_dien_desk)
    submit(surveys.mao_dien_desk)
    with pytest.raises(services.QuotaFull):
        submit(surveys.mao_dien_desk)
    assert Response.objects.filter(unit=world.mao_dien).count() == 2
    assert Quota.objects.get().filled == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_never_overshoot_a_quota(world, personas, surveys):
    # The race is real on PostgreSQL (row locks under READ COMMITTED); SQLite's in-memory test
    # database allows one writer, so there the workers take turns and the count is still checked.
    turn = threading.Lock() if connection.vendor == "sqlite" else contextlib.nullcontext()
    services.quota_set(actor=personas["city_standing"], round_=surveys.round, unit=world.mao_dien, target=10)
    outcomes = []

    def worker():
        try:
            with turn:
                services.response_submit(
                    channel=surveys.mao_dien_desk, raw=all_answers(), submission_uuid=uuid.uuid4()
                )
            outcomes.append("ok")
        except services.QuotaFull:
            outcomes.append("full")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 10 and outcomes.count("full") == 30
    assert Response.objects.filter(unit=world.mao_dien).count() == 10


def test_sample_size_follows_n_equals_n_over_one_plus_n_e_squared():
    assert services.sample_size(1000) == 286
    assert services.sample_size(20000) == 393
    assert services.sample_size(0) == 0


def test_indices_per_aspect_and_overall_with_n_and_interval(surveys, submit):
    for level in (5, 5, 4, 2):
        submit(surveys.mao_dien_desk, level)
    data = selectors.round_counts(surveys.round)
    results = selectors.results_of(data, data["cells"])
    assert results.responses == 4
    assert results.overall.value == 75.0 and results.overall.n == 4
    assert results.overall.low < 75 < results.overall.high
    first_aspect, value = results.aspects[0]
    assert first_aspect["title"] == "Tiếp cận dịch vụ" and value.value == 75.0


def test_which_levels_count_as_satisfied_is_a_setting(personas, surveys, submit):
    for level in (5, 3):
        submit(surveys.mao_dien_desk, level)
    services.survey_settings_update(
        actor=personas["city_standing"],
        survey=surveys.survey,
        expected_version=surveys.survey.version,
        satisfied_levels=[3, 4, 5],
        index_method="pooled",
        min_cell=5,
    )
    surveys.round.survey.refresh_from_db()
    data = selectors.round_counts(surveys.round)
    assert selectors.results_of(data, data["cells"]).overall.value == 100.0


def test_published_cells_below_the_minimum_count_are_suppressed(world, surveys, submit):
    for _ in range(5):
        submit(surveys.mao_dien_desk, 5)
    submit(surveys.nam_sach_desk, 1)
    data = selectors.round_counts(surveys.round)
    rows = dict(selectors.results_by_unit(data, [world.mao_dien, world.nam_sach], suppress=True))
    assert rows[world.mao_dien].overall.value == 100.0
    assert rows[world.nam_sach].overall.value is None and rows[world.nam_sach].overall.suppressed


def test_publishing_freezes_a_snapshot_that_feeds_the_satisfaction_target_with_provenance(
    world, personas, surveys, submit
):
    for level in (5, 5, 5, 4, 4, 4, 4, 4, 4, 2):
        submit(surveys.mao_dien_desk, level)
    snapshot = services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    assert len(snapshot.sha256) == 64
    submit_after = Response.objects.count()
    target = world.plan.targets.get(text__startswith="Mức độ hài lòng")
    services.target_link_set(actor=personas["city_standing"], target=target, survey=surveys.survey)
    actual = selectors.satisfaction_target_actuals([target], 2026)[target.pk]
    assert actual.index.value == 90.0 and actual.met is True and actual.status_label == "Đạt"
    assert actual.value_label == "90,00%"
    assert actual.index.provenance["sha256"] == snapshot.sha256
    assert "Khảo sát SIPAS năm 2026" in actual.index.provenance_label
    assert submit_after == 10
