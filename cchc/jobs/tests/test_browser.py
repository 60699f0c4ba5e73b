"""At a real browser: the job page's bar moves by itself while the worker reports progress, and
stops asking once the job is done."""

import pytest
from playwright.sync_api import expect

from cchc.conftest import PASSWORD
from cchc.jobs.models import Job
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_bar_follows_the_job_without_a_reload(world, personas, live_server, browser):
    job = Job.objects.create(
        kind="dossier_import",
        status="running",
        user=personas["city_standing"],
        unit=world.city,
        progress_done=40,
        progress_total=100,
        phase="Đọc và kiểm tra tệp",
    )
    page = signed_in_page(browser, live_server, "city_standing", PASSWORD)
    page.goto(f"{live_server.url}/cong-viec/{job.pk}/")
    assert page.locator("#job-bar").get_attribute("value") == "40"
    page.evaluate("() => { window.__same_page = true; }")  # gone if the page were reloaded
    Job.objects.filter(pk=job.pk).update(progress_done=80, phase="Cập nhật kho hồ sơ")
    expect(page.locator("#job-bar")).to_have_attribute("value", "80", timeout=10_000)
    assert "Cập nhật kho hồ sơ" in page.locator("#job-progress").inner_text()
    Job.objects.filter(pk=job.pk).update(status="succeeded", message="Đã nhập 15 dòng.")
    expect(page.locator("#job-status")).to_have_text("Hoàn thành", timeout=10_000)
    assert page.evaluate("() => window.__same_page") is True
    assert page.locator("#job-progress[hx-get]").count() == 0  # done: no more polling
