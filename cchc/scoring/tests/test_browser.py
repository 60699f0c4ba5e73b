"""At a real browser, on a phone-sized screen: the officer scores, the area totals follow while
typing, the form is saved, the head submits."""

import pytest

from cchc.conftest import PASSWORD
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_scores_on_a_phone_and_the_head_submits(world, personas, season, live_server, browser):
    from datetime import timedelta

    from django.utils import timezone

    from cchc.scoring.models import Assessment, Season

    # The page submits "today": keep the deadline ahead of whatever day the suite runs on.
    Season.objects.filter(pk=season.pk).update(self_deadline=timezone.localdate() + timedelta(days=30))
    mao = season.assessments.get(unit=world.mao_dien)
    items = {i.criterion.code: i.pk for i in mao.items.select_related("criterion")}
    url = f"{live_server.url}/chi-so-cchc/tu-danh-gia/{mao.pk}/"
    officer = signed_in_page(browser, live_server, "officer", PASSWORD, width=390)
    errors = []
    officer.on("pageerror", lambda exc: errors.append(str(exc)))
    officer.goto(url)
    officer.fill(f"input[name=points_{items['2.1']}]", "3")
    officer.fill(f"input[name=points_{items['2.2']}]", "2,5")
    assert officer.inner_text("[data-area-total='2'] strong") == "5,5"
    officer.click("button:has-text('Lưu điểm tự chấm')")
    officer.wait_for_selector("text=Đã lưu 2 tiêu chí.")
    assert officer.inner_text("[data-area-total='2'] strong") == "5,5"
    assert not errors

    from cchc.scoring.tests.conftest import fill_all

    fill_all(Assessment.objects.get(pk=mao.pk), personas["officer"])
    head = signed_in_page(browser, live_server, "head", PASSWORD, width=390)
    head.goto(url)
    head.click("button:has-text('Gửi Sở Nội vụ')")
    head.wait_for_selector("text=Đã gửi bản tự đánh giá tới Sở Nội vụ.")
    assert head.inner_text("#assessment-status") == "Đã gửi"
