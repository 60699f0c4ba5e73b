"""A plan's life: a draft is issued or deleted; an issued plan is replaced by a new draft once that one is
issued, and kept as superseded. A number the issuer already uses is never taken silently."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cchc.core.models import AuditEntry
from cchc.org.permissions import build_scope
from cchc.plans import services
from cchc.plans.models import Plan, Target, Task
from cchc.plans.permissions import can_edit_task, plans_visible


def _plan_audit(plan_pk: int, **filters):
    return AuditEntry.objects.filter(
        content_type__app_label="plans", content_type__model="plan", object_id=str(plan_pk), **filters
    )


def _draft(world, *, number="99/KH-UBND", replaces=None, **fields):
    plan = services.plan_create(
        actor=None,
        issuer=world.mao_dien,
        number=number,
        title="Kế hoạch CCHC xã Mao Điền năm 2027",
        year_start=2027,
        year_end=2027,
        replaces=replaces,
        **fields,
    )
    services.task_create(actor=None, plan=plan, area=1, content="Rà soát thủ tục hành chính năm 2027")
    return plan


def test_an_officer_issues_a_draft_and_then_the_units_below_see_it(world, personas):
    draft = _draft(world)
    office = build_scope(personas["office_officer"])
    assert not plans_visible(office).filter(pk=draft.pk).exists()
    issued = services.plan_issue(
        actor=personas["officer"], plan=draft, expected_version=draft.version, issued_on=date(2026, 12, 1)
    )
    assert (issued.status, issued.version, issued.issued_on) == ("issued", 2, date(2026, 12, 1))
    assert _plan_audit(draft.pk, action="status").exists()
    assert plans_visible(build_scope(personas["office_officer"])).filter(pk=draft.pk).exists()


def test_issuing_needs_a_number_a_date_and_some_content_and_the_current_version(world, personas):
    empty = services.plan_create(
        actor=None, issuer=world.mao_dien, title="Trống", year_start=2027, year_end=2027
    )
    with pytest.raises(ValidationError) as caught:
        services.plan_issue(actor=personas["officer"], plan=empty, expected_version=1)
    assert set(caught.value.message_dict) == {"number", "issued_on", "__all__"}
    draft = _draft(world)
    with pytest.raises(services.ConflictError):
        services.plan_issue(actor=personas["officer"], plan=draft, expected_version=7, issued_on=date.today())
    with pytest.raises(PermissionDenied):
        services.plan_issue(
            actor=personas["office_officer"], plan=draft, expected_version=1, issued_on=date.today()
        )
    assert Plan.objects.get(pk=draft.pk).status == "draft"


def test_a_draft_is_deleted_with_its_tasks_and_targets_and_an_issued_plan_never(world, personas):
    draft = _draft(world)
    services.target_create(actor=None, plan=draft, area=2, text="Chỉ tiêu", comparator="text")
    services.plan_delete(actor=personas["head"], plan=draft, expected_version=draft.version)
    assert not Plan.objects.filter(pk=draft.pk).exists()
    assert not Task.objects.filter(plan_id=draft.pk).exists()
    assert not Target.objects.filter(plan_id=draft.pk).exists()
    entry = _plan_audit(draft.pk, action="delete").get()
    assert entry.changes["tasks"] == 1 and entry.changes["targets"] == 1
    with pytest.raises(ValidationError):
        services.plan_delete(actor=personas["admin"], plan=world.plan, expected_version=world.plan.version)
    assert Plan.objects.filter(pk=world.plan.pk).exists()


def test_a_draft_concretised_below_cannot_be_deleted(world, personas):
    draft = _draft(world)
    child = services.plan_create(
        actor=None, issuer=world.mao_dien, title="Con", year_start=2027, year_end=2027, parent=draft
    )
    with pytest.raises(ValidationError, match="cụ thể hóa"):
        services.plan_delete(actor=personas["officer"], plan=draft, expected_version=draft.version)
    assert Plan.objects.filter(pk__in=[draft.pk, child.pk]).count() == 2


def test_a_number_the_issuer_already_uses_is_refused_until_the_caller_says_replace_or_distinct(world):
    with pytest.raises(services.DuplicatePlanError) as caught:
        _draft(world, number=" 84/kh-ubnd ")
    assert caught.value.existing == [world.plan]
    assert "84/KH-UBND" in caught.value.messages[0]
    distinct = _draft(world, number="84/KH-UBND", allow_duplicate_number=True)
    created = _plan_audit(distinct.pk, action="create").get()
    assert created.changes["duplicate_number_confirmed"] is True
    # Another issuer may use the same number.
    services.plan_create(
        actor=None, issuer=world.nam_sach, number="84/KH-UBND", title="Khác", year_start=2026, year_end=2026
    )


def test_a_replacement_supersedes_the_old_plan_when_issued_and_the_old_one_is_kept_read_only(world, personas):
    old = world.plan
    child = services.plan_create(
        actor=None,
        issuer=world.mao_dien,
        title="Kế hoạch năm 2026",
        year_start=2026,
        year_end=2026,
        parent=old,
    )
    new = _draft(world, number="84/KH-UBND", replaces=old)
    assert Plan.objects.get(pk=old.pk).status == "issued"  # nothing changes before the new one is issued
    with pytest.raises(ValidationError, match="Đã có dự thảo"):
        _draft(world, number="120/KH-UBND", replaces=old)
    services.plan_issue(
        actor=personas["officer"], plan=new, expected_version=new.version, issued_on=date.today()
    )
    old.refresh_from_db()
    assert old.status == "superseded" and old.version == 2
    assert _plan_audit(old.pk, action="status").get().changes["status"] == ["issued", "superseded"]
    # Kept: its tasks, targets, children and history; but no more edits.
    assert old.tasks.count() == 3 and Plan.objects.get(pk=child.pk).parent_id == old.pk
    scope = build_scope(personas["officer"])
    assert not can_edit_task(scope, world.task)
    with pytest.raises(PermissionDenied):
        services.task_update(actor=personas["officer"], task=world.task, status="in_progress", progress=10)
    with pytest.raises(ValidationError):
        services.plan_concretise(actor=None, parent=old, issuer=world.mao_dien_office, title="x")
    # Its number is free again: the superseded plan is history.
    assert not services.plan_duplicates(issuer=world.mao_dien, number="84/KH-UBND", exclude=(new.pk,))


def test_only_an_issued_plan_of_the_same_issuer_can_be_replaced(world):
    with pytest.raises(ValidationError):
        _draft(world, number="1/KH", replaces=world.city_plan)
    draft = _draft(world)
    with pytest.raises(ValidationError):
        _draft(world, number="2/KH", replaces=draft)


def test_the_plan_page_offers_issue_and_delete_only_to_who_may_and_the_pages_confirm_first(
    world, personas, login
):
    draft = _draft(world)
    page = reverse("plans:plan_detail", args=[draft.pk])
    issue, delete = (
        reverse("plans:plan_issue", args=[draft.pk]),
        reverse("plans:plan_delete", args=[draft.pk]),
    )
    html = login(personas["officer"]).get(page).content.decode()
    assert issue in html and delete in html and "Dự thảo." in html
    html = login(personas["admin"]).get(reverse("plans:plan_detail", args=[world.plan.pk])).content.decode()
    assert "/ban-hanh/" not in html and "/xoa/" not in html
    client = login(personas["officer"])
    confirm = client.get(issue).content.decode()
    assert "Ban hành kế hoạch" in confirm and 'name="issued_on"' in confirm
    assert Plan.objects.get(pk=draft.pk).status == "draft"  # GET only asks
    response = client.post(issue, {"number": "99/KH-UBND", "issued_on": "2026-12-01", "version": 1})
    assert response.status_code == 302 and response["Location"] == page
    assert Plan.objects.get(pk=draft.pk).status == "issued"


def test_the_issue_page_answers_a_stale_version_with_409_and_a_duplicate_with_the_existing_plan(
    world, personas, login
):
    draft = _draft(world)
    client = login(personas["officer"])
    url = reverse("plans:plan_issue", args=[draft.pk])
    response = client.post(url, {"number": "99/KH-UBND", "issued_on": "2026-12-01", "version": 9})
    assert response.status_code == 409 and "người khác cập nhật" in response.content.decode()
    response = client.post(url, {"number": "84/KH-UBND", "issued_on": "2026-12-01", "version": 1})
    html = response.content.decode()
    assert response.status_code == 200 and reverse("plans:plan_detail", args=[world.plan.pk]) in html
    assert 'name="allow_duplicate_number"' in html  # asked only now
    assert 'name="allow_duplicate_number"' not in client.get(url).content.decode()
    assert Plan.objects.get(pk=draft.pk).status == "draft"
    response = client.post(
        url, {"number": "84/KH-UBND", "issued_on": "2026-12-01", "version": 1, "allow_duplicate_number": "on"}
    )
    assert response.status_code == 302 and Plan.objects.get(pk=draft.pk).status == "issued"


def test_the_delete_page_deletes_a_draft_on_post_only(world, personas, login):
    draft = _draft(world)
    client = login(personas["commune_standing"])
    url = reverse("plans:plan_delete", args=[draft.pk])
    assert "Xóa dự thảo kế hoạch" in client.get(url).content.decode()
    assert Plan.objects.filter(pk=draft.pk).exists()
    assert login(personas["office_officer"]).post(url, {"version": 1}).status_code == 404
    assert Plan.objects.filter(pk=draft.pk).exists()
    response = login(personas["commune_standing"]).post(url, {"version": 1})
    assert response.status_code == 302 and not Plan.objects.filter(pk=draft.pk).exists()


def test_concretising_with_a_number_the_unit_already_uses_shows_that_plan_and_asks(world, personas, login):
    services.plan_update(actor=None, plan=world.plan_b, status="issued")
    client = login(personas["sibling"])
    url = reverse("plans:plan_concretise", args=[world.city_plan.pk])
    data = {"issuer": world.nam_sach.pk, "number": "51/KH-UBND", "title": "Kế hoạch mới"}
    html = client.post(url, data).content.decode()
    assert f'value="replace-{world.plan_b.pk}"' in html and 'value="distinct"' in html
    assert Plan.objects.filter(issuer=world.nam_sach).count() == 1
    response = client.post(url, {**data, "on_duplicate": f"replace-{world.plan_b.pk}"})
    new = Plan.objects.get(issuer=world.nam_sach, title="Kế hoạch mới")
    assert response.status_code == 302 and new.replaces_id == world.plan_b.pk and new.status == "draft"
