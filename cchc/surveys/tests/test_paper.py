import io

from django.urls import reverse
from openpyxl import Workbook

from cchc.core.xlsx import put, workbook_bytes
from cchc.surveys.models import Response
from cchc.surveys.tests.conftest import all_answers

CODES = ["tc1", "tc2", "tt1", "tt2", "cc1", "cc2", "kq1", "kq2", "gy0", "nhu-cau"]


def workbook(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Phiếu"
    for c, title in enumerate(["Số phiếu", *CODES], start=1):
        put(ws.cell(1, c), title)
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            put(ws.cell(r, c), value)
    return workbook_bytes(wb)


def upload(client, surveys, content: bytes):
    file = io.BytesIO(content)
    file.name = "phieu.xlsx"
    return client.post(
        reverse("surveys:paper_import", args=[surveys.mao_dien_desk.slug]), {"tep": file}, follow=True
    )


def test_an_officer_keys_in_a_paper_questionnaire_and_it_is_audited(login, personas, surveys):
    from cchc.core.models import AuditEntry

    client = login(personas["officer"])
    data = {f"q-{k}": v for k, v in all_answers(4).items()}
    page = client.post(
        reverse("surveys:paper", args=[surveys.mao_dien_desk.slug]),
        {**data, "submission_uuid": "1b4e28ba-2fa1-4d2b-883f-0016d3cca427"},
        follow=True,
    )
    assert "Đã lưu phiếu." in page.content.decode()
    response = Response.objects.get()
    assert response.source == "paper"
    assert AuditEntry.objects.filter(
        object_id=str(response.pk), action="create", actor=personas["officer"]
    ).exists()


def test_an_xlsx_of_paper_questionnaires_is_imported_once_even_if_uploaded_twice(login, personas, surveys):
    client = login(personas["officer"])
    content = workbook(
        [[1, 5, 5, 4, 4, 5, 5, 4, 4, "Không", "Hướng dẫn rõ ràng hơn; rut-gon"], [2, *[3] * 8, "khong", ""]]
    )
    first = upload(client, surveys, content)
    assert "Đã nhập 2 phiếu." in first.content.decode()
    second = upload(client, surveys, content)
    assert "Đã nhập 0 phiếu; 2 phiếu đã có từ trước." in second.content.decode()
    assert Response.objects.filter(source="import").count() == 2


def test_a_file_with_one_bad_row_saves_nothing_and_names_row_and_column(login, personas, surveys):
    client = login(personas["officer"])
    content = workbook(
        [
            [1, *[5] * 8, "khong", ""],
            [2, 5, 9, 5, 5, 5, 5, 5, 5, "khong", ""],
            [3, 5, 5, None, 5, 5, 5, 5, 5, "khong", ""],
        ]
    )
    html = upload(client, surveys, content).content.decode()
    assert "Tệp có lỗi, không có phiếu nào được lưu." in html
    assert "dòng 3, cột C: Chọn một mức từ 1 (rất không hài lòng) đến 5 (rất hài lòng)." in html
    assert "dòng 4, cột D: Ông/Bà vui lòng trả lời câu hỏi này." in html
    assert Response.objects.count() == 0


def test_a_sibling_unit_cannot_import_into_another_units_desk(login, personas, surveys):
    client = login(personas["sibling"])
    assert upload(client, surveys, workbook([[1, *[5] * 8, "khong", ""]])).status_code == 404
    assert Response.objects.count() == 0


def test_an_oversized_upload_is_refused_before_reading_and_saves_nothing(login, personas, surveys, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    client = login(personas["officer"])
    html = upload(
        client, surveys, workbook([[i, *[5] * 8, "khong", ""] for i in range(200)])
    ).content.decode()
    assert "quá lớn" in html and "Không có phiếu nào được lưu." in html
    assert Response.objects.count() == 0
