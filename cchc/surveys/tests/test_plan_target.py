"""The plan's target page shows a satisfaction target's value from the published survey round,
with where it came from (round, n, publication date, hash)."""

import pytest
from django.urls import reverse

from cchc.surveys import services


@pytest.fixture
def satisfaction_target(world, personas, surveys, submit):
    for level in (5, 5, 5, 4, 4, 4, 4, 4, 4, 2):
        submit(surveys.mao_dien_desk, level)
    target = world.plan.targets.get(text__startswith="Mức độ hài lòng")
    services.target_link_set(actor=personas["city_standing"], target=target, survey=surveys.survey)
    return target


def test_the_target_page_says_no_published_result_yet_before_publication(
    personas, login, satisfaction_target
):
    page = login(personas["head"]).get(reverse("plans:target_edit", args=[satisfaction_target.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and "Đo bằng khảo sát sự hài lòng" in body
    assert "chưa có kết quả khảo sát đã công bố" in body and "90,00%" not in body


def test_the_target_page_shows_the_published_satisfaction_with_its_provenance(
    personas, login, surveys, satisfaction_target
):
    snapshot = services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    page = login(personas["head"]).get(reverse("plans:target_edit", args=[satisfaction_target.pk]))
    body = page.content.decode()
    section = body.split('id="khao-sat"')[1].split("</section>")[0]
    assert "<strong>90,00%</strong>" in section and "<strong>Đạt</strong>" in section
    assert "Khảo sát SIPAS năm 2026" in section
    assert "Số phiếu hợp lệ (n)</dt><dd>10 câu trả lời" in section
    assert snapshot.created_at.strftime("%d/%m/%Y") in section and snapshot.sha256 in section
    assert reverse("surveys:public_results", args=[surveys.round.pk]) in section


def test_a_target_not_measured_by_a_survey_shows_no_survey_section(world, personas, login):
    target = (
        world.plan.targets.exclude(text__startswith="Mức độ hài lòng").first() or world.plan.targets.first()
    )
    body = login(personas["head"]).get(reverse("plans:target_edit", args=[target.pk])).content.decode()
    assert "Đo bằng khảo sát sự hài lòng" not in body


@pytest.mark.parametrize("who", ["sibling", "leader"])
def test_the_target_page_stays_closed_to_units_outside_the_plan(
    personas, login, surveys, satisfaction_target, who
):
    services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    page = login(personas[who]).get(reverse("plans:target_edit", args=[satisfaction_target.pk]))
    assert page.status_code == 404
