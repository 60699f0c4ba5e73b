"""At a real browser: the report form autosaves with its version and shows a conflict plainly; the result
field is wide at office width; nothing spills sideways on a phone; menu entries are big enough to tap."""

import pytest
from playwright.sync_api import expect

from cchc.conftest import PASSWORD
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def report(world, reporting, personas):
    from cchc.reporting import services

    _, periods = reporting
    return services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)


def _no_sideways_scroll(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def test_autosave_posts_with_the_version_follows_it_and_stops_visibly_on_a_conflict(
    world, personas, report, live_server, browser
):
    from cchc.reporting import services
    from cchc.reporting.models import UnitReport

    page = signed_in_page(browser, live_server, "officer", PASSWORD)
    page.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    page.fill("#narrative_causes", "Thiếu công chức chuyên trách")
    page.wait_for_selector("#save-state.saved")
    saved = UnitReport.objects.get(pk=report.pk)
    assert saved.narrative["causes"] == "Thiếu công chức chuyên trách"
    assert page.input_value("input[name=version]") == str(saved.version) == str(report.version + 1)

    # A second change goes with the version the first save brought back: no false conflict.
    page.select_option(f"#task_{world.task.pk}_status", "done")
    assert page.input_value(f"#task_{world.task.pk}_progress") == "100"  # the status carries its progress
    # A locator wait, not wait_for_function: the page's CSP forbids the eval that one needs.
    expect(page.locator("input[name=version]")).to_have_value(str(saved.version + 1))
    assert UnitReport.objects.get(pk=report.pk).task_entries.get(task=world.task).status == "done"

    # Someone else saves; the next autosave is refused, says so, and overwrites nothing.
    current = UnitReport.objects.get(pk=report.pk)
    services.report_save(
        actor=personas["head"],
        report=current,
        expected_version=current.version,
        narrative={"causes": "Bản của lãnh đạo"},
    )
    page.fill("#narrative_causes", "Bản của cán bộ, sau")
    page.wait_for_selector("#save-bar.conflict")
    assert "người khác cập nhật" in page.inner_text("#save-state")
    assert UnitReport.objects.get(pk=report.pk).narrative["causes"] == "Bản của lãnh đạo"
    assert page.input_value("#narrative_causes") == "Bản của cán bộ, sau"  # still on screen to copy


def test_the_report_form_keeps_the_result_wide_and_the_save_bar_in_view(
    world, personas, report, live_server, browser
):
    page = signed_in_page(browser, live_server, "officer", PASSWORD, width=1280)
    page.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    result = page.locator(f"#task_{world.task.pk}_result").bounding_box()
    assert result["width"] >= 600
    status = page.locator(f"#task_{world.task.pk}_status")
    assert status.evaluate("s => s.scrollWidth <= s.clientWidth")
    assert status.bounding_box()["width"] >= 180
    bar = page.locator("#save-bar").bounding_box()
    assert bar["y"] + bar["height"] <= 900  # sticky: at the bottom of the first screen already
    assert _no_sideways_scroll(page) <= 0


@pytest.mark.parametrize("path", ["report", "consolidation", "plan", "plans", "tasks"])
def test_nothing_spills_sideways_on_a_390_px_phone(world, personas, report, live_server, browser, path):
    urls = {
        "report": f"/bao-cao/{report.pk}/",
        "consolidation": f"/bao-cao/ky/{report.period_id}/tong-hop/",
        "plan": f"/ke-hoach/{world.plan.pk}/",
        "plans": "/ke-hoach/",
        "tasks": "/nhiem-vu/",
    }
    user = "city_standing" if path == "consolidation" else "officer"
    page = signed_in_page(browser, live_server, user, PASSWORD, width=390)
    page.goto(live_server.url + urls[path])
    assert _no_sideways_scroll(page) <= 0, path


def test_on_a_phone_menu_entries_are_at_least_40_px_and_consolidation_cards_say_what_each_number_is(
    world, personas, report, live_server, browser
):
    page = signed_in_page(browser, live_server, "city_standing", PASSWORD, width=390)
    page.goto(f"{live_server.url}/bao-cao/ky/{report.period_id}/tong-hop/")
    page.click("label.nav-burger")
    heights = page.eval_on_selector_all(
        ".nav a, .nav button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= 40
    burger = page.locator("label.nav-burger").bounding_box()
    assert burger["height"] >= 40 and burger["width"] >= 40
    labels = page.eval_on_selector_all(
        "main table.stack td[data-label]", "els => els.map(e => getComputedStyle(e, '::before').content)"
    )
    assert labels and all(label not in ("none", "normal", "") for label in labels)
