import pytest

from cchc.core.audit import AuditEntry
from cchc.core.exceptions import PermissionDenied, ValidationError
from cchc.surveys import services
from cchc.surveys.models import Question


@pytest.fixture
def draft(personas, surveys):
    return services.version_create_from_latest(actor=personas["city_standing"], survey=surveys.survey)


def test_a_new_version_copies_the_latest_with_its_choices_and_skip_logic(surveys, draft):
    old = list(Question.objects.filter(section__version=surveys.round.version).order_by("code"))
    new = list(Question.objects.filter(section__version=draft).order_by("code"))
    assert draft.number == surveys.round.version.number + 1
    assert [(q.code, q.kind, q.choices, q.show_if_code) for q in new] == [
        (q.code, q.kind, q.choices, q.show_if_code) for q in old
    ]
    assert AuditEntry.objects.filter(action="create", object_id=str(draft.pk)).exists()


@pytest.mark.parametrize("who", ["anonymous", "officer", "sibling", "leader"])
def test_only_the_owners_standing_agency_builds_a_survey(personas, surveys, draft, who):
    actor = personas[who]
    section = draft.sections.first()
    with pytest.raises(PermissionDenied):
        services.version_create_from_latest(actor=actor, survey=surveys.survey)
    with pytest.raises(PermissionDenied):
        services.section_save(actor=actor, version=draft, code="moi", title="Phần mới")
    with pytest.raises(PermissionDenied):
        services.question_save(actor=actor, section=section, code="m1", text="Câu mới", kind="scale")
    with pytest.raises(PermissionDenied):
        services.builder_delete(actor=actor, item=section)


def test_the_manager_adds_edits_moves_and_deletes_questions_each_with_an_audit_row(personas, draft):
    manager = personas["city_standing"]
    section = services.section_save(actor=manager, version=draft, code="them", title="Góp ý thêm")
    q1 = services.question_save(
        actor=manager,
        section=section,
        code="hl",
        text="Ông/Bà có quay lại không?",
        kind="single",
        required=True,
        choices=[["co", "Có"], ["khong", "Không"]],
    )
    q2 = services.question_save(
        actor=manager,
        section=section,
        code="ly-do",
        text="Vì sao không?",
        kind="long_text",
        show_if_code="hl",
        show_if_values=["khong"],
    )
    services.question_save(
        actor=manager, section=section, code="ly-do", text="Vì sao ạ?", kind="long_text", question=q2
    )
    services.builder_move(actor=manager, item=q2, step=-1)
    assert [q.code for q in section.questions.order_by("order")] == ["ly-do", "hl"]
    q2.refresh_from_db()
    assert q2.text == "Vì sao ạ?" and q2.show_if_code == ""
    q1_pk = q1.pk
    services.builder_delete(actor=manager, item=q1)
    assert list(section.questions.values_list("code", flat=True)) == ["ly-do"]
    assert AuditEntry.objects.filter(action="delete", object_id=str(q1_pk)).exists()
    codes = list(draft.sections.order_by("order", "pk").values_list("code", flat=True))
    services.builder_move(actor=manager, item=section, step=-1)
    moved = list(draft.sections.order_by("order", "pk").values_list("code", flat=True))
    i = codes.index("them")
    assert moved[i - 1] == "them" and moved[i] == codes[i - 1]


def test_invalid_questions_are_refused_in_vietnamese(personas, draft):
    manager = personas["city_standing"]
    section = draft.sections.first()
    with pytest.raises(ValidationError) as exc:
        services.question_save(
            actor=manager, section=section, code="tc1", text="", kind="single", choices=[["a", "A"]]
        )
    errors = exc.value.message_dict
    assert errors["text"] == ["Vui lòng nhập nội dung câu hỏi."]
    assert errors["code"] == ["Mã câu hỏi đã có trong phiên bản này."]
    assert "ít nhất hai lựa chọn" in errors["choices"][0]
    with pytest.raises(ValidationError) as exc:
        services.question_save(
            actor=manager, section=section, code="x", text="X", kind="scale", show_if_code="khong-co"
        )
    assert "Câu điều kiện" in exc.value.message_dict["show_if_code"][0]


def test_a_version_used_by_a_round_is_frozen(personas, surveys):
    manager = personas["city_standing"]
    used = surveys.round.version
    section = used.sections.first()
    before = list(Question.objects.filter(section__version=used).values_list("code", "order"))
    for attempt in (
        lambda: services.section_save(actor=manager, version=used, code="moi", title="Mới"),
        lambda: services.question_save(actor=manager, section=section, code="m", text="M", kind="scale"),
        lambda: services.builder_delete(actor=manager, item=section),
        lambda: services.builder_move(actor=manager, item=section, step=1),
    ):
        with pytest.raises(ValidationError) as exc:
            attempt()
        assert exc.value.messages == [services.FROZEN_MESSAGE]
    assert list(Question.objects.filter(section__version=used).values_list("code", "order")) == before


