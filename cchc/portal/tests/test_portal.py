"""The public portal answers without a login and shows only what has been published."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from cchc.initiatives.models import Initiative
from cchc.scoring.models import Release, Season
from cchc.surveys import services as surveys
from cchc.surveys.models import Round


@pytest.fixture
def published(world, personas):
    from cchc.core.tests.test_fuzz_pages import _par_index_survey_and_initiative

    _par_index_survey_and_initiative(world, personas)
    survey = Round.objects.get().survey
    surveys.round_open(
        actor=personas["city_standing"],
        survey=survey,
        title="Khảo sát quý IV chưa công bố",
        year=2026,
        units=[world.mao_dien],
    )
    cache.clear()
    yield
    cache.clear()


def test_the_front_page_shows_published_results_and_never_a_draft(
    published, client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    page = response.content.decode()
    release = Release.objects.get()
    assert reverse("scoring:public_release", args=[release.pk]) in page and str(release.season) in page
    draft_season = Season.objects.exclude(pk=release.season_id).get()
    assert str(draft_season) not in page  # still in self-assessment
    assert (
        "Khảo sát SIPAS năm 2026" in page and "Chưa đủ số phiếu" in page
    )  # 3 answers: under the cell minimum
    assert "Khảo sát quý IV chưa công bố" not in page
    recognised = Initiative.objects.get(status="recognised")
    assert recognised.title in page and "123/QĐ-UBND" in page
    with django_assert_max_num_queries(2):  # the second visit is served from the cache (session only)
        client.get(reverse("portal:home"))


def test_an_initiative_is_public_only_once_recognised_by_a_decision(published, client):
    recognised = Initiative.objects.get(status="recognised")
    assert client.get(reverse("portal:initiatives")).status_code == 200
    detail = client.get(reverse("portal:initiative", args=[recognised.pk]))
    assert detail.status_code == 200 and recognised.title in detail.content.decode()
    assert recognised.confidential == "" or recognised.confidential not in detail.content.decode()
    Initiative.objects.filter(pk=recognised.pk).update(status="eligible")
    assert client.get(reverse("portal:initiative", args=[recognised.pk])).status_code == 404
    assert recognised.title not in client.get(reverse("portal:initiatives")).content.decode()


def test_an_empty_portal_says_nothing_is_published_yet(db, client):
    cache.clear()
    page = client.get(reverse("portal:home")).content.decode()
    assert "Chưa có kết quả Chỉ số CCHC nào được công bố" in page
    assert "Chưa có sáng kiến nào được công nhận" in page


def test_signed_in_people_get_the_same_page_but_not_a_shared_cache(published, personas, login):
    response = login(personas["officer"]).get(reverse("portal:home"))
    assert response.status_code == 200 and "public" not in response.get("Cache-Control", "")
