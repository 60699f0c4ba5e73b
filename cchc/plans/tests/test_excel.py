import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cchc.core.models import AuditEntry
from cchc.plans import excel
from cchc.plans.models import Task


def _workbook(data: bytes):
    return load_workbook(io.BytesIO(data))


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _snapshot(plan):
    return sorted(plan.tasks.values_list("id", "content", "status", "progress", "version")), sorted(
        plan.targets.values_list("id", "text", "threshold", "version")
    )


def test_export_writes_targets_and_tasks_with_subtasks_under_their_parent(world):
    workbook = _workbook(excel.export_plan(world.plan))
    assert workbook.sheetnames == ["Hướng dẫn", "Chỉ tiêu", "Nhiệm vụ"]
    tasks = list(workbook["Nhiệm vụ"].iter_rows(min_row=2, values_only=True))
    assert [row[3] for row in tasks] == ["1", "-", "1"]
    assert tasks[0][4] == "Rà soát danh mục văn bản quy phạm pháp luật"
    assert tasks[0][5] == "Phòng Văn hóa – Xã hội"
    targets = list(workbook["Chỉ tiêu"].iter_rows(min_row=2, values_only=True))
    assert targets[0][6] == 90


def test_a_round_trip_with_edits_updates_and_creates(world, personas):
    workbook = _workbook(excel.export_plan(world.plan))
    tasks = workbook["Nhiệm vụ"]
    tasks["J2"] = "Đang thực hiện"
    tasks["K2"] = 45
    tasks.append(
        [
            None,
            None,
            "2",
            "2",
            "Công khai thủ tục hành chính",
            "van phong hdnd va ubnd",
            "",
            "Báo cáo",
            "Quý III/2026",
            "",
            None,
            "",
        ]
    )
    result = excel.import_plan(
        actor=personas["officer"], plan=world.plan, data=_save(workbook), filename="kh.xlsx"
    )
    assert (result.tasks_created, result.tasks_updated) == (1, 1)
    world.task.refresh_from_db()
    assert (world.task.status, world.task.progress) == ("in_progress", 45)
    new = Task.objects.get(content="Công khai thủ tục hành chính")
    assert list(new.lead_units.all()) == [world.mao_dien_office]
    assert new.end_date.isoformat() == "2026-09-30"


def test_one_bad_row_changes_nothing_and_names_the_row_and_column(world, personas):
    before = _snapshot(world.plan)
    audit_before = AuditEntry.objects.count()
    workbook = _workbook(excel.export_plan(world.plan))
    tasks = workbook["Nhiệm vụ"]
    tasks["J2"], tasks["K2"] = "Hoàn thành", 100  # a good edit on row 2…
    tasks.append(
        [None, None, "1", "5", "Nhiệm vụ mới hợp lệ", "Phòng Văn hóa - Xã hội", "", "", "2026", "", 0, ""]
    )
    tasks.append(
        [None, None, "2", "6", "Nhiệm vụ có đơn vị sai", "Phòng Không Có", "", "", "2026", "", 0, ""]
    )
    response_errors = None
    try:
        excel.import_plan(
            actor=personas["officer"], plan=world.plan, data=_save(workbook), filename="kh.xlsx"
        )
    except excel.ImportFileError as exc:
        response_errors = [str(e) for e in exc.errors]
    assert response_errors == [
        "Trang tính «Nhiệm vụ», dòng 6, cột F: không tìm thấy đơn vị chủ trì «Phòng Không Có»."
    ]
    assert _snapshot(world.plan) == before
    assert AuditEntry.objects.count() == audit_before


