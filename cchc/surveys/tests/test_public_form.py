import uuid

import pytest
from django.core.cache import cache

from cchc.surveys import services
from cchc.surveys.models import Draft, Response
from cchc.surveys.tests.conftest import all_answers


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def post_data(level=5, uid=None, **extra):
    data = {f"q-{k}": v for k, v in all_answers(level).items()}
    data.update(submission_uuid=str(uid or uuid.uuid4()), action="finish", **extra)
    return data


def test_the_public_form_opens_without_login_in_vietnamese_with_labelled_choices(client, surveys):
    page = client.get(f"/khao-sat/{surveys.mao_dien_desk.slug}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Xã Mao Điền" in html and "Tiếp cận dịch vụ" in html
    assert (
        '<label class="sv-opt"><input type="radio" name="q-tc1" value="5"> 5 — Rất hài lòng</label>' in html
    )
    assert "<script" not in html and "style=" not in html and " onclick" not in html


def test_a_finished_questionnaire_is_counted_and_thanked(client, surveys):
    page = client.post(f"/khao-sat/{surveys.mao_dien_desk.slug}/", post_data(), follow=True)
    assert "Ý kiến của Ông/Bà đã được ghi nhận" in page.content.decode()
    assert Response.objects.count() == 1


def test_a_missing_answer_keeps_the_others_and_names_the_question(client, surveys):
    data = post_data()
    del data["q-kq2"]
    page = client.post(f"/khao-sat/{surveys.mao_dien_desk.slug}/", data)
    html = page.content.decode()
    assert page.status_code == 400
    assert "Phiếu chưa được gửi" in html and "Ông/Bà vui lòng trả lời câu hỏi này." in html
    assert 'name="q-kq1" value="5" checked' in html
    assert Response.objects.count() == 0


def test_partial_save_gives_a_resume_link_and_finishing_from_it_counts_once(client, surveys):
    url = f"/khao-sat/{surveys.mao_dien_desk.slug}/"
    uid = uuid.uuid4()
    saved = client.post(url, {"q-tc1": "4", "submission_uuid": str(uid), "action": "save"}, follow=True)
    assert "Đã lưu các câu trả lời" in saved.content.decode()
    draft = Draft.objects.get()
    resumed = client.get(url, {"tiep": draft.key})
    assert 'name="q-tc1" value="4" checked' in resumed.content.decode()
    client.post(url, post_data(uid=uid, tiep=draft.key))
    assert Response.objects.count() == 1 and not Draft.objects.exists()


def test_a_retry_is_idempotent_and_an_altered_retry_is_refused(client, surveys):
    url = f"/khao-sat/{surveys.mao_dien_desk.slug}/"
    uid = uuid.uuid4()
    assert client.post(url, post_data(uid=uid)).status_code == 302
    assert client.post(url, post_data(uid=uid)).status_code == 302
    conflict = client.post(url, post_data(4, uid=uid))
    assert conflict.status_code == 409 and "nội dung khác" in conflict.content.decode()
    assert Response.objects.count() == 1


def test_the_honeypot_stores_nothing(client, surveys):
    page = client.post(f"/khao-sat/{surveys.mao_dien_desk.slug}/", post_data(website="http://spam"))
    assert page.status_code == 302 and Response.objects.count() == 0


def test_too_many_posts_from_one_address_are_slowed_down(client, surveys, settings):

    url = f"/khao-sat/{surveys.mao_dien_desk.slug}/"
    for _ in range(services.RATE_LIMIT):
        client.post(url, post_data())
    page = client.post(url, post_data())
    assert page.status_code == 429 and "thử lại sau ít phút" in page.content.decode()


def test_the_ip_hash_rotates_daily_and_never_stores_the_address():
    from datetime import date

    first = services.ip_hash("203.0.113.7", date(2026, 12, 1))
    assert first == services.ip_hash("203.0.113.7", date(2026, 12, 1))
    assert first != services.ip_hash("203.0.113.7", date(2026, 12, 2))
    assert "203" not in first


def test_a_receipt_token_link_is_refused_politely_once_used(client, surveys):
    token = services.token_issue(surveys.round, "H47.25-260301-0007")
    url = f"/khao-sat/{surveys.mao_dien_desk.slug}/"
    assert client.get(url, {"t": token}).status_code == 200
    client.post(url, post_data(t=token))
    again = client.get(url, {"t": token})
    assert again.status_code == 409
    assert "Hồ sơ này đã được đánh giá" in again.content.decode()


def test_a_forged_token_is_refused_in_vietnamese(client, surveys):
    page = client.get(f"/khao-sat/{surveys.mao_dien_desk.slug}/", {"t": "abc:def"})
    assert page.status_code == 400 and "Mã phiếu không hợp lệ" in page.content.decode()


def test_qr_codes_are_made_locally_as_svg_and_png(client, surveys):
    svg = client.get(f"/khao-sat/{surveys.mao_dien_desk.slug}/qr.svg")
    png = client.get(f"/khao-sat/{surveys.mao_dien_desk.slug}/qr.png")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_desk_poster_is_also_a_one_page_a4_pdf_with_the_unit_name_made_once(login, personas, surveys):
    import io
    import shutil

    import pdfplumber
    from django.conf import settings

    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed: cannot convert the poster to PDF")
    client = login(personas["officer"])
    url = f"/khao-sat/{surveys.mao_dien_desk.slug}/ap-phich.pdf"
    page = client.get(url)
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
    with pdfplumber.open(io.BytesIO(page.content)) as pdf:
        assert len(pdf.pages) == 1
        width, height = pdf.pages[0].width, pdf.pages[0].height
        text = pdf.pages[0].extract_text()
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "XÃ MAO ĐIỀN" in text and "Quét mã QR" in text
    cached = list((settings.MEDIA_ROOT / "cache" / "ap-phich").glob("*.pdf"))
    assert len(cached) == 1 and cached[0].read_bytes() == page.content
    assert client.get(url).content == page.content  # the second answer comes from the cache


def test_without_libreoffice_the_pdf_poster_answers_a_clear_vietnamese_message(
    login, personas, surveys, monkeypatch
):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    page = login(personas["officer"]).get(f"/khao-sat/{surveys.mao_dien_desk.slug}/ap-phich.pdf")
    assert page.status_code == 503
    assert "chưa cài LibreOffice" in page.content.decode() and ".docx" in page.content.decode()


def test_the_desk_poster_is_an_a4_docx_with_the_qr_code(login, personas, surveys):
    import io

    from docx import Document

    page = login(personas["officer"]).get(f"/khao-sat/{surveys.mao_dien_desk.slug}/ap-phich.docx")
    document = Document(io.BytesIO(page.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Quét mã QR" in text and surveys.mao_dien_desk.slug in text
    assert round(document.sections[0].page_width.cm) == 21 and document.inline_shapes
