"""The Hải Phòng demo, loaded once through the services as `make run` does."""

import re
import unicodedata

import pytest
from django.urls import reverse

from cchc.core.text import fold
from cchc.demo.seed import DEMO_PASSWORD, load_demo
from cchc.org.models import Unit
from cchc.plans import selectors
from cchc.plans.models import Plan, Task

# Words an OCR text without diacritics leaves behind; none may survive in the restored data.
UNACCENTED = re.compile(
    r"\b(cai cach|hanh chinh|thu tuc|nhiem vu|thuc hien|don vi|co quan|van ban|phap luat|ke hoach|bao cao|"
    r"quy pham|chinh quyen|dien tu|cong chuc|hang nam|lien quan)\b"
)


@pytest.fixture
def demo(db):
    return load_demo(dossiers=20_000)


def test_the_demo_holds_the_city_its_14_departments_and_all_114_communes(demo):
    assert Unit.objects.filter(kind="city").count() == 1
    assert Unit.objects.filter(kind="department").count() == 14
    assert Unit.objects.filter(kind="ward").count() == 45
    assert Unit.objects.filter(kind="commune").count() == 67
    assert Unit.objects.filter(kind="special_zone").count() == 2
    assert Unit.objects.get(code="10930").name == "Xã Mao Điền"
    assert Unit.objects.get(code="SNV").standing_agency_for.code == "HP"
    commune_standing = Unit.objects.filter(standing_agency_for__kind__in=["ward", "commune", "special_zone"])
    assert commune_standing.count() == 114

    # Every appendix task of Mao Điền (32 numbered + 14 sub-items) and Bạch Long Vĩ (30).
    mao_dien = Plan.objects.get(number="84/KH-UBND")
    assert mao_dien.tasks.filter(parent=None).count() == 32
    assert mao_dien.tasks.exclude(parent=None).count() == 14
    bach_long_vi = Plan.objects.get(number="95/QĐ-UBND")
    assert bach_long_vi.tasks.count() == 30
    assert bach_long_vi.issuer.name == "Đặc khu Bạch Long Vĩ"
    assert Plan.objects.get(number="6252/KH-SGDĐT").tasks.count() == 40
    first = bach_long_vi.tasks.get(number="1")
    assert first.content == (
        "Rà soát, kiểm tra, hệ thống văn bản quy phạm pháp luật, trình Chủ tịch UBND đặc khu xử lý các văn bản "
        "chồng chéo, mâu thuẫn, trái pháp luật theo quy định"
    )
    assert (first.product, first.time_text) == ("Báo cáo", "2026-2030")
    assert [u.code for u in first.lead_units.all()] == ["11948-VP"]

    # Full diacritics: NFC everywhere, no OCR remnant words.
    for task in Task.objects.all():
        for text in (task.content, task.lead_text, task.partner_text, task.product, task.time_text):
            assert unicodedata.is_normalized("NFC", text)
            assert not UNACCENTED.search(text), (task.plan.number, task.number, text)
        assert fold(task.content) != task.content.lower(), task.content

    # Every named lead of the two commune plans is a real unit (group names aside).
    for plan in (mao_dien, bach_long_vi):
        for task in plan.tasks.prefetch_related("lead_units"):
            if task.lead_text and not task.lead_text.startswith("Các "):
                assert task.lead_units.exists(), task.lead_text


def test_mao_dien_alignment_names_its_weaker_satisfaction_targets(demo):
    alignment = selectors.plan_alignment(plan=Plan.objects.get(number="84/KH-UBND"))
    weaker = {row.parent.key: row.child.threshold for row in alignment.of("weaker")}
    assert weaker["satisfaction_tthc"] == 90
    assert weaker["satisfaction_agencies"] == 90
    assert "budget_reduction_public_units" in {row.parent.key for row in alignment.of("missing")}


def test_demo_logins_work(demo, client):
    response = client.post(reverse("login"), {"username": "maodien.chuyenvien", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "Mao Điền" in client.get(reverse("home")).content.decode()


def test_the_demo_feeds_mao_diens_online_target_from_its_dossiers(demo, client):
    from cchc.delivery.models import TargetKpiLink

    link = TargetKpiLink.objects.select_related("target").get(
        target__plan__number="84/KH-UBND", kpi="online_share"
    )
    assert link.target.threshold == 85
    client.login(username="maodien.chuyenvien", password=DEMO_PASSWORD)
    html = client.get(reverse("plans:target_list") + f"?plan={link.target.plan_id}").content.decode()
    cell = html[html.index(f'data-target-actual="{link.target.pk}"') :]
    cell = cell[: cell.index("</td>")]
    assert re.search(r"\d+,\d%", cell) and ("Đạt" in cell or "Chưa đạt" in cell)
    assert demo["dossiers"] > 15_000
