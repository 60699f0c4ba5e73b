"""Recognised initiatives feed the PAR Index criterion on initiatives, with the decision as provenance."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from cchc.initiatives import scoring_source, services
from cchc.scoring import sources

pytestmark = pytest.mark.django_db

CRITERION = SimpleNamespace(max_points=Decimal("2"), source="initiatives:1")


def _propose(unit, year):
    return sources.REGISTRY["initiatives"][1](unit, year, CRITERION, "1")


def test_the_source_is_the_initiatives_module(db):
    assert sources.REGISTRY["initiatives"][1] is scoring_source.recognised_initiatives


def test_no_decision_yet_means_no_data(recognised, world):
    assert _propose(world.mao_dien, 2025) is None


def test_the_recognised_initiative_gives_the_unit_its_point_with_the_decision(recognised, world, people):
    services.decision_issue(
        actor=people["science"],
        campaign=recognised.campaign,
        number="3456/QĐ-UBND",
        decided_on=date(2025, 11, 28),
        signer="Hoàng Minh Cường",
        signer_title="PHÓ CHỦ TỊCH",
    )
    proposal = _propose(world.mao_dien, 2025)
    assert proposal.points == Decimal("1.00")
    figures = dict(proposal.figures)
    assert figures["Sáng kiến được công nhận năm 2025"] == "1"
    assert "3456/QĐ-UBND ngày 28/11/2025" in figures["Căn cứ"]
    assert proposal.links[0][1] == f"/thu-vien-sang-kien/{recognised.pk}/"
    nothing = _propose(world.nam_sach, 2025)
    assert nothing.points == 0 and dict(nothing.figures)["Sáng kiến được công nhận năm 2025"] == "0"
