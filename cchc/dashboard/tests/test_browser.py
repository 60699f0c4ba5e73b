"""At a real browser, desktop and phone width: the city leader's scorecard, a drill-down to a
commune, and an officer's to-do list. Screenshots go to a temporary folder; with
CCHC_REFRESH_SCREENSHOTS=1 they refresh docs/images/dashboard-*.png."""

from datetime import date

import pytest

from cchc.conftest import PASSWORD
from cchc.testing import screenshot_folder, signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


def test_scorecard_drill_down_and_to_do_at_desktop_and_phone_width(
    world, personas, reporting, live_server, browser, tmp_path
):
    from cchc.dashboard.models import ScorecardRow
    from cchc.dashboard.services import refresh_scorecard

    refresh_scorecard(2025, today=date(2026, 12, 2))
    refresh_scorecard(2026, today=date(2026, 12, 2))
    figures = {  # a year of dossiers, as the delivery module's import would give
        world.mao_dien: (2025, 62, 71, 88),
        world.nam_sach: (2025, 80, 90, 95),
        world.education: (2025, 55, 64, 91),
    }
    for unit, (_, online_before, online, on_time) in figures.items():
        ScorecardRow.objects.filter(unit=unit, year=2025).update(online_num=online_before, online_den=100)
        ScorecardRow.objects.filter(unit=unit, year=2026).update(
            online_num=online, online_den=100, dossiers_on_time=on_time, dossiers_finished=100
        )
    ScorecardRow.objects.filter(unit=world.city, year=2026).update(
        online_num=225, online_den=300, dossiers_on_time=274, dossiers_finished=300
    )
    images = screenshot_folder(tmp_path)
    leader = signed_in_page(browser, live_server, "leader", PASSWORD)
    officer = signed_in_page(browser, live_server, "officer", PASSWORD)
    for size, (width, height) in SIZES.items():
        leader.set_viewport_size({"width": width, "height": height})
        leader.goto(f"{live_server.url}/bang-diem/")
        assert "Xã Mao Điền" in leader.inner_text("#sc-table")
        leader.screenshot(path=str(images / f"dashboard-scorecard-{size}.png"), full_page=True)
        leader.click("#sc-table >> text=Xã Mao Điền")
        leader.wait_for_selector("text=Bảng điểm cải cách hành chính · Xã Mao Điền")
        assert "Tiến độ theo lĩnh vực" in leader.inner_text("main")
        leader.screenshot(path=str(images / f"dashboard-drilldown-{size}.png"), full_page=True)
        officer.set_viewport_size({"width": width, "height": height})
        officer.goto(f"{live_server.url}/")
        assert "Rà soát văn bản về đất đai" in officer.inner_text("#viec-can-lam")
        officer.screenshot(path=str(images / f"dashboard-todo-{size}.png"), full_page=True)
        if size == "phone":
            # No sideways scrolling at phone width: the table stacks into cards.
            scroll = leader.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, scroll
