import uuid

import pytest
from django.core.cache import cache

from cchc.surveys.models import Draft, Response
from cchc.surveys.tests.conftest import all_answers


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def kiosk_url(surveys):
    return f"/khao-sat/{surveys.mao_dien_desk.slug}/quay/"


def post_data(level=5, **extra):
    data = {f"q-{k}": v for k, v in all_answers(level).items()}
    data.update(submission_uuid=str(uuid.uuid4()), action="finish")
    data.update(extra)
    return data


def test_the_kiosk_form_reloads_itself_to_a_fresh_form_without_script(client, surveys):
    page = client.get(kiosk_url(surveys))
    html = page.content.decode()
    assert page.status_code == 200
    assert f'<meta http-equiv="refresh" content="120;url={kiosk_url(surveys)}">' in html
    assert f'action="{kiosk_url(surveys)}"' in html
    assert "<script" not in html and "style=" not in html


def test_the_ordinary_form_does_not_reload_itself(client, surveys):
    html = client.get(f"/khao-sat/{surveys.mao_dien_desk.slug}/").content.decode()
    assert "http-equiv" not in html


def test_a_finished_kiosk_answer_returns_to_a_fresh_form_for_the_next_citizen(client, surveys):
    page = client.post(kiosk_url(surveys), post_data(), follow=True)
    html = page.content.decode()
    assert page.redirect_chain[-1][0] == kiosk_url(surveys) + "?cam-on=1"
    assert "Ý kiến đã được ghi nhận" in html and "dành cho người tiếp theo" in html
    assert "checked" not in html
    assert Response.objects.count() == 1


def test_a_refused_kiosk_answer_is_kept_as_a_draft_before_the_idle_reset(client, surveys):
    data = post_data()
    del data["q-kq2"]
    page = client.post(kiosk_url(surveys), data)
    html = page.content.decode()
    assert page.status_code == 400 and "Phiếu chưa được gửi" in html
    draft = Draft.objects.get()
    assert draft.answers["tc1"] == 5
    assert f'name="tiep" value="{draft.key}"' in html
    assert 'http-equiv="refresh"' in html
    fresh = client.get(kiosk_url(surveys)).content.decode()
    assert "checked" not in fresh and draft.key not in fresh


def test_finishing_after_a_refusal_counts_once_and_removes_the_draft(client, surveys):
    data = post_data()
    del data["q-kq2"]
    client.post(kiosk_url(surveys), data)
    draft = Draft.objects.get()
    client.post(kiosk_url(surveys), post_data(tiep=draft.key, submission_uuid=str(draft.submission_uuid)))
    assert Response.objects.count() == 1 and not Draft.objects.exists()


def test_saving_at_the_kiosk_keeps_a_draft_and_shows_a_fresh_form_without_its_link(client, surveys):
    page = client.post(
        kiosk_url(surveys),
        {"q-tc1": "4", "submission_uuid": str(uuid.uuid4()), "action": "save"},
        follow=True,
    )
    html = page.content.decode()
    draft = Draft.objects.get()
    assert "Đã lưu phần đã trả lời" in html and draft.key not in html and "checked" not in html
