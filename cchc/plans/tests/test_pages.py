from datetime import date
from unittest import mock

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.core.tests import samples
from cchc.plans import services


def test_the_task_list_search_ignores_diacritics_and_case(world, personas, login):
    client = login(personas["city_standing"])
    for query in ("RA SOAT VAN BAN", "rà soát văn bản", "ra soát Văn Ban"):
        html = client.get(reverse("plans:task_list"), {"q": query}).content.decode()
        # Mao Điền's two; Nam Sách's plan is still a draft, which the city does not see.
        assert "2 nhiệm vụ" in html, query
    html = client.get(reverse("plans:task_list"), {"q": "dat dai"}).content.decode()
    assert "1 nhiệm vụ" in html and "Rà soát văn bản về đất đai" in html


def test_the_task_list_filters_by_area_lead_status_and_overdue(world, personas, login):
    client = login(personas["officer"])
    url = reverse("plans:task_list")
    assert "1 nhiệm vụ" in client.get(url, {"area": 2}).content.decode()
    assert "2 nhiệm vụ" in client.get(url, {"lead_unit": world.mao_dien_culture.pk}).content.decode()
    services.task_update(actor=personas["officer"], task=world.office_task, status="in_progress", progress=5)
    assert "1 nhiệm vụ" in client.get(url, {"status": "in_progress"}).content.decode()
    # On 23/11/2026 the sub-task (due Q2/2026) is overdue; the others (12/2026, 02/2027) are not.
    with mock.patch("django.utils.timezone.localdate", return_value=date(2026, 11, 23)):
        html = client.get(url, {"overdue": "on"}).content.decode()
    assert "1 nhiệm vụ" in html and "Rà soát văn bản về đất đai" in html


def test_the_task_list_answers_htmx_with_the_table_only(world, personas, login):
    response = login(personas["officer"]).get(
        reverse("plans:task_list"), {"q": "van ban"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="task-count"' in html and "<html" not in html


def test_the_task_list_query_count_does_not_grow_with_the_number_of_tasks(world, personas, login):
    client = login(personas["city_standing"])
    url = reverse("plans:task_list")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for number in range(30):
        services.task_create(
            actor=None,
            plan=world.plan,
            area=4,
            number=str(number),
            content=f"Nhiệm vụ {number}",
            lead=["Phòng Văn hóa - Xã hội"],
            time_text="2027",
        )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert len(few) <= 12


def test_plan_page_and_dashboard_query_counts_are_bounded(world, personas, login):
    client = login(personas["officer"])
    for _ in range(2):
        with CaptureQueriesContext(connection) as plan_queries:
            client.get(reverse("plans:plan_detail", args=[world.plan.pk]))
        with CaptureQueriesContext(connection) as home_queries:
            client.get(reverse("home"))
    assert len(plan_queries) <= 16
    assert len(home_queries) <= 10


def test_a_second_editors_stale_save_is_refused_with_a_clear_message(world, personas, login):
    url = reverse("plans:task_edit", args=[world.task.pk])
    first, second = login(personas["officer"]), None
    form = {"status": "in_progress", "progress": 30, "result": "Nội dung của người thứ nhất", "version": 1}
    assert first.post(url, form).status_code == 302
    from django.test import Client

    second = Client()
    second.force_login(personas["head"])
    response = second.post(url, {**form, "progress": 60, "result": "Nội dung của người thứ hai"})
    assert response.status_code == 409
    assert "vừa được người khác cập nhật" in response.content.decode()
    world.task.refresh_from_db()
    assert world.task.result == "Nội dung của người thứ nhất"


def test_the_history_page_shows_who_changed_what(world, personas, login):
    services.task_update(actor=personas["officer"], task=world.task, status="in_progress", progress=25)
    html = (
        login(personas["head"])
        .get(reverse("object_history", args=["plans.task", world.task.pk]))
        .content.decode()
    )
    assert "officer" in html and "Đổi trạng thái" in html
    assert "Chưa thực hiện</span> → Đang thực hiện" in html and "in_progress" not in html


def test_login_page_is_vietnamese_and_wrong_password_is_explained(client, world, personas):
    response = client.post(reverse("login"), {"username": "officer", "password": "sai"})
    html = response.content.decode()
    assert 'lang="vi"' in html
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html


def test_evidence_upload_through_the_page(world, personas, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(personas["office_officer"])
    upload = SimpleUploadedFile("ket-qua.png", samples.tiny_image("PNG"), content_type="image/png")
    response = client.post(
        reverse("plans:evidence_upload", args=[world.office_task.pk]),
        {"file": upload, "kind": "image", "note": "Ảnh niêm yết"},
        follow=True,
    )
    assert "Đã đính kèm tài liệu kiểm chứng." in response.content.decode()
    bad = SimpleUploadedFile("script.js", b"alert(1)")
    response = client.post(
        reverse("plans:evidence_upload", args=[world.office_task.pk]),
        {"file": bad, "kind": "other"},
        follow=True,
    )
    assert "Không nhận tệp «script.js»" in response.content.decode()
    assert world.office_task.evidence.count() == 1
