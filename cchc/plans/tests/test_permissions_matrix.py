"""Every plan page and endpoint, for every persona: who gets a page, who gets 404, who is sent to log in.

A 404 (not 403) for objects outside the scope, so a user cannot even learn that they exist."""

import pytest
from django.urls import reverse

from cchc.core.tests import samples
from cchc.testing import check_matrix

OK, HIDDEN, LOGIN = 200, 404, 302


#                   anon off  offi head cstd sib  city dept lead admin
READ_MAO_DIEN = "302  200  200  200  200  404  200  404  200  200"
EDIT_MAO_DIEN_PLAN = "302  200  404  200  200  404  404  404  404  200"
EDIT_OFFICE_TASK = "302  200  200  200  200  404  404  404  404  200"
READ_CITY_PLAN = "302  200  200  200  200  200  200  200  200  200"
READ_LISTS = "302  200  200  200  200  200  200  200  200  200"
# A draft is the issuing unit's working copy: those who plan for its issuer and admins, nobody else
# (not the sub-unit, not the city above, not the leader). Nam Sách's draft: only its own officer.
READ_MAO_DIEN_DRAFT = EDIT_MAO_DIEN_PLAN
READ_NAM_SACH_DRAFT = "302  404  404  404  404  200  404  404  404  200"
NOBODY = "302  404  404  404  404  404  404  404  404  404"


@pytest.fixture
def mao_dien_draft(world):
    from cchc.plans import services

    draft = services.plan_create(
        actor=None,
        issuer=world.mao_dien,
        number="99/KH-UBND",
        title="Dự thảo",
        year_start=2026,
        year_end=2026,
    )
    services.target_create(actor=None, plan=draft, area=2, text="Chỉ tiêu dự thảo", comparator="text")
    task = services.task_create(
        actor=None, plan=draft, area=1, content="Nhiệm vụ dự thảo", lead=["Văn phòng HĐND và UBND xã"]
    )
    return draft, task


def _lifecycle_urls(world, mao_dien_draft):
    draft, draft_task = mao_dien_draft
    return [
        ("plans:plan_detail", [draft.pk], READ_MAO_DIEN_DRAFT),
        ("plans:plan_export", [draft.pk], READ_MAO_DIEN_DRAFT),
        ("plans:task_detail", [draft_task.pk], READ_MAO_DIEN_DRAFT),
        ("plans:target_edit", [draft.targets.first().pk], READ_MAO_DIEN_DRAFT),
        ("object_history", ["plans.plan", draft.pk], READ_MAO_DIEN_DRAFT),
        ("plans:plan_issue", [draft.pk], EDIT_MAO_DIEN_PLAN),
        ("plans:plan_delete", [draft.pk], EDIT_MAO_DIEN_PLAN),
        ("plans:plan_detail", [world.plan_b.pk], READ_NAM_SACH_DRAFT),
        ("plans:task_detail", [world.task_b.pk], READ_NAM_SACH_DRAFT),
        # An issued plan is never deleted nor issued again, whoever asks.
        ("plans:plan_issue", [world.plan.pk], NOBODY),
        ("plans:plan_delete", [world.plan.pk], NOBODY),
        ("docimport:upload", [], "302  200  404  200  200  200  200  200  404  200"),
    ]


def test_drafts_and_their_lifecycle_pages_answer_each_persona_as_its_scope_allows(
    world, personas, login, mao_dien_draft
):
    pages = [
        (reverse(name, args=args), table) for name, args, table in _lifecycle_urls(world, mao_dien_draft)
    ]
    failures = check_matrix(login, personas, pages)
    assert not failures, "\n".join(failures)


def test_the_document_import_button_shows_exactly_to_those_whom_its_page_serves(world, personas, login):
    upload = reverse("docimport:upload")
    for persona, user in personas.items():
        if user is None:
            continue
        client = login(user)
        shown = upload in client.get(reverse("plans:plan_list")).content.decode()
        assert shown == (client.get(upload).status_code == 200), persona


