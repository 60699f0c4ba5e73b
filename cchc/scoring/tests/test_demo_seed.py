"""The PAR Index part of the demo: seasons for the three blocks, the seeds' self-assessments with
scores proposed from cchc's own figures, an appraisal, an explanation, published rankings."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from cchc.delivery import selectors as delivery
from cchc.demo.seed import DEMO_PASSWORD, load_demo
from cchc.plans.models import Task
from cchc.reporting.models import PeriodKind, ReportingPeriod
from cchc.reporting.selectors import completeness
from cchc.scoring.models import Assessment, Release, Season


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo(dossiers=3_000)
        yield
        from django.core.management import call_command as call

        call("flush", interactive=False, verbosity=0)


def _item(code, criterion):
    return Assessment.objects.get(unit__code=code).items.get(criterion__code=criterion)


@pytest.mark.django_db
def test_the_demo_has_a_2026_season_for_the_three_blocks_with_sample_sets(demo):
    seasons = Season.objects.filter(year=2026).select_related("criteria_set")
    assert {s.block for s in seasons} == {"department", "ward", "commune"}
    assert all(s.criteria_set.is_sample and s.criteria_set.title.startswith("BỘ MẪU") for s in seasons)
    assert {s.block: s.stage for s in seasons} == {
        "department": "locked",
        "commune": "locked",
        "ward": "self",
    }
    assert Release.objects.filter(season__year=2026).count() == 2


@pytest.mark.django_db
def test_the_seeds_scores_proposed_from_data_match_cchcs_own_figures(demo):
    periods = ReportingPeriod.objects.filter(year=2026).exclude(kind=PeriodKind.ADHOC)
    on_time = sum(
        1 for p in periods for row in completeness(period=p).rows if row.unit.code == "10930" and row.on_time
    )
    reports = _item("10930", "1.2.1")
    assert ["Gửi đúng hạn", str(on_time)] in reports.proposed_figures["figures"]
    tasks = Task.objects.filter(plan__number="84/KH-UBND", parent=None)
    done = tasks.filter(status__in=Task.FINISHED).count()
    plan_done = _item("10930", "1.1.2")
    assert ["Nhiệm vụ hoàn thành", str(done)] in plan_done.proposed_figures["figures"]
    kpis = delivery.unit_kpis(
        Assessment.objects.get(unit__code="11948").unit, delivery.period_catalogue().get("2026")
    )
    on_time_item = _item("11948", "3.1")
    assert on_time_item.proposed_points == (Decimal(str(kpis["on_time_rate"])) * 6).quantize(Decimal("0.01"))
    # The initiatives module now answers: Sở GD&ĐT has no initiative recognised by the 2026 decision.
    assert _item("SGDDT", "8.1").proposed_figures["figures"][0] == ["Sáng kiến được công nhận năm 2026", "0"]


@pytest.mark.django_db
def test_mao_dien_s_plan_item_carries_all_five_stages_in_its_ledger(demo):
    stages = list(_item("10930", "1.1.1").ledger.values_list("stage", "points"))
    assert [s for s, _ in stages] == ["proposed", "self", "appraised", "explained", "final"]
    assert [p for _, p in stages] == [1, 1, Decimal("0.5"), 1, 1]


@pytest.mark.django_db
def test_scoring_rank_prints_the_demo_ranking(demo, capsys):
    call_command("scoring_rank", "--year", "2026")
    out = capsys.readouterr().out
    assert "Khối xã, đặc khu (kết quả chính thức)" in out and "Xã Mao Điền" in out
    assert "Sở Giáo dục và Đào tạo" in out


@pytest.mark.django_db
def test_the_demo_pages_open_for_their_people(demo, client):
    release = Release.objects.get(season__block="commune")
    assert client.get(reverse("scoring:public_release", args=[release.pk])).status_code == 200
    client.login(username="maodien.chuyenvien", password=DEMO_PASSWORD)
    mao = Assessment.objects.get(unit__code="10930")
    assert client.get(reverse("scoring:assessment_detail", args=[mao.pk])).status_code == 200
    client.login(username="maodien.vanphong", password=DEMO_PASSWORD)  # conflicted council member
    item = _item("10930", "1.1.1")
    assert client.get(reverse("scoring:item_detail", args=[item.pk])).status_code == 404
    season = mao.season
    assert "Xã Mao Điền" not in client.get(reverse("scoring:ranking", args=[season.pk])).content.decode()
    client.login(username="snv.thuongtruc", password=DEMO_PASSWORD)
    assert client.get(reverse("scoring:season_detail", args=[season.pk])).status_code == 200
