from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.core.exceptions import ConflictError
from cchc.core.models import AuditEntry
from cchc.core.tests import samples
from cchc.plans import services
from cchc.plans.models import Task


def test_a_task_keeps_its_time_text_and_derives_its_window(world):
    assert world.task.time_text == "2026- 02/2027"
    assert (world.task.start_date, world.task.end_date) == (date(2026, 1, 1), date(2027, 2, 28))
    assert world.task.time_kind == "range"


def test_lead_names_are_matched_and_group_names_kept_as_text(world):
    assert list(world.task.lead_units.all()) == [world.mao_dien_culture]
    assert world.task.partner_text == "Các cơ quan, đơn vị"
    assert world.task.partner_units.count() == 0
    assert list(world.office_task.lead_units.all()) == [world.mao_dien_office]


def test_an_officer_updates_progress_and_the_change_is_audited_with_old_and_new_values(world, personas):
    task = services.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=1,
        status="in_progress",
        progress=40,
        result="Đã rà soát 20 văn bản",
    )
    assert (task.status, task.progress, task.version) == ("in_progress", 40, 2)
    entry = AuditEntry.objects.filter(object_id=str(task.pk), content_type__model="task").first()
    assert entry.actor == personas["officer"]
    assert entry.changes["status"] == ["not_started", "in_progress"]
    assert entry.changes["progress"] == [0, 40]


def test_a_stale_save_is_refused_and_the_first_save_is_kept(world, personas):
    services.task_update(
        actor=personas["officer"],
        task=world.task,
        expected_version=1,
        status="in_progress",
        progress=30,
        result="Bản của người thứ nhất",
    )
    with pytest.raises(ConflictError):
        services.task_update(
            actor=personas["head"],
            task=world.task,
            expected_version=1,
            status="in_progress",
            progress=50,
            result="Bản của người thứ hai",
        )
    world.task.refresh_from_db()
    assert world.task.result == "Bản của người thứ nhất"
    assert world.task.progress == 30


def test_finishing_a_task_sets_100_percent_and_after_its_deadline_marks_it_late(world, personas):
    task = services.task_update(
        actor=personas["officer"], task=world.subtask, status="done", completed_on=date(2026, 8, 1)
    )
    assert task.progress == 100
    assert task.status == "done_late"  # due at the end of Q2/2026


@pytest.mark.parametrize(
    ("status", "progress", "message"),
    [
        ("done", 20, "Nhiệm vụ «Hoàn thành» thì tiến độ phải là 100% (đang ghi 20%)."),
        ("done_late", 99, "Nhiệm vụ «Hoàn thành» thì tiến độ phải là 100% (đang ghi 99%)."),
        ("not_started", 20, "Nhiệm vụ «Chưa thực hiện» thì tiến độ phải là 0% (đang ghi 20%)."),
        ("in_progress", 101, "Tiến độ phải từ 0 đến 100% (đang ghi 101%)."),
        ("in_progress", "nửa", "Tiến độ «nửa» không phải là số."),
    ],
)
def test_one_rule_ties_status_to_progress_and_refuses_a_contradiction(
    world, personas, status, progress, message
):
    with pytest.raises(ValidationError) as caught:
        services.task_update(actor=personas["officer"], task=world.task, status=status, progress=progress)
    assert caught.value.message_dict["progress"] == [message]
    assert services.check_task_progress("done", None) == 100
    assert services.check_task_progress("in_progress", "45") == 45


def test_a_not_started_task_cannot_claim_progress(world, personas):
    with pytest.raises(ValidationError):
        services.task_update(actor=personas["officer"], task=world.task, status="not_started", progress=20)


def test_a_sub_unit_officer_updates_progress_of_its_own_tasks_but_not_their_content(world, personas):
    services.task_update(
        actor=personas["office_officer"], task=world.office_task, status="in_progress", progress=10
    )
    with pytest.raises(PermissionDenied):
        services.task_update(actor=personas["office_officer"], task=world.office_task, content="Sửa nội dung")
    with pytest.raises(PermissionDenied):
        services.task_update(
            actor=personas["office_officer"], task=world.task, status="in_progress", progress=10
        )


