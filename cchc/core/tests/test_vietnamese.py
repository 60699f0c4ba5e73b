"""Vietnamese everywhere: whatever language the browser asks for, forms, the admin and numbers
speak Vietnamese; English only when someone chooses it explicitly."""

import ast
import gettext
import re
from pathlib import Path

from django.urls import reverse

ENGLISH_BROWSER = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
LOCALE = Path(__file__).resolve().parents[3] / "locale" / "vi" / "LC_MESSAGES"


def test_a_form_error_is_vietnamese_for_an_english_browser(world, personas, login):
    client = login(personas["officer"])
    url = reverse("plans:task_edit", args=[world.task.pk])
    page = client.get(url, **ENGLISH_BROWSER)
    assert page.status_code == 200 and page["Content-Language"] == "vi"
    response = client.post(
        url, {"status": "in_progress", "progress": "mười", "version": "x"}, **ENGLISH_BROWSER
    )
    text = response.content.decode()
    assert "Hãy nhập một số nguyên." in text
    assert "Enter a whole number." not in text and "This field is required." not in text


def test_a_required_field_left_empty_says_so_in_vietnamese(world, personas, login):
    client = login(personas["officer"])
    response = client.post(
        reverse("plans:task_edit", args=[world.task.pk]), {"version": world.task.version}, **ENGLISH_BROWSER
    )
    assert "Trường này là bắt buộc." in response.content.decode()


def test_the_admin_user_list_and_add_page_are_vietnamese_for_an_english_browser(personas, login):
    client = login(personas["admin"])
    changelist = client.get("/quan-tri/org/user/", **ENGLISH_BROWSER).content.decode()
    assert "Chọn người dùng để thay đổi" in changelist
    assert "Thêm người dùng" in changelist
    for english in ("Select người dùng", "Add người dùng", "Skip to main content", "Toggle theme", "Log out"):
        assert english not in changelist
    add = client.get("/quan-tri/org/user/add/", **ENGLISH_BROWSER).content.decode()
    assert "Thêm người dùng" in add and "Lưu và thêm mới" in add
    for english in ("Add người dùng", "Save and add another", "Enter the same password", "Password-based"):
        assert english not in add
    refused = client.post("/quan-tri/org/user/add/", {"username": ""}, **ENGLISH_BROWSER).content.decode()
    assert "Vui lòng sửa các lỗi dưới đây." in refused and "Trường này là bắt buộc." in refused
    assert "Please correct" not in refused


def test_the_admin_index_is_vietnamese(personas, login):
    index = login(personas["admin"]).get("/quan-tri/", **ENGLISH_BROWSER).content.decode()
    assert "Quản trị hệ thống" in index and "Thao tác gần đây" in index
    assert "Site administration" not in index and "Recent actions" not in index


def test_english_is_used_only_when_chosen_explicitly(personas, login, settings):
    client = login(personas["admin"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/quan-tri/org/user/")
    assert response["Content-Language"] == "en" and "Select người dùng to change" in response.content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"  # not offered: back to Vietnamese
    assert client.get("/quan-tri/org/user/")["Content-Language"] == "vi"


def _compiled(domain: str) -> tuple[gettext.GNUTranslations, str]:
    with (LOCALE / f"{domain}.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    return compiled, (LOCALE / f"{domain}.po").read_text(encoding="utf-8")


def test_the_compiled_catalogues_match_their_sources():
    compiled, source = _compiled("django")
    assert compiled.gettext("Toggle theme (current theme: auto)") == "Đổi giao diện (hiện tại: tự động)"
    assert compiled.gettext("Enter a whole number.") == "Hãy nhập một số nguyên."
    scripts, script_source = _compiled("djangojs")
    assert scripts.ngettext("%(sel)s of %(cnt)s selected", "%(sel)s of %(cnt)s selected", 0) == (
        "Đã chọn %(sel)s trên %(cnt)s"
    )
    # Every entry of the .po is in the .mo (the header is `msgid ""`), with the same translation.
    for catalogue, text in ((compiled, source), (scripts, script_source)):
        entries = text.count("\nmsgid ") - 1
        assert entries == len({k if isinstance(k, str) else k[0] for k in catalogue._catalog if k}), (
            "run msgfmt"
        )
        pairs = re.findall(r'^(?:msgctxt (".+")\n)?msgid (".+")\nmsgstr (".*")$', text, flags=re.M)
        assert len(pairs) > 20
        for context, msgid, msgstr in pairs:
            key, wanted = ast.literal_eval(msgid), ast.literal_eval(msgstr)
            found = catalogue.pgettext(ast.literal_eval(context), key) if context else catalogue.gettext(key)
            assert found == wanted, "run msgfmt"


def test_a_refused_form_without_its_csrf_token_is_explained_in_vietnamese(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(
        reverse("login"), {"username": "a", "password": "b"}, **ENGLISH_BROWSER
    )
    text = response.content.decode()
    assert response.status_code == 403
    assert '<html lang="vi">' in text and "Không gửi được biểu mẫu" in text and "tải lại trang" in text
    assert "CSRF verification failed" not in text and "Forbidden" not in text


def test_the_group_page_names_permissions_in_vietnamese(personas, login):
    page = login(personas["admin"]).get("/quan-tri/auth/group/add/", **ENGLISH_BROWSER).content.decode()
    assert "Tổ chức | Thêm người dùng" in page and "Nền tảng | Xem nhật ký thay đổi" in page
    assert "Can add" not in page and "Can change" not in page
