"""The report form for long work: the same status/progress rule as the task form and the Excel import,
a layout that keeps the result wide, areas that fold, and an autosave that speaks the version protocol."""

import pytest
from django.urls import reverse

from cchc.reporting import services


@pytest.fixture
def report(world, reporting, personas):
    _, periods = reporting
    return services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)


def test_the_report_form_refuses_done_at_20_percent_as_the_task_form_and_excel_do(
    world, reporting, personas, report, login
):
    response = login(personas["officer"]).post(
        reverse("reporting:report_save", args=[report.pk]),
        {
            "version": report.version,
            f"task_{world.task.pk}_status": "done",
            f"task_{world.task.pk}_progress": "20",
            f"task_{world.task.pk}_result": "Đã xong một phần",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nhiệm vụ «Hoàn thành» thì tiến độ phải là 100% (đang ghi 20%)." in html
    entry = report.task_entries.get(task=world.task)
    assert (entry.status, entry.progress) == ("not_started", 0)
    task_form = login(personas["officer"]).post(
        reverse("plans:task_edit", args=[world.task.pk]),
        {"status": "done", "progress": "20", "version": world.task.version},
    )
    assert "Nhiệm vụ «Hoàn thành» thì tiến độ phải là 100% (đang ghi 20%)." in task_form.content.decode()


def test_the_form_keeps_its_fields_folds_areas_and_loads_the_autosave_script(
    world, reporting, personas, report, login
):
    html = (
        login(personas["officer"]).get(reverse("reporting:report_detail", args=[report.pk])).content.decode()
    )
    assert "data-autosave" in html and "cchc/report-form.js" in html
    assert html.count("<details") >= 2 and 'class="save-bar"' in html
    assert f'name="task_{world.task.pk}_result"' in html
    assert "<script>" not in html and " onclick=" not in html and " style=" not in html


def test_an_autosave_post_answers_json_with_the_new_version_and_409_when_stale(
    world, reporting, personas, report, login
):
    client = login(personas["officer"])
    url = reverse("reporting:report_save", args=[report.pk])
    headers = {"HTTP_ACCEPT": "application/json", "HTTP_X_AUTOSAVE": "1"}
    response = client.post(url, {"version": report.version, "narrative_causes": "Bản tự lưu"}, **headers)
    assert response.status_code == 200 and response.json()["version"] == report.version + 1
    stale = client.post(url, {"version": report.version, "narrative_causes": "Bản cũ"}, **headers)
    assert stale.status_code == 409 and "người khác cập nhật" in stale.json()["error"]
    bad = client.post(
        url,
        {
            "version": report.version + 1,
            f"task_{world.task.pk}_status": "done",
            f"task_{world.task.pk}_progress": "20",
        },
        **headers,
    )
    assert bad.status_code == 400 and "100%" in bad.json()["error"]
    report.refresh_from_db()
    assert report.narrative["causes"] == "Bản tự lưu"


def test_the_report_form_reads_in_a_fixed_number_of_queries_however_many_tasks(
    world, reporting, personas, report, login
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cchc.plans import services as plans

    _, periods = reporting
    client = login(personas["officer"])
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:report_detail", args=[report.pk]))
    for n in range(12):
        plans.task_create(actor=None, plan=world.plan, area=n % 7, content=f"Nhiệm vụ bổ sung {n}")
    longer = services.report_start(actor=personas["officer"], period=periods["2026-S1"], unit=world.mao_dien)
    assert longer.task_entries.count() == report.task_entries.count() + 12
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("reporting:report_detail", args=[longer.pk]))
    assert len(many) == len(few), (len(few), len(many))


def test_a_refused_save_without_javascript_keeps_what_was_typed(world, reporting, personas, report, login):
    client = login(personas["officer"])
    url = reverse("reporting:report_save", args=[report.pk])
    typed = {
        "version": report.version,
        "narrative_causes": "Nguyên nhân viết dài, chưa lưu",
        f"task_{world.task.pk}_status": "done",
        f"task_{world.task.pk}_progress": "20",
        f"task_{world.task.pk}_result": "Kết quả viết dài, chưa lưu",
    }
    html = client.post(url, typed).content.decode()
    assert "Nguyên nhân viết dài, chưa lưu" in html and "Kết quả viết dài, chưa lưu" in html
    assert f'name="task_{world.task.pk}_progress" value="20"' in html

    login(personas["head"]).post(url, {"version": report.version, "narrative_causes": "Bản của lãnh đạo"})
    response = login(personas["officer"]).post(url, {**typed, f"task_{world.task.pk}_progress": "100"})
    html = response.content.decode()
    assert response.status_code == 409 and 'id="unsaved"' in html
    assert "Nguyên nhân viết dài, chưa lưu" in html and "Kết quả viết dài, chưa lưu" in html
    report.refresh_from_db()
    assert report.narrative["causes"] == "Bản của lãnh đạo"
