"""The snapshot takes satisfaction from the published survey and the PAR Index from the published
release, each refreshed by the source's own publishing service."""

from datetime import date

from cchc.dashboard.models import ScorecardRow


def test_publishing_a_survey_round_puts_its_satisfaction_in_the_snapshot(
    world, personas, surveys, submit, django_capture_on_commit_callbacks
):
    from cchc.surveys import services

    for _ in range(3):
        submit(surveys.mao_dien_desk, 5)
    submit(surveys.nam_sach_desk, 1)
    with django_capture_on_commit_callbacks(execute=True):
        services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    mao = ScorecardRow.objects.get(unit=world.mao_dien, year=2026)
    nam = ScorecardRow.objects.get(unit=world.nam_sach, year=2026)
    city = ScorecardRow.objects.get(unit=world.city, year=2026)
    assert mao.satisfaction == 1.0 and mao.satisfaction_n == 3
    assert nam.satisfaction == 0.0
    assert city.satisfaction_n == 4 and 0.7 < city.satisfaction < 0.8


def test_publishing_the_par_index_puts_index_and_rank_in_the_snapshot(
    world, personas, season, council, django_capture_on_commit_callbacks
):
    from cchc.conftest import _person
    from cchc.scoring import services
    from cchc.scoring.tests.conftest import fill_all

    mao = season.assessments.get(unit=world.mao_dien)
    nam = season.assessments.get(unit=world.nam_sach)
    fill_all(mao, personas["officer"])
    fill_all(nam, personas["sibling"], points=lambda c: 0)
    services.assessment_submit(actor=personas["head"], assessment=mao, today=date(2027, 1, 2))
    services.assessment_submit(
        actor=_person("head_nam_sach", world.nam_sach, "head"), assessment=nam, today=date(2027, 1, 2)
    )
    actor = personas["city_standing"]
    services.season_advance(actor=actor, season=season, to_stage="appraisal")
    season.refresh_from_db()
    for assessment in (mao, nam):
        for item in assessment.items.filter(applicable=True):
            services.council_score(
                actor=council["secretary"].user,
                item=item,
                method="override",
                points=item.self_points,
                reason="Đúng",
            )
    services.season_advance(actor=actor, season=season, to_stage="explanation")
    season.refresh_from_db()
    services.season_lock(actor=actor, season=season, reason="QĐ công bố")
    with django_capture_on_commit_callbacks(execute=True):
        services.season_publish(actor=actor, season=season)
    first = ScorecardRow.objects.get(unit=world.mao_dien, year=season.year)
    second = ScorecardRow.objects.get(unit=world.nam_sach, year=season.year)
    assert (first.par_rank, first.par_ranked) == (1, 2) and second.par_rank == 2
    assert first.par_index > second.par_index
