"""From a document to a plan through review: nothing is written to plans before the commit."""

import io
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from cchc.docimport import services
from cchc.docimport.models import ImportDraft
from cchc.plans.models import Plan, Task

SEEDS = Path(__file__).resolve().parents[4] / "shared" / "seeds"
MAO_DIEN = SEEDS / "ke-hoach-cchc-2026-2030-xa-mao-dien.txt"
seed_required = pytest.mark.skipif(not MAO_DIEN.exists(), reason="the seed documents sit beside the checkout")


def _mao_dien_bytes() -> bytes:
    return MAO_DIEN.read_bytes()


@seed_required
def test_a_draft_proposes_the_plan_and_writes_nothing_to_plans(world, personas):
    plans_before, tasks_before = Plan.objects.count(), Task.objects.count()
    draft = services.draft_create(
        actor=personas["officer"],
        data=_mao_dien_bytes(),
        filename="ke-hoach.txt",
        issuer=world.mao_dien,
        parent=world.city_plan,
    )
    assert (Plan.objects.count(), Task.objects.count()) == (plans_before, tasks_before)
    proposal = draft.proposal
    assert proposal["number"] == "84/KH-UBND"
    assert len(proposal["tasks"]) >= 30
    first = proposal["tasks"][0]
    assert first["lines"][0] >= 1 and 0 <= first["confidence"] <= 1
    # Lead names are matched to the commune's own sub-units, the rest flagged.
    matched = [u["unit_id"] for t in proposal["tasks"] for u in t["lead_units"]]
    assert world.mao_dien_culture.pk in matched or world.mao_dien_office.pk in matched


@seed_required
def test_review_corrections_then_commit_create_the_plan_in_one_go(world, personas):
    draft = services.draft_create(
        actor=personas["officer"],
        data=_mao_dien_bytes(),
        filename="ke-hoach.txt",
        issuer=world.mao_dien,
        parent=world.city_plan,
    )
    task_count = sum(1 + len(t.get("children") or []) for t in draft.proposal["tasks"])
    draft = services.draft_update(
        actor=personas["officer"],
        draft=draft,
        expected_version=draft.version,
        edits={
            "meta": {"number": "85/KH-UBND", "year_start": "2026", "year_end": "2030"},
            "tasks": {
                "0": {"content": "Nội dung đã sửa khi rà soát", "lead": "Văn phòng HĐND và UBND"},
                "1": {"include": False},
            },
            "targets": {"0": {"include": False}},
        },
    )
    plan = services.draft_commit(actor=personas["officer"], draft=draft)
    assert plan.number == "85/KH-UBND" and plan.status == "draft" and plan.parent == world.city_plan
    excluded = 1 + len(draft.proposal["tasks"][1].get("children") or [])
    assert plan.tasks.count() == task_count - excluded
    edited = plan.tasks.get(content="Nội dung đã sửa khi rà soát")
    assert list(edited.lead_units.all()) == [world.mao_dien_office]
    assert plan.targets.count() == len(draft.proposal["targets"]) - 1
    assert ImportDraft.objects.get(pk=draft.pk).status == "committed"
    with pytest.raises(ValidationError):
        services.draft_commit(actor=personas["officer"], draft=draft)  # once only


@seed_required
def test_a_stale_review_save_is_refused(world, personas):
    from cchc.core.exceptions import ConflictError

    draft = services.draft_create(
        actor=personas["officer"], data=_mao_dien_bytes(), filename="kh.txt", issuer=world.mao_dien
    )
    services.draft_update(
        actor=personas["officer"], draft=draft, expected_version=1, edits={"meta": {"title": "Tên thứ nhất"}}
    )
    with pytest.raises(ConflictError):
        services.draft_update(
            actor=personas["head"], draft=draft, expected_version=1, edits={"meta": {"title": "Tên thứ hai"}}
        )
    assert ImportDraft.objects.get(pk=draft.pk).proposal["title"] == "Tên thứ nhất"


