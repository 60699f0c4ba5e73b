from datetime import date

import pytest

from cchc.conftest import _person
from cchc.org.models import Unit
from cchc.scoring import samples, services


@pytest.fixture
def commune_set(world, personas):
    return services.set_create(
        actor=personas["city_standing"],
        year=2026,
        block=Unit.Block.COMMUNE,
        title=samples.sample_title(Unit.Block.COMMUNE, 2026),
        appraised_points=60,
        survey_points=40,
        rows=samples.sample_rows(Unit.Block.COMMUNE),
        is_sample=True,
    )


@pytest.fixture
def season(commune_set, personas):
    return services.season_open(
        actor=personas["city_standing"],
        criteria_set=commune_set,
        self_deadline=date(2027, 1, 20),
        explanation_deadline=date(2027, 2, 20),
    )


@pytest.fixture
def mao_dien_assessment(season, world):
    return season.assessments.get(unit=world.mao_dien)


def fill_all(
    assessment, actor, *, points=None, explanation="Đã thực hiện đầy đủ, có văn bản lưu tại đơn vị."
):
    """Score every applicable item at its maximum (or `points(criterion)`), explained."""
    entries = {}
    for item in assessment.items.select_related("criterion").filter(applicable=True):
        c = item.criterion
        value = points(c) if points else (c.max_points if c.max_points > 0 else 0)
        entries[item.pk] = services.SelfEntry(value, explanation, "Đơn vị tự đánh giá theo thực tế")
    services.assessment_save_self(actor=actor, assessment=assessment, entries=entries)


@pytest.fixture
def council(season, world, personas):
    """A secretary and a member from Sở Nội vụ, and a member from Mao Điền's own office (conflicted)."""
    secretary = _person("thu_ky", world.home_affairs, "officer")
    member = _person("thanh_vien", world.home_affairs, "officer")
    conflicted = _person("thanh_vien_mao_dien", world.mao_dien_office, "officer")
    actor = personas["city_standing"]
    return {
        "secretary": services.council_add_member(
            actor=actor, season=season, user=secretary, unit=world.home_affairs, role="secretary"
        ),
        "member": services.council_add_member(
            actor=actor, season=season, user=member, unit=world.home_affairs
        ),
        "conflicted": services.council_add_member(
            actor=actor, season=season, user=conflicted, unit=world.mao_dien_office
        ),
    }
