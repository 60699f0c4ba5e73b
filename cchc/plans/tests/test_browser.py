"""A person at a real (headless) browser: log in, filter tasks without diacritics, update one."""

import pytest
from playwright.sync_api import expect

from cchc.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    return page


def test_an_officer_logs_in_filters_tasks_and_updates_one(world, personas, live_server, page):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/nhiem-vu/")
    assert page.inner_text("#task-count") == "3 nhiệm vụ"
    page.fill("#id_q", "DAT DAI")  # typed without diacritics; htmx refreshes the table
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that one needs.
    expect(page.locator("#task-count")).to_have_text("1 nhiệm vụ")
    assert "q=DAT%20DAI" in page.url  # the filtered list has a link of its own (hx-push-url)

    page.click("text=Rà soát văn bản về đất đai")
    page.wait_for_url(f"{live_server.url}/nhiem-vu/{world.subtask.pk}/")
    page.click("text=Cập nhật tiến độ")
    page.select_option("#id_status", "in_progress")
    page.fill("#id_progress", "40")
    page.fill("#id_result", "Đã rà soát 12 văn bản về đất đai")
    page.click("button:has-text('Lưu')")
    page.wait_for_selector("text=Đã cập nhật tiến độ nhiệm vụ.")
    assert "Đã rà soát 12 văn bản về đất đai" in page.inner_text("main")

    world.subtask.refresh_from_db()
    assert (world.subtask.status, world.subtask.progress) == ("in_progress", 40)


def test_the_task_list_is_usable_at_phone_width(world, personas, live_server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/nhiem-vu/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"page scrolls sideways at phone width ({width}px)"
    page.click("label.nav-burger")
    assert page.is_visible("nav.nav >> text=Kế hoạch")
