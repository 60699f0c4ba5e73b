from unittest import mock
from urllib.parse import urlencode

from django.db import OperationalError
from django.urls import reverse


def test_a_nul_byte_in_a_query_parameter_of_an_export_is_refused_in_vietnamese(world, personas, login):
    response = login(personas["officer"]).get(reverse("delivery:late_dossiers_xlsx"), {"q": "abc\x00def"})
    assert response.status_code == 400
    assert "ký tự không hợp lệ" in response.content.decode()


def test_a_nul_byte_in_a_posted_form_is_refused_and_nothing_is_saved(world, personas, login):
    from cchc.plans.models import Task

    response = login(personas["officer"]).post(
        reverse("plans:task_edit", args=[world.task.pk]),
        urlencode({"status": "in_progress", "progress": "10", "result": "a\x00b", "version": "1"}),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert Task.objects.get(pk=world.task.pk).version == 1


def test_a_database_still_locked_after_the_busy_timeout_is_answered_503_not_500(world, personas, client):
    client.raise_request_exception = False
    client.force_login(personas["officer"])
    with mock.patch("cchc.dashboard.views.render", side_effect=OperationalError("database is locked")):
        response = client.get("/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Hệ thống đang bận" in response.content.decode()


def test_other_database_errors_are_not_hidden_as_busy(world, personas, client):
    client.raise_request_exception = False
    client.force_login(personas["officer"])
    with mock.patch("cchc.dashboard.views.render", side_effect=OperationalError("no such table: x")):
        assert client.get("/").status_code == 500