def test_a_leader_changes_nothing(world, personas):
    with pytest.raises(PermissionDenied):
        services.task_update(actor=personas["leader"], task=world.task, status="in_progress", progress=10)


def test_changing_the_lead_rematches_units_and_audits_them(world, personas):
    task = services.task_update(
        actor=personas["officer"], task=world.task, lead="Văn phòng HĐND&UBND; Phòng VHXH"
    )
    assert set(task.lead_units.all()) == {world.mao_dien_office, world.mao_dien_culture}
    entry = AuditEntry.objects.filter(object_id=str(task.pk), content_type__model="task").first()
    assert entry.changes["lead_units"][0] == ["Phòng Văn hóa - Xã hội"]


def test_search_text_is_folded_and_kept_current(world, personas):
    task = services.task_update(actor=personas["officer"], task=world.task, content="Rà soát Đất đai")
    assert "ra soat dat dai" in task.search_text


def test_a_failed_write_leaves_no_audit_row(world, personas):
    before = AuditEntry.objects.count()
    with pytest.raises(ValidationError):
        services.task_update(actor=personas["officer"], task=world.task, content="")
    assert AuditEntry.objects.count() == before


class TestEvidence:
    def test_a_pdf_is_attached_and_audited(self, world, personas):
        upload = SimpleUploadedFile("Báo cáo quý I.pdf", samples.tiny_pdf(), content_type="application/pdf")
        evidence = services.evidence_attach(
            actor=personas["officer"], task=world.task, upload=upload, kind="report"
        )
        assert evidence.original_name == "Báo cáo quý I.pdf"
        assert evidence.file.read().startswith(b"%PDF")
        assert AuditEntry.objects.filter(action="attach", object_id=str(world.task.pk)).exists()

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("virus.exe", b"MZ...", "chỉ nhận các định dạng"),
            ("gia-mao.pdf", b"MZ not a pdf", "không phải PDF hợp lệ"),
            ("gia-mao.png", b"<html><script>alert(1)</script>", "không phải ảnh .png hợp lệ"),
            ("gia-mao.docx", b"PK\x03\x04 not a zip", "bị hỏng"),
            ("rong.pdf", b"", "rỗng"),
        ],
    )
    def test_wrong_types_and_empty_files_are_refused(self, world, personas, name, content, message):
        upload = SimpleUploadedFile(name, content)
        with pytest.raises(ValidationError, match=message):
            services.evidence_attach(actor=personas["officer"], task=world.task, upload=upload)
        assert world.task.evidence.count() == 0

    def test_files_over_the_limit_are_refused(self, world, personas, settings):
        settings.EVIDENCE_MAX_BYTES = 10
        upload = SimpleUploadedFile("lon.pdf", b"%PDF" + b"x" * 20)
        with pytest.raises(ValidationError, match="quá lớn .*giới hạn là 10 byte"):
            services.evidence_attach(actor=personas["officer"], task=world.task, upload=upload)


def test_deleting_a_task_is_for_plan_editors_only(world, personas):
    with pytest.raises(PermissionDenied):
        services.task_delete(actor=personas["office_officer"], task=world.office_task)
    services.task_delete(actor=personas["officer"], task=world.office_task)
    assert not Task.objects.filter(pk=world.office_task.pk).exists()


def test_a_task_is_given_to_a_person_of_the_issuing_commune_only(world, personas):
    task = services.task_update(
        actor=personas["officer"], task=world.task, responsible=personas["office_officer"]
    )
    assert task.responsible == personas["office_officer"]
    with pytest.raises(ValidationError, match="không thuộc Xã Mao Điền"):
        services.task_update(actor=personas["officer"], task=world.task, responsible=personas["sibling"])


def test_the_progress_page_assigns_the_responsible_person(world, personas, login):
    from django.urls import reverse

    response = login(personas["officer"]).post(
        reverse("plans:task_edit", args=[world.task.pk]),
        {
            "status": "in_progress",
            "progress": 10,
            "result": "",
            "responsible": personas["head"].pk,
            "version": 1,
        },
    )
    assert response.status_code == 302
    world.task.refresh_from_db()
    assert world.task.responsible == personas["head"]
