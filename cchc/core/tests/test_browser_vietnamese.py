"""At a real browser set to English, the admin and form errors are still Vietnamese.

The screenshots land in a temporary folder; with CCHC_REFRESH_SCREENSHOTS=1 they refresh the
pictures of the user guide (docs/huong-dan-su-dung.md, section «Quản trị»)."""

import os
from pathlib import Path

import pytest

from cchc.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def vietnamese_chromium():
    """Chromium with a Vietnamese interface (its own date pickers), asked below for English pages."""
    from playwright.sync_api import sync_playwright

    from cchc.testing import CHROMIUM, CHROMIUM_ARGS

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is required for browser tests: `make test` installs Debian's chromium.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--lang=vi-VN"])
        yield browser
        browser.close()


@pytest.fixture
def english_browser(vietnamese_chromium):
    browser = vietnamese_chromium
    # The server is asked for English; the browser's own widgets (date pickers) stay Vietnamese so the
    # pictures look like what users see.
    context = browser.new_context(
        locale="vi-VN",
        viewport={"width": 1280, "height": 800},
        extra_http_headers={"Accept-Language": "en-US,en"},
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def shots(tmp_path) -> Path:
    from cchc.testing import screenshot_folder

    return screenshot_folder(tmp_path)


def _sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_the_admin_is_vietnamese_in_an_english_browser(world, personas, live_server, english_browser, shots):
    page = english_browser
    _sign_in(page, live_server, "admin")
    page.goto(f"{live_server.url}/quan-tri/org/user/")
    text = page.inner_text("body")
    assert "Chọn người dùng để thay đổi" in text and "THÊM NGƯỜI DÙNG" in text.upper()
    assert "Select" not in text and "ADD NGƯỜI DÙNG" not in text
    page.wait_for_selector("text=Đã chọn 0 trên 9")  # written by the admin's script, from djangojs
    page.screenshot(path=shots / "quan-tri-nguoi-dung.png")

    page.goto(f"{live_server.url}/quan-tri/org/user/add/")
    page.click("input[name=_save]")  # nothing filled in: the admin explains what is missing
    page.wait_for_selector(".errornote")
    text = page.inner_text("body")
    assert "Trường này là bắt buộc." in text and "Vui lòng sửa các lỗi dưới đây." in text
    assert "This field is required." not in text and "Please correct" not in text
    page.screenshot(path=shots / "quan-tri-them-nguoi-dung.png")


def test_a_form_error_is_vietnamese_in_an_english_browser(
    world, personas, live_server, english_browser, shots
):
    page = english_browser
    _sign_in(page, live_server, "officer")
    page.goto(f"{live_server.url}/nhiem-vu/{world.task.pk}/cap-nhat/")
    # The server checks again what the browser's own checks (max=100) would stop: switch those off.
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "150")
    page.fill("#id_result", "Đã rà soát 12 văn bản")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector("text=Giá trị này phải nhỏ hơn hoặc bằng 100.")
    assert "Ensure this value" not in page.inner_text("body")
    assert (
        page.input_value("#id_progress") == "150"
        and page.input_value("#id_result") == "Đã rà soát 12 văn bản"
    )
    page.screenshot(path=shots / "loi-bieu-mau.png", clip={"x": 0, "y": 0, "width": 1280, "height": 560})