@pytest.mark.parametrize(
    ("name", "data"),
    [("rong.docx", b""), ("meo.docx", b"\x89PNG\r\n\x1a\n" + b"\0" * 64), ("bang-tinh.docx", None)],
)
def test_garbage_gets_a_vietnamese_message_and_no_draft(world, personas, name, data):
    if data is None:
        from openpyxl import Workbook

        buffer = io.BytesIO()
        Workbook().save(buffer)
        data = buffer.getvalue()
    with pytest.raises(ValidationError) as caught:
        services.draft_create(actor=personas["officer"], data=data, filename=name, issuer=world.mao_dien)
    message = " ".join(caught.value.messages)
    assert any(word in message for word in ("Tệp", "tệp")), message
    assert ImportDraft.objects.count() == 0


@seed_required
def test_pages_upload_review_commit_and_scope(world, personas, login):
    client = login(personas["officer"])
    upload = SimpleUploadedFile("ke-hoach.txt", _mao_dien_bytes(), content_type="text/plain")
    response = client.post(
        reverse("docimport:upload"), {"file": upload, "issuer": world.mao_dien.pk, "parent": ""}
    )
    draft = ImportDraft.objects.get()  # read by the queue (inline in tests), the page shows the job
    assert response.status_code == 302 and response["Location"].startswith("/cong-viec/")
    job_page = client.get(response["Location"]).content.decode()
    assert "Hoàn thành" in job_page and reverse("docimport:review", args=[draft.pk]) in job_page
    html = client.get(reverse("docimport:review", args=[draft.pk])).content.decode()
    assert 'id="L1"' in html and "tin cậy" in html
    for persona in ("sibling", "leader", "anonymous"):
        status = login(personas[persona]).get(reverse("docimport:review", args=[draft.pk])).status_code
        assert status in (302, 404), persona
    assert login(personas["leader"]).get(reverse("docimport:upload")).status_code == 404
    # The document is Mao Điền's 84/KH-UBND, which the commune already has: the commit stops and asks.
    client = login(personas["officer"])
    response = client.post(
        reverse("docimport:review", args=[draft.pk]), {"version": draft.version, "then": "commit"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="duplicate-plans"' in html
    assert reverse("plans:plan_detail", args=[world.plan.pk]) in html
    assert f'value="replace-{world.plan.pk}"' in html and 'value="distinct"' in html
    assert not Plan.objects.filter(import_drafts=draft).exists()
    draft.refresh_from_db()
    response = client.post(
        reverse("docimport:review", args=[draft.pk]),
        {"version": draft.version, "then": "commit", "on_duplicate": f"replace-{world.plan.pk}"},
    )
    plan = Plan.objects.get(import_drafts=draft)
    assert response["Location"] == reverse("plans:plan_detail", args=[plan.pk])
    assert (plan.status, plan.replaces_id, plan.number) == ("draft", world.plan.pk, "84/KH-UBND")
    html = client.get(response["Location"]).content.decode()
    assert (
        reverse("plans:plan_issue", args=[plan.pk]) in html
        and reverse("plans:plan_delete", args=[plan.pk]) in html
    )


@seed_required
def test_a_commit_confirmed_as_a_distinct_plan_keeps_both_and_says_so_in_the_history(world, personas):
    draft = services.draft_create(
        actor=personas["officer"], data=_mao_dien_bytes(), filename="ke-hoach.txt", issuer=world.mao_dien
    )
    with pytest.raises(services.DuplicatePlanError):
        services.draft_commit(actor=personas["officer"], draft=draft)
    assert Plan.objects.filter(issuer=world.mao_dien).count() == 1
    plan = services.draft_commit(actor=personas["officer"], draft=draft, allow_duplicate_number=True)
    assert Plan.objects.filter(issuer=world.mao_dien, number="84/KH-UBND").count() == 2
    assert plan.replaces is None and Plan.objects.get(pk=world.plan.pk).status == "issued"


@seed_required
def test_import_plan_command_prints_json_and_saves_nothing(world, capsys):
    before = (Plan.objects.count(), ImportDraft.objects.count())
    call_command("import_plan", str(MAO_DIEN), "--json", "--issuer", "10930")
    proposal = json.loads(capsys.readouterr().out)
    assert proposal["number"] == "84/KH-UBND"
    assert {"targets", "tasks", "title"} <= set(proposal)
    assert all({"lines", "confidence"} <= set(t) for t in proposal["tasks"])
    assert (Plan.objects.count(), ImportDraft.objects.count()) == before


@seed_required
def test_the_reviewer_can_choose_the_issued_plan_a_document_with_a_new_number_replaces(
    world, personas, login
):
    draft = services.draft_create(
        actor=personas["officer"], data=_mao_dien_bytes(), filename="ke-hoach.txt", issuer=world.mao_dien
    )
    client = login(personas["officer"])
    url = reverse("docimport:review", args=[draft.pk])
    assert f'<option value="{world.plan.pk}"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "version": draft.version,
            "then": "commit",
            "meta__number": "120/KH-UBND",
            "meta__replaces": world.plan.pk,
        },
    )
    plan = Plan.objects.get(import_drafts=draft)
    assert response.status_code == 302 and (plan.number, plan.replaces_id) == ("120/KH-UBND", world.plan.pk)


