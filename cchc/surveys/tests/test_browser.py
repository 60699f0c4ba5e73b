"""At a real browser, phone width: a citizen scans the QR code on a receipt, answers part of the
questionnaire, saves, resumes later from the saved link, finishes; the same receipt is then
refused politely."""

import io

import pytest
import segno

from cchc.surveys import services
from cchc.surveys.models import Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}


def test_a_citizen_answers_from_a_receipt_qr_code_saves_resumes_finishes_and_cannot_answer_twice(
    world, personas, surveys, live_server, browser
):
    desk = surveys.mao_dien_desk
    form_url = f"{live_server.url}/khao-sat/{desk.slug}/"
    # The desk's QR code, made by the server, encodes exactly the public link.
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    served = phone.request.get(f"{live_server.url}/khao-sat/{desk.slug}/qr.svg").body()
    expected = io.BytesIO()
    segno.make(form_url, error="m").save(
        expected, kind="svg", scale=8, border=2, title="Mã QR khảo sát sự hài lòng"
    )
    assert served == expected.getvalue()

    token = services.token_issue(surveys.round, "H47.25-260301-0007")
    receipt_link = f"{form_url}?t={token}"
    page = phone.new_page()
    page.goto(receipt_link)
    assert page.locator("h1").inner_text() == "Khảo sát SIPAS năm 2026"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    target_height = page.locator("label.sv-opt").first.bounding_box()["height"]
    assert target_height >= 44
    for code in ("tc1", "tc2", "tt1"):
        page.check(f"input[name=q-{code}][value='5']")
    page.click("button[value=save]")
    page.wait_for_url("**da-luu=1")
    assert "Đã lưu các câu trả lời" in page.locator("[role=status]").first.inner_text()
    resume = page.locator("#duong-dan-tiep").inner_text()
    phone.close()

    later = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    later.goto(resume)
    assert later.locator("input[name=q-tc1][value='5']").is_checked()
    with later.expect_navigation():
        later.click("button[value=finish]")  # the rest is still missing
    assert "Phiếu chưa được gửi" in later.locator("[role=alert]").inner_text()
    assert later.locator("input[name=q-tt1][value='5']").is_checked()
    for code in ("tt2", "cc1", "cc2", "kq1", "kq2"):
        later.check(f"input[name=q-{code}][value='4']")
    later.check("input[name=q-gy0][value='khong']")
    later.click("button[value=finish]")
    later.wait_for_url("**/cam-on/")
    assert "Ý kiến của Ông/Bà đã được ghi nhận" in later.content()
    assert Response.objects.count() == 1

    later.goto(receipt_link)
    assert later.locator("h1").inner_text() == "Mã phiếu đã được sử dụng"
    assert "Mỗi hồ sơ chỉ đánh giá một lần" in later.content()
    assert Response.objects.count() == 1
