from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.org.models import Unit
from cchc.surveys import services


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_round_page_reads_a_bounded_number_of_queries_whatever_the_responses(
    world, personas, login, surveys, submit
):
    client = login(personas["city_standing"])
    url = reverse("surveys:round", args=[surveys.round.pk])
    for _ in range(3):
        submit(surveys.mao_dien_desk)
    few = _queries(client, url)
    for _ in range(30):
        submit(surveys.nam_sach_desk, 4)
    assert _queries(client, url) == few


def test_the_round_list_reads_a_bounded_number_of_queries_whatever_the_rounds(
    world, personas, login, surveys
):
    client = login(personas["leader"])
    url = reverse("surveys:rounds")
    one = _queries(client, url)
    for year in (2027, 2028, 2029):
        services.round_open(
            actor=None, survey=surveys.survey, title=f"Khảo sát năm {year}", year=year, units=[world.mao_dien]
        )
    assert _queries(client, url) == one


def test_published_results_count_a_communes_sub_units_in_its_figures(world, personas, surveys, submit):
    office = Unit.objects.get(code="10930-VP")
    surveys.round.units.add(office)
    desk = services.channel_create(actor=personas["city_standing"], round_=surveys.round, unit=office)
    for _ in range(5):
        submit(desk, 5)
    services.round_publish(actor=personas["city_standing"], round_=surveys.round)
    from cchc.surveys.selectors import satisfaction_index

    index = satisfaction_index(world.mao_dien, 2026)
    assert index.n == 5 and index.value == 100.0
    assert satisfaction_index(world.nam_sach, 2026).n == 0