def test_the_review_page_shows_the_source_in_nfc_keeping_its_indentation(world, personas, login):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "   KẾ HOẠCH cải cách hành chính")
    draft = ImportDraft.objects.create(
        issuer=world.mao_dien,
        filename="ke-hoach.txt",
        source_kind="txt",
        source_lines=[decomposed],
        proposal={"targets": [], "tasks": []},
        created_by=personas["officer"],
    )
    html = login(personas["officer"]).get(reverse("docimport:review", args=[draft.pk])).content.decode()
    assert ">   KẾ HOẠCH cải cách hành chính</li>" in html
    assert decomposed not in html


def test_a_plan_whose_appendix_cannot_be_read_gets_a_draft_with_its_unread_part_on_the_review_page(
    world, personas, login
):
    from cchc.docimport.tests.test_structure import UNREADABLE_APPENDIX

    draft = services.draft_create(
        actor=personas["officer"],
        data=UNREADABLE_APPENDIX.encode(),
        filename="ke-hoach-an-lao.txt",
        issuer=world.mao_dien,
        parent=None,
    )
    assert len(draft.proposal["targets"]) == 2 and draft.proposal["tasks"] == []
    html = login(personas["officer"]).get(reverse("docimport:review", args=[draft.pk])).content.decode()
    assert "Phần không đọc được" in html
    assert 'href="#L12"' in html and "dòng 12–16" in html and "phụ lục nhiệm vụ" in html


def test_the_review_page_lists_the_rows_skipped_inside_the_task_table(world, personas, login):
    from cchc.docimport.tests.test_structure import TABLE_WITH_SKIPPED_ROWS

    draft = services.draft_create(
        actor=personas["officer"],
        data=TABLE_WITH_SKIPPED_ROWS.encode(),
        filename="ke-hoach-an-lao.txt",
        issuer=world.mao_dien,
        parent=None,
    )
    assert [u["lines"] for u in draft.proposal["unread"]] == [[15, 15], [17, 17]]
    assert len(draft.proposal["tasks"]) == 2
    html = login(personas["officer"]).get(reverse("docimport:review", args=[draft.pk])).content.decode()
    assert "Phần không đọc được" in html
    assert 'href="#L15"' in html and "dòng 15</a>" in html and 'href="#L17"' in html
    assert "dòng trong bảng nhiệm vụ" in html and "Tổng cộng: 02 nhiệm vụ" in html
