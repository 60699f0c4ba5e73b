import uuid
from dataclasses import dataclass

import pytest

from cchc.surveys import services


@dataclass
class SurveyWorld:
    survey: object
    round: object
    mao_dien_desk: object
    nam_sach_desk: object


@pytest.fixture
def surveys(world, personas) -> SurveyWorld:
    manager = personas["city_standing"]
    survey = services.sipas_template_create(actor=manager, owner=world.city)
    round_ = services.round_open(
        actor=manager,
        survey=survey,
        title="Khảo sát SIPAS năm 2026",
        year=2026,
        units=[world.mao_dien, world.nam_sach],
    )
    return SurveyWorld(
        survey,
        round_,
        services.channel_create(actor=manager, round_=round_, unit=world.mao_dien, desk="Quầy 1"),
        services.channel_create(actor=manager, round_=round_, unit=world.nam_sach),
    )


def all_answers(level: int = 5, **extra) -> dict:
    """A finished SIPAS questionnaire with every scale question at ``level``."""
    answers = {code: level for code in ("tc1", "tc2", "tt1", "tt2", "cc1", "cc2", "kq1", "kq2")}
    answers["gy0"] = "khong"
    answers.update(extra)
    return answers


@pytest.fixture
def submit():
    def _submit(channel, level=5, *, uid=None, **extra):
        return services.response_submit(
            channel=channel, raw=all_answers(level, **extra), submission_uuid=uid or uuid.uuid4()
        )

    return _submit