def _urls(world, evidence):
    return [
        ("plans:plan_list", [], READ_LISTS),
        ("plans:task_list", [], READ_LISTS),
        ("plans:target_list", [], READ_LISTS),
        ("plans:plan_template", [], READ_LISTS),
        ("unit_tree", [], READ_LISTS),
        ("home", [], READ_LISTS),
        ("plans:plan_detail", [world.city_plan.pk], READ_CITY_PLAN),
        ("plans:plan_detail", [world.plan.pk], READ_MAO_DIEN),
        ("plans:plan_alignment", [world.plan.pk], READ_MAO_DIEN),
        ("plans:plan_export", [world.plan.pk], READ_MAO_DIEN),
        ("plans:plan_import", [world.plan.pk], EDIT_MAO_DIEN_PLAN),
        ("plans:task_detail", [world.task.pk], READ_MAO_DIEN),
        ("plans:task_edit", [world.task.pk], EDIT_MAO_DIEN_PLAN),
        ("plans:task_edit", [world.office_task.pk], EDIT_OFFICE_TASK),
        ("plans:task_structure_edit", [world.task.pk], EDIT_MAO_DIEN_PLAN),
        ("plans:target_edit", [world.plan.targets.first().pk], EDIT_MAO_DIEN_PLAN),
        ("plans:evidence_download", [evidence.pk], READ_MAO_DIEN),
        ("object_history", ["plans.task", world.task.pk], READ_MAO_DIEN),
        ("object_history", ["plans.plan", world.plan.pk], READ_MAO_DIEN),
        ("object_history", ["plans.target", world.plan.targets.first().pk], READ_MAO_DIEN),
    ]


@pytest.fixture
def evidence(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cchc.plans import services

    upload = SimpleUploadedFile("bao-cao.pdf", samples.tiny_pdf(), content_type="application/pdf")
    return services.evidence_attach(actor=None, task=world.task, upload=upload)


def test_every_page_answers_each_persona_as_its_scope_allows(world, personas, login, evidence):
    pages = [(reverse(name, args=args), table) for name, args, table in _urls(world, evidence)]
    failures = check_matrix(login, personas, pages)
    assert not failures, "\n".join(failures)


def test_a_commune_officer_gets_404_for_another_communes_task_page_and_its_edit_endpoint(
    world, personas, login
):
    client = login(personas["officer"])
    assert client.get(reverse("plans:task_detail", args=[world.task_b.pk])).status_code == 404
    assert client.get(reverse("plans:task_edit", args=[world.task_b.pk])).status_code == 404
    response = client.post(
        reverse("plans:task_edit", args=[world.task_b.pk]),
        {"status": "done", "progress": 100, "result": "x", "version": world.task_b.version},
    )
    assert response.status_code == 404
    world.task_b.refresh_from_db()
    assert world.task_b.status == "not_started"


@pytest.mark.parametrize("persona", ["anonymous", "sibling", "leader", "department_officer", "city_standing"])
def test_posts_outside_the_edit_scope_change_nothing(world, personas, login, persona):
    client = login(personas[persona])
    urls = [
        (reverse("plans:task_edit", args=[world.task.pk]), {"status": "done", "progress": 100, "version": 1}),
        (
            reverse("plans:task_structure_edit", args=[world.task.pk]),
            {"area": 1, "content": "Đổi", "version": 1},
        ),
        (reverse("plans:evidence_upload", args=[world.task.pk]), {"kind": "document"}),
        (reverse("plans:plan_import", args=[world.plan.pk]), {}),
        (
            reverse("plans:target_edit", args=[world.plan.targets.first().pk]),
            {"area": 2, "text": "Đổi", "comparator": "gte", "threshold": 1, "version": 1},
        ),
    ]
    for url, data in urls:
        response = client.post(url, data)
        assert response.status_code in (302, 404), url
        if persona == "anonymous":
            assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    world.task.refresh_from_db()
    assert (world.task.status, world.task.content, world.task.version) == (
        "not_started",
        world.task.content,
        1,
    )


def test_evidence_delete_is_refused_outside_scope(world, personas, login, evidence):
    for persona in ("sibling", "leader"):
        response = login(personas[persona]).post(reverse("plans:evidence_delete", args=[evidence.pk]))
        assert response.status_code == 404
    assert world.task.evidence.count() == 1


def test_concretise_is_offered_only_to_those_who_plan_for_a_child_unit(world, personas, login):
    url = reverse("plans:plan_concretise", args=[world.city_plan.pk])
    assert login(personas["officer"]).get(url).status_code == 200
    assert login(personas["leader"]).get(url).status_code == 404
    assert login(personas["office_officer"]).get(url).status_code == 404
