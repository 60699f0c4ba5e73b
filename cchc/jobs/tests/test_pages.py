"""The job page: a progress bar that refreshes itself (htmx, or a reload without JavaScript), seen
only by the person who asked, the standing agency above the job's unit, and admins."""

import json

import pytest
from django.core.management import call_command

from cchc.jobs import services
from cchc.jobs.models import Job


@pytest.fixture
def running_job(world, personas):
    return Job.objects.create(
        kind="dossier_import",
        status="running",
        user=personas["city_standing"],
        unit=world.city,
        progress_done=40,
        progress_total=100,
        phase="Đọc và kiểm tra tệp",
    )


def test_a_running_job_shows_its_bar_and_refreshes_with_or_without_javascript(running_job, personas, login):
    html = login(personas["city_standing"]).get(f"/cong-viec/{running_job.pk}/").content.decode()
    assert '<progress id="job-bar" max="100" value="40"' in html and "Đọc và kiểm tra tệp" in html
    assert f'hx-get="/cong-viec/{running_job.pk}/"' in html and 'hx-trigger="load delay:2s"' in html
    assert '<noscript><meta http-equiv="refresh"' in html and "Tải lại trang" in html


def test_htmx_gets_only_the_progress_fragment_and_a_finished_job_stops_polling(running_job, personas, login):
    client = login(personas["city_standing"])
    part = client.get(f"/cong-viec/{running_job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert part.lstrip().startswith("{#") or part.lstrip().startswith("<div")
    assert "<html" not in part
    Job.objects.filter(pk=running_job.pk).update(status="succeeded", message="Đã xong.")
    done = client.get(f"/cong-viec/{running_job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-get" not in done and 'value="100"' in done


@pytest.mark.parametrize(
    "persona, status",
    [
        ("anonymous", 302),
        ("city_standing", 200),  # asked for it
        ("admin", 200),
        ("officer", 404),
        ("sibling", 404),
        ("commune_standing", 404),  # standing agency of the commune, not of the city
        ("leader", 404),
    ],
)
def test_who_sees_a_job(running_job, personas, login, persona, status):
    response = login(personas[persona]).get(f"/cong-viec/{running_job.pk}/")
    assert response.status_code == status


def test_the_job_list_shows_only_visible_jobs_in_a_fixed_number_of_queries(
    world, personas, login, django_assert_max_num_queries
):
    for _ in range(5):
        Job.objects.create(kind="kpi_recompute", user=personas["city_standing"], unit=world.city)
    Job.objects.create(kind="report_document", user=personas["sibling"], unit=world.nam_sach)
    client = login(personas["city_standing"])
    with django_assert_max_num_queries(8):
        html = client.get("/cong-viec/").content.decode()
    # The city's standing agency oversees every unit's jobs; the commune's sees none of Nam Sách's.
    assert html.count("Tính lại chỉ số dịch vụ công") == 5 and "Xuất văn bản báo cáo" in html
    sibling = login(personas["sibling"]).get("/cong-viec/").content.decode()
    assert "Xuất văn bản báo cáo" in sibling and "Tính lại chỉ số" not in sibling
    assert "Chưa có công việc nào." in login(personas["commune_standing"]).get("/cong-viec/").content.decode()


def test_healthz_answers_200_with_json_and_503_when_the_queue_is_stuck(db, client, settings):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert response.status_code == 200 and body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["media"]["ok"]
    assert body["checks"]["dossier_store"]["ok"] and body["checks"]["queue"]["oldest_queued_seconds"] is None
    from datetime import timedelta

    from django.utils import timezone

    job = Job.objects.create(kind="kpi_recompute")
    Job.objects.filter(pk=job.pk).update(created_at=timezone.now() - timedelta(seconds=600))
    settings.HEALTH_QUEUE_MAX_AGE_SECONDS = 300
    stuck = client.get("/healthz")
    assert stuck.status_code == 503 and json.loads(stuck.content)["checks"]["queue"]["ok"] is False


def test_healthz_answers_503_when_a_store_is_not_writable(db, client, settings, tmp_path):
    blocker = tmp_path / "khong-phai-thu-muc"
    blocker.write_text("x")
    settings.DOSSIER_STORE_DIR = blocker / "kho"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["dossier_store"]["ok"] is False


def test_the_reap_command_reports_what_it_did(db, capsys):
    call_command("jobs_reap")
    assert "Đã xử lý 0 công việc bị gián đoạn." in capsys.readouterr().out
    assert services.reap() == []