def test_every_kind_of_bad_value_is_reported_at_once(world, personas):
    workbook = _workbook(excel.export_template())
    workbook["Chỉ tiêu"].append([None, None, "9", "Chỉ tiêu lạ", "", "gte", "abc", "%", 2030])
    workbook["Chỉ tiêu"].append([None, None, "2", "Tỷ lệ quá 100", "", "gte", 120, "%", None])
    workbook["Nhiệm vụ"].append(
        [None, None, "Cải cách thể chế", "1", "", "", "", "", "", "Xong rồi", 150, ""]
    )
    workbook["Nhiệm vụ"].append([999999, 1, "1", "2", "Dòng của kế hoạch khác", "", "", "", "", "", 0, ""])
    try:
        excel.import_plan(
            actor=personas["officer"], plan=world.plan, data=_save(workbook), filename="kh.xlsx"
        )
    except excel.ImportFileError as exc:
        errors = [str(e) for e in exc.errors]
    assert errors == [
        "Trang tính «Chỉ tiêu», dòng 2, cột C: lĩnh vực «9» không hợp lệ (nhập số 0–6 hoặc tên lĩnh vực).",
        "Trang tính «Chỉ tiêu», dòng 2, cột G: ngưỡng «abc» không phải là số.",
        "Trang tính «Chỉ tiêu», dòng 3, cột G: tỷ lệ 120% phải từ 0 đến 100.",
        "Trang tính «Nhiệm vụ», dòng 2, cột E: thiếu nội dung công việc.",
        "Trang tính «Nhiệm vụ», dòng 2, cột J: trạng thái «Xong rồi» không hợp lệ.",
        "Trang tính «Nhiệm vụ», dòng 2, cột K: tiến độ 150 phải từ 0 đến 100.",
        "Trang tính «Nhiệm vụ», dòng 3, cột A: ID 999999 không phải nhiệm vụ của kế hoạch này (để trống khi thêm mới).",
    ]


def test_a_row_edited_after_someone_changed_the_task_is_refused(world, personas):
    from cchc.plans import services

    data = excel.export_plan(world.plan)
    services.task_update(actor=personas["head"], task=world.task, status="in_progress", progress=10)
    workbook = _workbook(data)
    workbook["Nhiệm vụ"]["K2"] = 60
    workbook["Nhiệm vụ"]["J2"] = "Đang thực hiện"
    try:
        excel.import_plan(
            actor=personas["officer"], plan=world.plan, data=_save(workbook), filename="kh.xlsx"
        )
    except excel.ImportFileError as exc:
        assert "đã được sửa trên hệ thống sau khi tải tệp về" in str(exc.errors[0])
    world.task.refresh_from_db()
    assert world.task.progress == 10


def test_the_import_page_shows_the_errors_and_saves_nothing(world, personas, login):
    workbook = _workbook(excel.export_plan(world.plan))
    workbook["Nhiệm vụ"]["K3"] = "mười"
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("kh.xlsx", _save(workbook))
    response = login(personas["officer"]).post(
        reverse("plans:plan_import", args=[world.plan.pk]), {"file": upload}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "không dữ liệu nào được lưu" in html
    assert "Trang tính «Nhiệm vụ», dòng 3, cột K: tiến độ «mười» không phải là số." in html


def test_a_renamed_non_excel_file_gets_a_clear_message(world, personas):
    try:
        excel.import_plan(actor=personas["officer"], plan=world.plan, data=b"%PDF-1.4", filename="kh.xlsx")
    except excel.ImportFileError as exc:
        assert str(exc) == "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ."


def test_re_importing_an_unchanged_export_changes_nothing(world, personas):
    data = excel.export_plan(world.plan)
    before, audit_before = _snapshot(world.plan), AuditEntry.objects.count()
    for _ in range(2):
        result = excel.import_plan(actor=personas["officer"], plan=world.plan, data=data, filename="kh.xlsx")
        assert (result.tasks_created, result.tasks_updated, result.targets_updated) == (0, 0, 0)
    assert _snapshot(world.plan) == before
    assert AuditEntry.objects.count() == audit_before


def test_excel_refuses_done_at_20_percent_with_the_same_rule_as_the_forms(world, personas):
    workbook = _workbook(excel.export_plan(world.plan))
    tasks = workbook["Nhiệm vụ"]
    tasks["J2"], tasks["K2"] = "Hoàn thành", 20
    with pytest.raises(excel.ImportFileError) as caught:
        excel.import_plan(
            actor=personas["officer"], plan=world.plan, data=_save(workbook), filename="kh.xlsx"
        )
    assert [str(e) for e in caught.value.errors] == [
        "Trang tính «Nhiệm vụ», dòng 2, cột K: nhiệm vụ «Hoàn thành» thì tiến độ phải là 100% (đang ghi 20%)."
    ]
