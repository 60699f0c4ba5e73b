"""At a real browser, phone width: a citizen scans the QR code on a receipt, answers part of the
questionnaire, saves, resumes later from the saved link, finishes; the same receipt is then
refused politely. The same from a desk's QR code; the kiosk tablet back to a fresh form after an
answer; the manager adding a question in the builder.

Phone screenshots go to a temporary folder; with CCHC_REFRESH_SCREENSHOTS=1 they refresh
docs/images/khao-sat-*.png."""

import io
import os
from pathlib import Path

import pytest
import segno

from cchc.surveys import services
from cchc.surveys.models import Question, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 740}
IMAGES = Path(__file__).resolve().parents[3] / "docs" / "images"


@pytest.fixture
def shots(tmp_path):
    return IMAGES if os.environ.get("CCHC_REFRESH_SCREENSHOTS") == "1" else tmp_path


def _phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    return page


def test_a_citizen_answers_from_a_receipt_qr_code_saves_resumes_finishes_and_cannot_answer_twice(
    world, personas, surveys, live_server, browser, shots
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
    later.screenshot(path=str(shots / "khao-sat-ma-da-dung-dien-thoai.png"), full_page=True)
    assert Response.objects.count() == 1


def test_a_citizen_at_the_desk_scans_its_qr_code_saves_part_resumes_and_finishes(
    surveys, live_server, browser, shots
):
    desk = surveys.mao_dien_desk
    desk_link = f"{live_server.url}/khao-sat/{desk.slug}/"
    page = _phone(browser)
    page.goto(desk_link)  # what the desk's QR code encodes (checked byte for byte above)
    assert page.locator("h1").inner_text() == "Khảo sát SIPAS năm 2026"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(shots / "khao-sat-phieu-dien-thoai.png"))
    for code in ("tc1", "tc2"):
        page.check(f"input[name=q-{code}][value='4']")
    page.click("button[value=save]")
    page.wait_for_url("**da-luu=1")
    resume = page.locator("#duong-dan-tiep").inner_text()
    assert resume.startswith(desk_link + "?tiep=")
    page.screenshot(path=str(shots / "khao-sat-da-luu-dien-thoai.png"))
    page.context.close()

    later = _phone(browser)
    later.goto(resume)
    assert later.locator("input[name=q-tc2][value='4']").is_checked()
    for code in ("tt1", "tt2", "cc1", "cc2", "kq1", "kq2"):
        later.check(f"input[name=q-{code}][value='5']")
    later.check("input[name=q-gy0][value='khong']")
    later.click("button[value=finish]")
    later.wait_for_url("**/cam-on/")
    assert "Ý kiến của Ông/Bà đã được ghi nhận" in later.content()
    later.screenshot(path=str(shots / "khao-sat-cam-on-dien-thoai.png"))
    response = Response.objects.get()
    assert response.unit_id == desk.unit_id
    # The resume link is spent with the draft: it cannot send a second answer.
    later.goto(resume)
    assert later.locator("h1").inner_text() == "Không tìm thấy phiếu đang trả lời"
    assert Response.objects.count() == 1


def test_the_kiosk_tablet_returns_to_a_fresh_form_after_an_answer(surveys, live_server, browser, shots):
    kiosk = _phone(browser)
    kiosk.goto(f"{live_server.url}/khao-sat/{surveys.mao_dien_desk.slug}/quay/")
    first_uuid = kiosk.locator("input[name=submission_uuid]").input_value()
    for code in ("tc1", "tc2", "tt1", "tt2", "cc1", "cc2", "kq1", "kq2"):
        kiosk.check(f"input[name=q-{code}][value='5']")
    kiosk.check("input[name=q-gy0][value='khong']")
    kiosk.click("button[value=finish]")
    kiosk.wait_for_url("**/quay/?cam-on=1")
    assert "Phiếu dưới đây dành cho người tiếp theo" in kiosk.locator("[role=status]").first.inner_text()
    assert kiosk.locator("input[type=radio]:checked").count() == 0
    assert kiosk.locator("input[name=submission_uuid]").input_value() != first_uuid
    assert kiosk.locator("meta[http-equiv=refresh]").count() == 1
    kiosk.screenshot(path=str(shots / "khao-sat-may-tai-quay.png"))
    assert Response.objects.count() == 1


def test_the_manager_adds_a_question_in_the_builder_at_phone_width(
    personas, surveys, live_server, browser, shots
):
    from cchc.conftest import PASSWORD
    from cchc.testing import signed_in_page

    manager = personas["city_standing"]
    draft = services.version_create_from_latest(actor=manager, survey=surveys.survey)
    page = signed_in_page(browser, live_server, manager.username, PASSWORD, width=PHONE["width"])
    page.goto(f"{live_server.url}/quan-ly-khao-sat/phien-ban/{draft.pk}/")
    section = page.locator("section.card").first
    section.locator("summary", has_text="Thêm câu hỏi vào phần này").click()
    form = section.locator("details", has_text="Thêm câu hỏi vào phần này").locator("form")
    form.locator("input[name=code]").fill("quay-lai")
    form.locator("input[name=text]").fill("Ông/Bà có sẵn lòng quay lại bộ phận một cửa không?")
    form.locator("select[name=kind]").select_option("single")
    form.locator("textarea[name=choices]").fill("co|Có\nkhong|Không")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "Đã lưu." in page.content()
    assert "Ông/Bà có sẵn lòng quay lại bộ phận một cửa không?" in page.content()
    page.screenshot(path=str(shots / "khao-sat-soan-cau-hoi-dien-thoai.png"), full_page=True)
    added = Question.objects.get(section__version=draft, code="quay-lai")
    assert added.choices == [["co", "Có"], ["khong", "Không"]]
