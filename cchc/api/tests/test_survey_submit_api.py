"""The public survey form through the API (a mobile app): no login, the same submission service as
the form page: a client-made UUID counted once, other content under it refused, receipt codes spent
once, the page's rate limit and the unit's quota."""

import uuid

import pytest
from django.core.cache import cache

from cchc.surveys import services
from cchc.surveys.models import Response
from cchc.surveys.tests.conftest import all_answers, surveys  # noqa: F401


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


def _send(client, channel, answers=None, uid=None, **extra):
    body = {"submission_uuid": str(uid or uuid.uuid4()), "answers": answers or all_answers(), **extra}
    return client.post(
        f"/api/v1/survey-channels/{channel.slug}/responses", body, content_type="application/json"
    )


def test_the_questionnaire_of_a_channel_is_public(client, surveys):  # noqa: F811
    body = client.get(f"/api/v1/survey-channels/{surveys.mao_dien_desk.slug}").json()
    assert body["unit_name"] == "Xã Mao Điền" and body["is_open"] is True
    assert "tc1" in {q["code"] for q in body["questions"]}
    assert client.get("/api/v1/survey-channels/khong-co").status_code == 404


def test_an_answer_is_counted_once_without_login(client, surveys):  # noqa: F811
    response = _send(client, surveys.mao_dien_desk)
    assert response.status_code == 201, response.content
    assert response.json()["created"] is True
    assert Response.objects.filter(unit=surveys.mao_dien_desk.unit).count() == 1


def test_an_identical_resubmission_is_a_success_that_counts_nothing_more(client, surveys):  # noqa: F811
    uid = uuid.uuid4()
    assert _send(client, surveys.mao_dien_desk, uid=uid).status_code == 201
    again = _send(client, surveys.mao_dien_desk, uid=uid)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Response.objects.count() == 1


def test_the_same_uuid_with_other_answers_is_409(client, surveys):  # noqa: F811
    uid = uuid.uuid4()
    _send(client, surveys.mao_dien_desk, uid=uid)
    other = _send(client, surveys.mao_dien_desk, all_answers(2), uid=uid)
    assert other.status_code == 409
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "conflict" and "nội dung khác" in other.json()["detail"]
    assert Response.objects.count() == 1


def test_a_missing_answer_is_422_naming_the_question(client, surveys):  # noqa: F811
    answers = all_answers()
    del answers["tc1"]
    refused = _send(client, surveys.mao_dien_desk, answers)
    assert refused.status_code == 422
    assert "tc1" in refused.json()["errors"] and not Response.objects.exists()


def test_receipt_codes_are_required_checked_and_spent_once(client, world, personas):
    manager = personas["city_standing"]
    survey = services.sipas_template_create(actor=manager, owner=world.city)
    round_ = services.round_open(
        actor=manager,
        survey=survey,
        title="Theo biên nhận",
        year=2026,
        units=[world.mao_dien],
        requires_token=True,
    )
    channel = services.channel_create(actor=manager, round_=round_, unit=world.mao_dien)
    missing = _send(client, channel)
    assert missing.status_code == 400 and missing.json()["code"] == "token_refused"
    forged = _send(client, channel, token="gia-mao")
    assert forged.status_code == 400 and forged.json()["code"] == "token_refused"
    token = services.token_issue(round_, "HS-0001")
    assert _send(client, channel, token=token).status_code == 201
    spent = _send(client, channel, token=token)
    assert spent.status_code == 409 and spent.json()["code"] == "token_spent"
    assert Response.objects.count() == 1


def test_a_full_quota_is_409(client, world, personas, surveys):  # noqa: F811
    services.quota_set(actor=personas["city_standing"], round_=surveys.round, unit=world.mao_dien, target=1)
    assert _send(client, surveys.mao_dien_desk).status_code == 201
    full = _send(client, surveys.mao_dien_desk)
    assert full.status_code == 409 and full.json()["code"] == "quota_full"
    assert "đủ số phiếu" in full.json()["detail"]


def test_too_many_posts_from_one_address_get_429_shared_with_the_form_page(client, surveys):  # noqa: F811
    for _ in range(services.RATE_LIMIT):
        client.post(f"/khao-sat/{surveys.mao_dien_desk.slug}/", {"action": "finish"})
    limited = _send(client, surveys.mao_dien_desk)
    assert limited.status_code == 429 and limited.json()["code"] == "rate_limited"
    assert not Response.objects.exists()


def test_a_closed_round_takes_no_more_answers(client, personas, surveys):  # noqa: F811
    services.round_close(actor=personas["city_standing"], round_=surveys.round)
    closed = _send(client, surveys.mao_dien_desk)
    assert closed.status_code == 422 and "đã kết thúc" in closed.json()["detail"]
