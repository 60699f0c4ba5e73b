import pytest

from cchc.core.audit import AuditEntry
from cchc.core.exceptions import PermissionDenied, ValidationError
from cchc.surveys import services
from cchc.surveys.models import Question


def now(version) -> int:
    """The edit version a page showing ``version`` would post right now."""
    version.refresh_from_db()
    return version.version


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
        services.section_save(
            expected_version=now(draft), actor=actor, version=draft, code="moi", title="Phần mới"
        )
    with pytest.raises(PermissionDenied):
        services.question_save(
            expected_version=now(draft), actor=actor, section=section, code="m1", text="Câu mới", kind="scale"
        )
    with pytest.raises(PermissionDenied):
        services.builder_delete(expected_version=now(draft), actor=actor, item=section)


def test_the_manager_adds_edits_moves_and_deletes_questions_each_with_an_audit_row(personas, draft):
    manager = personas["city_standing"]
    section = services.section_save(
        expected_version=now(draft), actor=manager, version=draft, code="them", title="Góp ý thêm"
    )
    q1 = services.question_save(
        expected_version=now(draft),
        actor=manager,
        section=section,
        code="hl",
        text="Ông/Bà có quay lại không?",
        kind="single",
        required=True,
        choices=[["co", "Có"], ["khong", "Không"]],
    )
    q2 = services.question_save(
        expected_version=now(draft),
        actor=manager,
        section=section,
        code="ly-do",
        text="Vì sao không?",
        kind="long_text",
        show_if_code="hl",
        show_if_values=["khong"],
    )
    services.question_save(
        expected_version=now(draft),
        actor=manager,
        section=section,
        code="ly-do",
        text="Vì sao ạ?",
        kind="long_text",
        question=q2,
    )
    services.builder_move(expected_version=now(draft), actor=manager, item=q2, step=-1)
    assert [q.code for q in section.questions.order_by("order")] == ["ly-do", "hl"]
    q2.refresh_from_db()
    assert q2.text == "Vì sao ạ?" and q2.show_if_code == ""
    q1_pk = q1.pk
    services.builder_delete(expected_version=now(draft), actor=manager, item=q1)
    assert list(section.questions.values_list("code", flat=True)) == ["ly-do"]
    assert AuditEntry.objects.filter(action="delete", object_id=str(q1_pk)).exists()
    codes = list(draft.sections.order_by("order", "pk").values_list("code", flat=True))
    services.builder_move(expected_version=now(draft), actor=manager, item=section, step=-1)
    moved = list(draft.sections.order_by("order", "pk").values_list("code", flat=True))
    i = codes.index("them")
    assert moved[i - 1] == "them" and moved[i] == codes[i - 1]


def test_invalid_questions_are_refused_in_vietnamese(personas, draft):
    manager = personas["city_standing"]
    section = draft.sections.first()
    with pytest.raises(ValidationError) as exc:
        services.question_save(
            expected_version=now(draft),
            actor=manager,
            section=section,
            code="tc1",
            text="",
            kind="single",
            choices=[["a", "A"]],
        )
    errors = exc.value.message_dict
    assert errors["text"] == ["Vui lòng nhập nội dung câu hỏi."]
    assert errors["code"] == ["Mã câu hỏi đã có trong phiên bản này."]
    assert "ít nhất hai lựa chọn" in errors["choices"][0]
    with pytest.raises(ValidationError) as exc:
        services.question_save(
            expected_version=now(draft),
            actor=manager,
            section=section,
            code="x",
            text="X",
            kind="scale",
            show_if_code="khong-co",
        )
    assert "Câu điều kiện" in exc.value.message_dict["show_if_code"][0]


