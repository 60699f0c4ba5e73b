"""At a real browser, desktop and phone width, without signing in: the portal's front page and a
published month's KPIs of a commune, reached from the city's page. Screenshots go to a temporary
folder; with CCHC_REFRESH_SCREENSHOTS=1 they refresh docs/images/portal-*.png."""

import pytest
from django.core.cache import cache

from cchc.delivery import services
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.testing import screenshot_folder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture
def published_month(world, personas, tmp_path):
    from cchc.core.tests.test_fuzz_pages import _par_index_survey_and_initiative

    _par_index_survey_and_initiative(world, personas)
    rows = [
        dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", online=i <= 17, rating=5) for i in range(1, 21)
    ]
    rows[0] = dossier("10930", 1, "2026-01-06 09:00", done_days=5, fee=20_000, paid_online=True)
    rows += [dossier("10606", i, "2026-01-05 10:00", online=i <= 6, fee=20_000) for i in range(1, 11)]
    rows += [dossier("SGDDT", i, "2026-01-07 10:00", field="Giáo dục", done_days=2) for i in range(1, 9)]
    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / "mot-cua.csv", rows))
    assert batch.status == "succeeded", batch.errors
    services.publish_kpi_period(actor=personas["city_standing"], period="2026-01")
    cache.clear()
    yield
    cache.clear()


def test_the_portal_reads_at_desktop_and_phone_width_without_a_login(
    published_month, live_server, browser, tmp_path
):
    images = screenshot_folder(tmp_path)
    page = browser.new_page()
    page.set_default_timeout(15000)
    for size, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/cong-khai/")
        main = page.inner_text("main")
        assert "Kết quả giải quyết thủ tục hành chính" in main and "Tháng 1/2026" in main
        page.screenshot(path=str(images / f"portal-home-{size}.png"), full_page=True)
        page.click("main >> text=Ủy ban nhân dân thành phố Hải Phòng")
        page.wait_for_selector("#kpi-units")
        page.click("#kpi-units >> text=Xã Mao Điền")
        page.wait_for_selector("h1 >> text=Xã Mao Điền")
        assert page.inner_text("[data-kpi=online_share]") == "85,0%"
        page.screenshot(path=str(images / f"portal-kpi-{size}.png"), full_page=True)
        if size == "phone":
            page.goto(f"{live_server.url}/cong-khai/dich-vu-cong/2026-01/HP/")
            scroll = page.evaluate("document.documentElement.scrollWidth")
            assert scroll <= width + 1, scroll  # the unit table stacks into cards
    page.close()
