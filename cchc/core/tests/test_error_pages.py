"""With DEBUG off, errors answer Vietnamese pages; the favicon is served at the site root; HSTS is set."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, override_settings
from django.urls import path

from cchc.core.tests.test_settings import ROOT
from cchc.urls import urlpatterns as site_urls


def _crash(request):
    raise RuntimeError("a bug")


def _forbidden(request):
    raise PermissionDenied


def _bad(request):
    raise SuspiciousOperation("tampered")


urlpatterns = [
    path("thu/loi/", _crash),
    path("thu/cam/", _forbidden),
    path("thu/sai/", _bad),
    *site_urls,
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


@override_settings(DEBUG=False)
def test_a_crash_answers_the_vietnamese_500_page():
    response = Client(raise_request_exception=False).get("/thu/loi/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi hệ thống (500)" in html and 'lang="vi"' in html
    assert "Server Error" not in html and "Traceback" not in html


@override_settings(
    DEBUG=False,
    TEMPLATES=[
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [ROOT / "cchc" / "templates"],
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": []},
        }
    ],
)
def test_the_500_page_needs_no_context_processors_nor_database(django_assert_num_queries):
    from django.template import loader

    with django_assert_num_queries(0):
        html = loader.get_template("500.html").render()
    assert "Lỗi hệ thống (500)" in html


@override_settings(DEBUG=False)
def test_an_unknown_address_answers_the_vietnamese_404_page(personas, login):
    for who in (None, personas["officer"]):
        response = login(who).get("/khong-co-trang-nay/")
        assert response.status_code == 404
        assert "Không tìm thấy trang (404)" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_forbidden_action_answers_the_vietnamese_403_page(personas, login):
    response = login(personas["officer"]).get("/thu/cam/")
    assert response.status_code == 403
    assert "Không có quyền truy cập (403)" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_malformed_request_answers_the_vietnamese_400_page():
    response = Client().get("/thu/sai/")
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ (400)" in response.content.decode()


@override_settings(DEBUG=False)
def test_a_form_without_its_csrf_token_answers_a_vietnamese_403(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas["officer"])
    response = client.post("/dang-xuat/")
    assert response.status_code == 403
    assert "Không gửi được biểu mẫu (403)" in response.content.decode()


def test_the_favicon_is_served_at_the_site_root_and_linked_from_every_page(personas, login):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00", "a Windows icon file"
    for who in (None, personas["officer"]):
        html = login(who).get("/dang-nhap/" if who is None else "/", follow=True).content.decode()
        assert 'rel="icon" href="/static/cchc/favicon.ico"' in html
        assert 'rel="icon" href="/static/cchc/favicon.svg"' in html


def _hsts(env: dict[str, str]) -> subprocess.CompletedProcess:
    code = (
        "import cchc.settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x" * 50, "CCHC_TESTING": "", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_hsts_defaults_to_an_hour_without_subdomains_or_preload():
    assert _hsts({"DEBUG": ""}).stdout.split() == ["3600", "False", "False"]


def test_hsts_can_be_set_to_a_year_with_subdomains_and_preload():
    env = {
        "DEBUG": "",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
        "SECURE_HSTS_PRELOAD": "1",
    }
    assert _hsts(env).stdout.split() == ["31536000", "True", "True"]


def test_an_absurd_hsts_value_refuses_to_start():
    result = _hsts({"DEBUG": "", "SECURE_HSTS_SECONDS": "-5"})
    assert result.returncode != 0 and "SECURE_HSTS_SECONDS" in result.stderr


@override_settings(
    SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True, SECURE_HSTS_PRELOAD=True
)
def test_a_secure_answer_carries_the_hsts_header():
    response = Client().get("/dang-nhap/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