def test_a_version_used_by_a_round_is_frozen(personas, surveys):
    manager = personas["city_standing"]
    used = surveys.round.version
    section = used.sections.first()
    before = list(Question.objects.filter(section__version=used).values_list("code", "order"))
    for attempt in (
        lambda: services.section_save(
            expected_version=now(used), actor=manager, version=used, code="moi", title="Mới"
        ),
        lambda: services.question_save(
            expected_version=now(used), actor=manager, section=section, code="m", text="M", kind="scale"
        ),
        lambda: services.builder_delete(expected_version=now(used), actor=manager, item=section),
        lambda: services.builder_move(expected_version=now(used), actor=manager, item=section, step=1),
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
            "version": now(draft),
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
        {"op": "section", "code": "x", "title": "X", "version": now(used)},
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
    services.question_save(
        expected_version=now(draft),
        actor=manager,
        section=section,
        code="nua",
        text="Câu đang soạn",
        kind="scale",
    )
    assert draft.status == draft.Status.DRAFT
    later = _open(world, personas, surveys.survey)
    assert later.version_id == surveys.round.version_id != draft.pk
    assert "nua" not in [q.code for q in services.questions_of_round(later)]
    services.version_finish(expected_version=now(draft), actor=manager, version=draft)
    assert _open(world, personas, surveys.survey).version_id == draft.pk


def test_a_draft_version_chosen_explicitly_is_refused_and_a_finished_one_is_taken(
    world, personas, surveys, draft
):
    with pytest.raises(ValidationError) as exc:
        _open(world, personas, surveys.survey, version=draft)
    assert exc.value.messages == [services.DRAFT_VERSION_REFUSED.format(number=draft.number)]
    services.version_finish(expected_version=now(draft), actor=personas["city_standing"], version=draft)
    newer = services.version_create_from_latest(actor=personas["city_standing"], survey=surveys.survey)
    services.version_finish(expected_version=now(newer), actor=personas["city_standing"], version=newer)
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
    empty = services.section_save(
        expected_version=now(draft), actor=manager, version=draft, code="trong", title="Phần trống"
    )
    with pytest.raises(ValidationError, match="«Phần trống» chưa có câu hỏi"):
        services.version_finish(expected_version=now(draft), actor=manager, version=draft)
    services.builder_delete(expected_version=now(draft), actor=manager, item=empty)
    with pytest.raises(PermissionDenied):
        services.version_finish(expected_version=now(draft), actor=personas["officer"], version=draft)
    services.version_finish(expected_version=now(draft), actor=manager, version=draft)
    assert AuditEntry.objects.filter(object_id=str(draft.pk), action="update").exists()
    with pytest.raises(ValidationError) as exc:
        services.section_save(
            expected_version=now(draft), actor=manager, version=draft, code="moi", title="Mới"
        )
    assert exc.value.messages == [services.FINISHED_MESSAGE]
    with pytest.raises(ValidationError):
        services.version_finish(expected_version=now(draft), actor=manager, version=draft)


def test_the_manager_finishes_a_draft_on_its_page(personas, login, draft):
    from django.urls import reverse

    page = login(personas["city_standing"]).post(
        reverse("surveys:builder_version", args=[draft.pk]), {"op": "finish", "version": now(draft)}
    )
    assert page.status_code == 302
    draft.refresh_from_db()
    assert draft.status == draft.Status.FINISHED and draft.finished_at is not None


QUESTION_POST = {
    "op": "question",
    "code": "gop-y",
    "text": "Ông/Bà muốn góp ý gì thêm?",
    "kind": "long_text",
    "show_if_values": "",
}


@pytest.mark.parametrize("version", [None, "", "abc", "0", "-1", "1.5", "99999999999"])
def test_a_builder_save_without_a_readable_version_is_refused_and_keeps_the_input(
    personas, login, draft, version
):
    from django.urls import reverse

    data = {**QUESTION_POST, "section": draft.sections.first().pk}
    if version is not None:
        data["version"] = version
    page = login(personas["city_standing"]).post(reverse("surveys:builder_version", args=[draft.pk]), data)
    assert page.status_code == 400
    body = page.content.decode()
    assert "Nội dung vừa nhập (chưa lưu)" in body and 'value="Ông/Bà muốn góp ý gì thêm?"' in body
    assert not Question.objects.filter(section__version=draft, code="gop-y").exists()


def test_a_builder_save_on_a_stale_version_answers_409_and_keeps_the_input(personas, login, draft):
    from django.urls import reverse

    manager = personas["city_standing"]
    read_at = now(draft)
    services.section_save(actor=manager, version=draft, expected_version=read_at, code="moi", title="Mới")
    data = {**QUESTION_POST, "section": draft.sections.first().pk, "version": read_at}
    page = login(manager).post(reverse("surveys:builder_version", args=[draft.pk]), data)
    assert page.status_code == 409
    body = page.content.decode()
    assert services.BUILDER_CONFLICT in body and 'value="Ông/Bà muốn góp ý gì thêm?"' in body
    # The kept form carries the version now current, so saving it again goes through.
    assert f'name="version" value="{now(draft)}"' in body
    assert not Question.objects.filter(section__version=draft, code="gop-y").exists()


def test_the_services_require_the_version_and_refuse_a_stale_one(personas, draft):
    from cchc.core.exceptions import ConflictError

    manager = personas["city_standing"]
    section = draft.sections.first()
    with pytest.raises(TypeError):
        services.section_save(actor=manager, version=draft, code="moi", title="Mới")
    with pytest.raises(ValidationError):
        services.section_save(actor=manager, version=draft, expected_version=None, code="moi", title="Mới")
    stale = now(draft)
    services.builder_move(actor=manager, item=section, step=1, expected_version=stale)
    assert now(draft) == stale + 1
    for attempt in (
        lambda: services.question_save(
            actor=manager, section=section, expected_version=stale, code="m", text="M", kind="scale"
        ),
        lambda: services.builder_delete(actor=manager, item=section, expected_version=stale),
        lambda: services.version_finish(actor=manager, version=draft, expected_version=stale),
    ):
        with pytest.raises(ConflictError):
            attempt()
    assert draft.sections.filter(pk=section.pk).exists()


def _parallel(calls):
    """Run the calls at once on PostgreSQL (threads behind a barrier, each on its own connection);
    SQLite serialises writers anyway, so there they run one after another with the same version."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from cchc.core.exceptions import ConflictError

    def outcome(call):
        try:
            call()
            return "saved"
        except ConflictError:
            return "conflict"

    if connection.vendor != "postgresql":
        return [outcome(call) for call in calls]
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return outcome(call)
        finally:
            connection.close()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_builder_saves_of_one_version_one_wins_and_nineteen_conflict(personas, draft):
    manager = personas["city_standing"]
    section = draft.sections.first()
    shared = now(draft)
    calls = [
        (
            lambda i=i: services.question_save(
                actor=manager,
                section=section,
                expected_version=shared,
                code=f"cau-{i}",
                text=f"Câu hỏi thêm số {i}",
                kind="scale",
            )
        )
        for i in range(20)
    ]
    outcomes = _parallel(calls)
    assert sorted(outcomes).count("saved") == 1 and outcomes.count("conflict") == 19
    assert Question.objects.filter(section=section, code__startswith="cau-").count() == 1
    assert now(draft) == shared + 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_settings_saves_of_one_version_one_wins_and_nineteen_conflict(personas, surveys):
    from cchc.surveys.models import Survey

    shared = surveys.survey.version
    calls = [
        (
            lambda i=i: services.survey_settings_update(
                actor=personas["city_standing"],
                survey=surveys.survey,
                expected_version=shared,
                satisfied_levels=[4, 5],
                index_method="pooled",
                min_cell=i + 2,
            )
        )
        for i in range(20)
    ]
    outcomes = _parallel(calls)
    assert outcomes.count("saved") == 1 and outcomes.count("conflict") == 19
    assert Survey.objects.get(pk=surveys.survey.pk).version == shared + 1


def test_the_manager_edits_the_settings_in_the_builder_with_an_audit_row(personas, login, surveys):
    from django.urls import reverse

    survey = surveys.survey
    url = reverse("surveys:builder", args=[survey.pk])
    client = login(personas["city_standing"])
    assert "Cài đặt cách tính kết quả" in client.get(url).content.decode()
    data = {
        "op": "settings",
        "version": survey.version,
        "satisfied_levels": ["3", "4", "5"],
        "index_method": "pooled",
        "min_cell": "10",
    }
    assert client.post(url, data).status_code == 302
    survey.refresh_from_db()
    assert (survey.satisfied_levels, survey.index_method, survey.min_cell) == ([3, 4, 5], "pooled", 10)
    entry = AuditEntry.objects.filter(object_id=str(survey.pk), action="update").latest("pk")
    assert entry.changes["min_cell"] == [5, 10]
    stale = client.post(url, {**data, "min_cell": "7"})
    assert stale.status_code == 409 and 'value="7"' in stale.content.decode()
    for junk in ({"min_cell": "mười"}, {"satisfied_levels": ["9"]}, {"version": ""}, {"index_method": "x"}):
        page = client.post(url, {**data, "version": survey.version, **junk})
        assert page.status_code == 400, junk
    survey.refresh_from_db()
    assert survey.min_cell == 10


@pytest.mark.parametrize("who", ["officer", "sibling", "leader", "commune_standing", "department_officer"])
def test_only_the_owners_standing_agency_changes_the_settings(personas, login, surveys, who):
    from django.urls import reverse

    survey = surveys.survey
    page = login(personas[who]).post(
        reverse("surveys:builder", args=[survey.pk]),
        {"op": "settings", "version": survey.version, "satisfied_levels": ["1"], "min_cell": "1"},
    )
    assert page.status_code == 404
    with pytest.raises(PermissionDenied):
        services.survey_settings_update(
            actor=personas[who],
            survey=survey,
            expected_version=survey.version,
            satisfied_levels=[1],
            index_method="pooled",
            min_cell=1,
        )
    survey.refresh_from_db()
    assert survey.satisfied_levels == [4, 5]
