"""At a real browser: a leader drills down from the city to a commune to its late dossiers, and
the city's standing agency uploads a dossier export."""

import re

import pytest
from playwright.sync_api import expect

from cchc.conftest import PASSWORD
from cchc.delivery import services
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username, width=1280):
    return signed_in_page(browser, live_server, username, PASSWORD, width=width)


def _rows():
    rows = [dossier("10930", i, "2026-01-05 09:00", online=i <= 8) for i in range(1, 11)]
    rows[0] = dossier("10930", 1, "2026-01-05 09:00", done_days=6)  # finished late, 11/01 > 08/01
    rows += [dossier("10606", i, "2026-01-06 09:00") for i in range(1, 6)]
    return rows


def test_a_leader_drills_down_from_the_city_to_a_communes_late_dossiers(
    world, personas, live_server, browser, tmp_path
):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _rows()))
    page = _as(browser, live_server, "leader")
    page.click("nav >> text=Dịch vụ công")
    page.select_option("#ky", "2026-01")
    page.click("#kpi-filters button[type=submit]")
    # expect() waits for the new page: a click returns once the navigation commits, before the
    # document is parsed, and the old page holds the same selectors with other values.
    expect(page).to_have_url(re.compile(r"[?&]ky=2026-01"))
    expect(page.locator("svg.chart").first).to_be_visible()
    page.click("#by-unit >> text=Xã Mao Điền")
    expect(page.locator('[data-kpi="online_share"]')).to_have_text("80,0%")
    page.click("text=Hồ sơ trễ hạn (1)")
    expect(page.locator("#late-total")).to_have_text("1")
    expect(page.locator("#late tbody tr")).to_have_count(1)
    expect(page.locator("#late")).to_contain_text("10930-260105-0001")


def test_the_kpi_page_reads_on_a_phone(world, personas, live_server, browser, tmp_path):
    services.dossiers_import(actor=None, path=write_csv(tmp_path / "a.csv", _rows()))
    page = _as(browser, live_server, "officer", width=390)
    page.goto(f"{live_server.url}/dich-vu-cong/?ky=2026-01")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.locator('[data-kpi="to_process"]').inner_text() == "10"


def test_the_standing_agency_uploads_an_export_and_sees_the_counts(
    world, personas, live_server, browser, tmp_path
):
    path = write_csv(tmp_path / "mot-cua.csv", _rows())
    page = _as(browser, live_server, "city_standing")
    page.goto(f"{live_server.url}/dich-vu-cong/nhap-du-lieu/")
    page.set_input_files("#id_file", str(path))
    page.click("#upload button[type=submit]")
    assert page.locator("#job-status").inner_text() == "Hoàn thành"  # the job's page (inline queue in tests)
    page.click("text=Xem kết quả chi tiết")
    assert page.locator("#counts").inner_text() == "15 / 0 / 0"
