from django.urls import reverse

from cchc.surveys import selectors, services


def test_the_round_page_shows_the_overall_index_of_each_round_as_a_chart_and_a_table(
    world, personas, login, surveys, submit
):
    for _ in range(3):
        submit(surveys.mao_dien_desk, 5)
    services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    later = services.round_open(
        actor=personas["city_standing"],
        survey=surveys.survey,
        title="Khảo sát SIPAS năm 2027",
        year=2027,
        units=[world.mao_dien],
    )
    desk = services.channel_create(actor=personas["city_standing"], round_=later, unit=world.mao_dien)
    submit(desk, 5)
    submit(desk, 1)
    page = login(personas["city_standing"]).get(reverse("surveys:round", args=[later.pk]))
    html = page.content.decode()
    assert "Chỉ số hài lòng chung qua các đợt" in html
    assert "<polyline" in html and "2026 100,0%, 2027 50,0%" in html
    assert f'href="{reverse("surveys:round", args=[surveys.round.pk])}">Khảo sát SIPAS năm 2026</a>' in html


def test_the_trend_counts_only_the_units_the_reader_sees_in_each_round(world, personas, surveys, submit):
    submit(surveys.mao_dien_desk, 5)
    submit(surveys.nam_sach_desk, 1)
    from cchc.surveys import permissions

    officer = personas["officer"]
    trend = selectors.survey_trend(surveys.survey, lambda r: permissions.visible_units(officer, r))
    assert [(p.round.year, p.results.responses, p.results.overall.value) for p in trend] == [(2026, 1, 100.0)]
    outsider = personas["department_officer"]
    assert selectors.survey_trend(surveys.survey, lambda r: permissions.visible_units(outsider, r)) == []


def test_a_single_round_draws_no_trend(personas, login, surveys, submit):
    submit(surveys.mao_dien_desk, 5)
    html = (
        login(personas["city_standing"])
        .get(reverse("surveys:round", args=[surveys.round.pk]))
        .content.decode()
    )
    assert "qua các đợt" not in html
