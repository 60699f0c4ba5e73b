"""Published results through the API: public, read-only, and only what has been published (PAR
Index releases, frozen survey results with the cell minimum applied, initiatives recognised by a
decision)."""

from cchc.initiatives.models import Initiative
from cchc.scoring.models import Release, Season
from cchc.surveys.models import Round


def test_anyone_reads_the_published_par_index_and_never_a_season_in_progress(
    published, client, django_assert_max_num_queries
):
    release = Release.objects.get()
    with django_assert_max_num_queries(2):
        listed = client.get("/api/v1/published/par-index/")
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["items"]] == [release.pk]
    draft = Season.objects.exclude(pk=release.season_id).get()
    assert str(draft) not in listed.content.decode()
    detail = client.get(f"/api/v1/published/par-index/{release.pk}").json()
    assert detail["number"] == 1 and len(detail["rows"]) == len(release.rows)
    assert client.get(f"/api/v1/published/par-index/{release.pk + 99}").status_code == 404


def test_survey_results_are_those_frozen_at_publication_with_small_counts_suppressed(published, client):
    listed = client.get("/api/v1/published/surveys/").json()["items"]
    assert [r["title"] for r in listed] == ["Khảo sát SIPAS năm 2026"]
    overall = listed[0]["overall"]
    assert overall["responses"] == 3 and overall["suppressed"] is True and overall["value"] is None
    detail = client.get(f"/api/v1/published/surveys/{listed[0]['id']}").json()
    assert all(a["value"]["value"] is None for a in detail["aspects"])
    assert all(u["overall"]["value"] is None for u in detail["units"])
    unpublished = Round.objects.get(title="Khảo sát quý IV chưa công bố")
    assert client.get(f"/api/v1/published/surveys/{unpublished.pk}").status_code == 404


def test_survey_results_above_the_cell_minimum_are_shown(published, client):
    from cchc.surveys.models import ResultSnapshot

    round_ = Round.objects.get(title="Khảo sát SIPAS năm 2026")
    snapshot = ResultSnapshot.objects.filter(round=round_).latest("pk")
    snapshot.data = {**snapshot.data, "min_cell": 1}
    snapshot.save(update_fields=["data"])
    overall = client.get(f"/api/v1/published/surveys/{round_.pk}").json()["overall"]
    assert overall["suppressed"] is False and overall["value"] is not None


def test_an_initiative_is_listed_only_once_recognised_by_a_decision(
    published, client, django_assert_max_num_queries
):
    recognised = Initiative.objects.get(status="recognised")
    with django_assert_max_num_queries(1):  # campaign, unit and field joined
        listed = client.get("/api/v1/published/initiatives/").json()["items"]
    assert [i["id"] for i in listed] == [recognised.pk]
    assert listed[0]["decision_number"] == "123/QĐ-UBND"
    assert "confidential" not in listed[0]
    others = Initiative.objects.exclude(pk=recognised.pk)
    for other in others:
        assert client.get(f"/api/v1/published/initiatives/{other.pk}").status_code == 404
    Initiative.objects.filter(pk=recognised.pk).update(status="eligible")
    assert client.get("/api/v1/published/initiatives/").json()["items"] == []
    assert client.get(f"/api/v1/published/initiatives/{recognised.pk}").status_code == 404


def test_the_published_results_are_read_only(published, client):
    release = Release.objects.get()
    assert client.post("/api/v1/published/par-index/").status_code == 405
    assert client.delete(f"/api/v1/published/par-index/{release.pk}").status_code == 405
