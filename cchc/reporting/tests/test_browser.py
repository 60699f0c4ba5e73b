"""At a real browser: an officer fills the report, the head submits, Sở Nội vụ returns it, the head
resubmits, Sở Nội vụ accepts."""

import pytest

from cchc.conftest import PASSWORD
from cchc.testing import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _as(browser, live_server, username):
    return signed_in_page(browser, live_server, username, PASSWORD)


def test_fill_submit_return_resubmit_accept(world, personas, reporting, live_server, browser):
    from cchc.reporting.models import UnitReport

    officer = _as(browser, live_server, "officer")
    officer.goto(f"{live_server.url}/bao-cao/")
    officer.click("form:has-text('Xã Mao Điền') >> nth=0 >> button:has-text('Lập báo cáo')")
    officer.fill("#narrative_area_1", "Đã rà soát 46 văn bản quy phạm pháp luật")
    officer.fill("#narrative_limitations", "Thiếu công chức chuyên trách")
    officer.click("button:has-text('Lưu bản nháp')")
    officer.wait_for_selector("text=Đã lưu bản nháp báo cáo.")
    report_url = officer.url
    assert officer.input_value("#narrative_area_1") == "Đã rà soát 46 văn bản quy phạm pháp luật"

    head = _as(browser, live_server, "head")
    head.goto(report_url)
    head.click("button:has-text('Lưu và gửi báo cáo')")
    head.wait_for_selector("text=Đã gửi báo cáo.")
    assert head.inner_text("#report-status") == "Đã gửi"

    agency = _as(browser, live_server, "city_standing")
    agency.goto(report_url)
    agency.fill("#reason", "Đề nghị bổ sung số liệu chỉ tiêu")
    agency.click("button:has-text('Trả lại để chỉnh sửa')")
    agency.wait_for_selector("text=Đã trả lại báo cáo")

    head.goto(report_url)
    assert "Đề nghị bổ sung số liệu chỉ tiêu" in head.inner_text("main")
    head.fill("#narrative_area_1", "Đã rà soát 46 văn bản; bãi bỏ 3 văn bản")
    head.click("button:has-text('Lưu và gửi báo cáo')")
    head.wait_for_selector("text=Đã gửi báo cáo.")

    agency.goto(report_url)
    agency.click("button:has-text('Tiếp nhận')")
    agency.wait_for_selector("text=Đã tiếp nhận báo cáo.")
    assert agency.inner_text("#report-status") == "Đã tiếp nhận"

    report = UnitReport.objects.get(unit=world.mao_dien)
    assert (report.status, report.revision) == ("accepted", 2)
    assert [r.content["narrative"]["area_1"] for r in report.revisions.order_by("number")] == [
        "Đã rà soát 46 văn bản quy phạm pháp luật",
        "Đã rà soát 46 văn bản; bãi bỏ 3 văn bản",
    ]
