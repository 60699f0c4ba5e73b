"""The published survey index feeds the PAR Index: the "survey" source and the season's survey points."""

from decimal import Decimal
from types import SimpleNamespace

from cchc.scoring import services as scoring
from cchc.scoring import sources
from cchc.scoring.tests.conftest import commune_set, season  # noqa: F401
from cchc.surveys import services
from cchc.surveys.scoring import season_survey_points


def _publish_ninety_percent(surveys, submit, personas):
    for level in (5, 5, 5, 4, 4, 4, 4, 4, 4, 2):
        submit(surveys.mao_dien_desk, level)
    return services.round_publish(actor=personas["city_standing"], round_=surveys.round)


def test_the_survey_source_proposes_points_from_the_published_index_with_provenance(
    world, personas, surveys, submit
):
    criterion = SimpleNamespace(
        source="survey", method="proportional", max_points=Decimal(4), threshold=Decimal(100), bands=[]
    )
    assert sources.propose(world.mao_dien, 2026, criterion) is None  # nothing published yet
    snapshot = _publish_ninety_percent(surveys, submit, personas)
    proposal = sources.propose(world.mao_dien, 2026, criterion)
    assert proposal.points == Decimal("3.60")
    figures = dict(proposal.figures)
    assert figures["Số phiếu"] == "10" and figures["Chỉ số hài lòng"] == "90,00%"
    assert figures["Mã kiểm tra SHA-256"] == snapshot.sha256
    assert proposal.links == [("Kết quả khảo sát đã công bố", f"/ket-qua-khao-sat/{surveys.round.pk}/")]
    assert "kết quả khảo sát" in sources.label_for("survey")


def test_a_seasons_survey_points_come_from_the_snapshot_and_name_it_as_their_source(
    world,
    personas,
    surveys,
    submit,
    season,  # noqa: F811
):
    snapshot = _publish_ninety_percent(surveys, submit, personas)
    points = season_survey_points(season)
    mao_dien = season.assessments.get(unit=world.mao_dien)
    assert set(points) == {mao_dien.pk}  # Nam Sách has no answers: left out, not zero
    value, source = points[mao_dien.pk]
    assert value == Decimal("36.00")
    scoring.season_set_survey(
        actor=personas["city_standing"], season=season, points={mao_dien.pk: value}, source=source
    )
    mao_dien.refresh_from_db()
    assert mao_dien.survey_points == Decimal("36.00")
    assert snapshot.sha256[:12] in mao_dien.survey_source and "10 phiếu" in mao_dien.survey_source
