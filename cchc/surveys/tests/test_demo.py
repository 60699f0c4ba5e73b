"""The demo round: its published results feed Mao Điền's satisfaction target (≥ 90%) with provenance."""

import time

import pytest
from django.urls import reverse

from cchc.demo.seed import load_demo
from cchc.org.models import Unit
from cchc.plans.models import Target
from cchc.surveys import selectors
from cchc.surveys.models import Round


@pytest.fixture
def demo(db):
    started = time.perf_counter()
    load_demo(dossiers=0)
    return time.perf_counter() - started


def test_the_demo_round_feeds_mao_diens_satisfaction_target_with_provenance(demo):
    target = Target.objects.get(
        plan__number="84/KH-UBND",
        text__startswith="Mức độ hài lòng của người dân, doanh nghiệp về giải quyết",
    )
    actual = selectors.satisfaction_target_actuals([target], 2026)[target.pk]
    assert actual.index.n == 120
    assert actual.index.value >= 90 and actual.met is True
    assert actual.index.low < actual.index.value < actual.index.high
    assert actual.index.provenance["round_title"] == "Khảo sát sự hài lòng năm 2026 (dữ liệu mô phỏng)"
    assert len(actual.index.provenance["sha256"]) == 64


def test_the_demo_public_results_hide_the_ward_with_three_answers(client, demo):
    round_ = Round.objects.get()
    small = Unit.objects.filter(kind="ward").order_by("code")[1]
    html = client.get(reverse("surveys:public_results", args=[round_.pk])).content.decode()
    row = html.split(f"<td>{small.name}</td>")[1].split("</tr>")[0]
    assert "ẩn (dưới 5 phiếu)" in row
