"""At a real browser: xã Mao Điền's head submits a report, the city's standing agency sees the unread
badge in the header, opens the notices, marks the notice read, and the badge is gone."""

from datetime import date

import pytest

from cchc.conftest import PASSWORD, _person
from cchc.notices.tests.conftest import at
from cchc.reporting import services
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_standing_agency_sees_the_badge_of_a_submitted_report_and_clears_it(
    world, personas, reporting, live_server, browser
):
    head = _person("maodien.lanhdao", world.mao_dien, "head")
    _person("snv.thuongtruc", world.home_affairs, "standing")
    _, periods = reporting
    report = services.report_start(actor=personas["officer"], period=periods["2026-Q1"], unit=world.mao_dien)
    with at(date(2026, 3, 2)):
        services.report_submit(expected_version=report.version, actor=head, report=report)

    page = signed_in_page(browser, live_server, "snv.thuongtruc", PASSWORD)
    badge = page.locator(".nav-notices .count-badge")
    assert badge.inner_text() == "1"
    assert badge.get_attribute("aria-label") == "1 thông báo chưa đọc"

    page.click(".nav-notices")
    page.wait_for_url(f"{live_server.url}/thong-bao/")
    notice = page.locator(".notice-list li.unread")
    assert "Xã Mao Điền đã gửi Báo cáo cải cách hành chính quý I năm 2026" in notice.inner_text()
    notice.locator("button", has_text="Đánh dấu đã đọc").click()
    page.wait_for_selector(".notice-list li:not(.unread)")
    assert page.locator(".nav-notices .count-badge").count() == 0
    page.goto(f"{live_server.url}/")
    assert page.locator(".nav-notices .count-badge").count() == 0
    assert "Thông báo" in page.inner_text(".nav-notices")
    page.close()
