"""At a real browser, under the strict Content-Security-Policy: no page reports a violation, the htmx
task filter still refreshes the table, and the confirmations that were inline handlers still ask."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from playwright.sync_api import expect

from cchc.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Records every violation the page itself sees, whatever the console prints.
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + e.sourceFile + ":" + e.lineNumber);
});
"""


def _watch(page) -> list[str]:
    console: list[str] = []
    page.on(
        "console",
        lambda msg: console.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.add_init_script(LISTEN)
    return console


def _violations(page, console: list[str]) -> list[str]:
    return [*console, *page.evaluate("window.__cspViolations || []")]


@pytest.fixture
def evidence(world):
    from cchc.plans import services

    image = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(image, "PNG")
    upload = SimpleUploadedFile("anh.png", image.getvalue(), content_type="image/png")
    return services.evidence_attach(actor=None, task=world.task, upload=upload)


@pytest.fixture
def report(world, personas):
    from cchc.reporting import services

    rule_set = services.rule_set_create_hai_phong(actor=personas["city_standing"], issuer=world.city)
    period = services.periods_open_year(actor=personas["city_standing"], rule_set=rule_set, year=2026)[0]
    return services.report_start(actor=None, period=period, unit=world.mao_dien)


def test_an_officers_pages_and_the_htmx_filter_raise_no_violation(
    world, personas, evidence, report, live_server, browser
):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    console = _watch(page)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    seen: dict[str, list[str]] = {"/": _violations(page, console)}

    # The htmx filter: typing, then a select (the trigger that used to need eval), then the checkbox.
    console.clear()
    page.goto(f"{live_server.url}/nhiem-vu/")
    assert page.inner_text("#task-count") == "3 nhiệm vụ"
    page.fill("#id_q", "DAT DAI")
    expect(page.locator("#task-count")).to_have_text("1 nhiệm vụ")
    page.fill("#id_q", "")
    expect(page.locator("#task-count")).to_have_text("3 nhiệm vụ")
    page.select_option("#id_status", "done")
    expect(page.locator("#task-count")).to_have_text("0 nhiệm vụ")
    assert "status=done" in page.url
    page.select_option("#id_status", "")
    expect(page.locator("#task-count")).to_have_text("3 nhiệm vụ")
    page.check("#id_overdue")
    page.wait_for_url("**overdue=on**")
    seen["/nhiem-vu/ (htmx)"] = _violations(page, console)

    for path in [
        f"/nhiem-vu/{world.task.pk}/",
        f"/nhiem-vu/{world.task.pk}/cap-nhat/",
        f"/ke-hoach/{world.plan.pk}/",
        "/chi-tieu/",
        f"/bao-cao/{report.pk}/",
        "/dich-vu-cong/",
        "/doi-mat-khau/",
        "/khong-co-trang-nay/",
    ]:
        console.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        seen[path] = _violations(page, console)
    assert {path: found for path, found in seen.items() if found} == {}
    context.close()


def test_a_confirmation_still_asks_before_removing_evidence(world, personas, evidence, live_server, browser):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/dang-nhap/?next=/nhiem-vu/{world.task.pk}/")
    page.fill("#id_username", "officer")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/nhiem-vu/{world.task.pk}/")
    questions: list[str] = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, False))
    page.click("button:has-text('Gỡ')")
    page.wait_for_timeout(300)
    assert questions == ["Gỡ tài liệu này?"]
    assert world.task.evidence.count() == 1, "dismissed: nothing removed"

    page.once("dialog", lambda dialog: answer(dialog, True))
    page.click("button:has-text('Gỡ')")
    page.wait_for_load_state("load")
    expect(page.locator("button:has-text('Gỡ')")).to_have_count(0)
    assert world.task.evidence.count() == 0, "accepted: removed"
    page.close()


def test_the_admin_raises_no_violation(world, personas, live_server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    console = _watch(page)
    page.goto(f"{live_server.url}/quan-tri/login/?next=/quan-tri/")
    page.fill("#id_username", "admin")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_url(f"{live_server.url}/quan-tri/")
    seen = {"/quan-tri/": _violations(page, console)}
    for path in [
        "/quan-tri/org/user/",
        f"/quan-tri/org/user/{personas['officer'].pk}/change/",
        "/quan-tri/org/unit/",
        "/quan-tri/axes/accessattempt/",
    ]:
        console.clear()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        seen[path] = _violations(page, console)
    assert {path: found for path, found in seen.items() if found} == {}
    context.close()
