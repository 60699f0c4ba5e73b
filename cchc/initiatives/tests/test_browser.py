"""At a real phone-sized browser under the strict CSP: a council member scores an initiative from
the board, and an officer's request form fits the screen."""

import pytest

from cchc.conftest import PASSWORD
from cchc.core.tests.test_browser_csp import _violations, _watch
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_scores_on_a_phone_and_no_page_breaks_the_policy(eligible, people, live_server, browser):
    page = signed_in_page(browser, live_server, "member", PASSWORD, width=390)
    console = _watch(page)
    page.goto(f"{live_server.url}/sang-kien/dot/{eligible.campaign_id}/hoi-dong/")
    assert "0/1" in page.inner_text("#my-progress")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("td[data-label='Của tôi'] a")
    for code, value in (("novelty", "9"), ("effect", "8"), ("replicability", "8"), ("scope", "7")):
        page.fill(f"#score_{code}", value)
    page.click("text=Lưu phiếu chấm")
    assert "1/1" in page.inner_text("#my-progress")
    assert "82,00" in page.inner_text("main")
    page.goto(f"{live_server.url}/sang-kien/{eligible.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert _violations(page, console) == []


def test_the_request_form_fits_a_phone(campaign, people, live_server, browser):
    page = signed_in_page(browser, live_server, "officer", PASSWORD, width=390)
    page.goto(f"{live_server.url}/sang-kien/dot/{campaign.pk}/de-xuat/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/thu-vien-sang-kien/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