def test_the_builder_pages_answer_each_persona_as_its_scope_allows(personas, login, surveys, draft, client):
    from django.urls import reverse

    pages = [
        reverse("surveys:builder", args=[surveys.survey.pk]),
        reverse("surveys:builder_version", args=[draft.pk]),
    ]
    assert client.get(pages[0]).status_code == 302
    for who in ("officer", "sibling", "leader"):
        c = login(personas[who])
        assert [c.get(p).status_code for p in pages] == [404, 404]
    manager = login(personas["city_standing"])
    assert [manager.get(p).status_code for p in pages] == [200, 200]


def test_the_manager_adds_a_question_through_the_page_and_a_frozen_version_refuses(
    personas, login, surveys, draft
):
    from django.urls import reverse

    client = login(personas["city_standing"])
    section = draft.sections.first()
    url = reverse("surveys:builder_version", args=[draft.pk])
    page = client.post(
        url,
        {
            "op": "question",
            "section": section.pk,
            "code": "moi",
            "text": "Câu mới",
            "kind": "single",
            "choices": "co|Có\nkhong|Không",
        },
    )
    assert page.status_code == 302
    assert Question.objects.get(section=section, code="moi").choices == [["co", "Có"], ["khong", "Không"]]
    used = surveys.round.version
    frozen = client.post(
        reverse("surveys:builder_version", args=[used.pk]),
        {"op": "section", "code": "x", "title": "X"},
    )
    assert frozen.status_code == 400 and services.FROZEN_MESSAGE in frozen.content.decode()
    assert "Lưu câu hỏi" not in frozen.content.decode()


def test_a_version_note_longer_than_its_column_is_refused_in_vietnamese(surveys, personas):
    with pytest.raises(ValidationError, match="dài quá 300 ký tự"):
        services.version_create_from_latest(
            actor=personas["city_standing"], survey=surveys.survey, note="x" * 301
        )


def _open(world, personas, survey, **kwargs):
    return services.round_open(
        actor=personas["city_standing"],
        survey=survey,
        title="Đợt bổ sung",
        year=2026,
        units=[world.mao_dien],
        **kwargs,
    )


def test_a_round_opens_on_the_latest_finished_version_never_on_a_half_edited_draft(
    world, personas, surveys, draft
):
    manager = personas["city_standing"]
    section = draft.sections.first()
    services.question_save(actor=manager, section=section, code="nua", text="Câu đang soạn", kind="scale")
    assert draft.status == draft.Status.DRAFT
    later = _open(world, personas, surveys.survey)
    assert later.version_id == surveys.round.version_id != draft.pk
    assert "nua" not in [q.code for q in services.questions_of_round(later)]
    services.version_finish(actor=manager, version=draft)
    assert _open(world, personas, surveys.survey).version_id == draft.pk


def test_a_draft_version_chosen_explicitly_is_refused_and_a_finished_one_is_taken(
    world, personas, surveys, draft
):
    with pytest.raises(ValidationError) as exc:
        _open(world, personas, surveys.survey, version=draft)
    assert exc.value.messages == [services.DRAFT_VERSION_REFUSED.format(number=draft.number)]
    services.version_finish(actor=personas["city_standing"], version=draft)
    newer = services.version_create_from_latest(actor=personas["city_standing"], survey=surveys.survey)
    services.version_finish(actor=personas["city_standing"], version=newer)
    assert _open(world, personas, surveys.survey, version=draft).version_id == draft.pk


def test_a_survey_with_only_drafts_cannot_open_a_round(world, personas, surveys):
    from cchc.surveys.models import Survey, SurveyVersion

    bare = Survey.objects.create(code="moi", title="Khảo sát mới", owner=world.city, satisfied_levels=[4, 5])
    SurveyVersion.objects.create(survey=bare, number=1)
    with pytest.raises(ValidationError) as exc:
        _open(world, personas, bare)
    assert exc.value.messages == [services.NO_FINISHED_VERSION]


def test_a_finished_version_is_final_and_finishing_needs_questions_in_every_section(personas, draft):
    manager = personas["city_standing"]
    empty = services.section_save(actor=manager, version=draft, code="trong", title="Phần trống")
    with pytest.raises(ValidationError, match="«Phần trống» chưa có câu hỏi"):
        services.version_finish(actor=manager, version=draft)
    services.builder_delete(actor=manager, item=empty)
    with pytest.raises(PermissionDenied):
        services.version_finish(actor=personas["officer"], version=draft)
    services.version_finish(actor=manager, version=draft)
    assert AuditEntry.objects.filter(object_id=str(draft.pk), action="update").exists()
    with pytest.raises(ValidationError) as exc:
        services.section_save(actor=manager, version=draft, code="moi", title="Mới")
    assert exc.value.messages == [services.FINISHED_MESSAGE]
    with pytest.raises(ValidationError):
        services.version_finish(actor=manager, version=draft)


def test_the_manager_finishes_a_draft_on_its_page(personas, login, draft):
    from django.urls import reverse

    page = login(personas["city_standing"]).post(
        reverse("surveys:builder_version", args=[draft.pk]), {"op": "finish"}
    )
    assert page.status_code == 302
    draft.refresh_from_db()
    assert draft.status == draft.Status.FINISHED and draft.finished_at is not None
