import pytest

from cchc.demo.seed import load_demo
from cchc.initiatives import selectors
from cchc.initiatives.models import Campaign, Conflict, Notice
from cchc.org.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_runs_the_2025_campaign_end_to_end():
    load_demo(dossiers=0)
    campaign = Campaign.objects.get(number="2345/UBND-NVKTGS")
    assert campaign.status == "decided" and campaign.decision_number == "3456/QĐ-UBND"
    assert Notice.objects.filter(campaign=campaign, kind="campaign").count() >= 10
    units = set(campaign.initiatives.values_list("unit__code", flat=True))
    assert len(units) >= 6
    returned = campaign.initiatives.get(unit__code="10606")
    assert returned.first_submitted_at < returned.submitted_at
    conflicted = User.objects.get(username="maodien.vanphong")
    assert (
        Conflict.objects.filter(
            member__user=conflicted, initiative__unit__code="10930", initiative__campaign=campaign
        ).count()
        == 2
    )
    assert not campaign.initiatives.filter(reviews__member__user=conflicted, unit__code="10930").exists()
    top = selectors.top_awards(campaign)
    assert len(top) == 5
    assert top[0].unit.code == "11948"
    # Xã Mao Điền's map and Sở Tài chính's both end at 73 points; the campaign's rule (criteria in
    # rubric order) puts the higher novelty first, so Sở Tài chính takes the fifth certificate.
    ranked = selectors.ranking(campaign)
    assert ranked[4].verdict.final_score == ranked[5].verdict.final_score == 73
    assert (ranked[4].unit.code, ranked[5].unit.code) == ("STC", "10930")
    assert campaign.initiatives.filter(status="not_recognised").get().verdict.reason
    assert (
        campaign.initiatives.get(unit__code="10930", field__code="c").replications.get().unit.code == "10606"
    )


def test_the_demos_par_index_picks_up_the_recognised_initiatives():
    from cchc.scoring.models import Assessment

    load_demo(dossiers=0)
    assessment = Assessment.objects.get(unit__code="10930", season__year=2026)
    item = assessment.items.get(criterion__source__startswith="initiatives")
    assert item.proposed_points == 1
    assert "3987/QĐ-UBND" in str(item.proposed_figures)
