from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cchc.conftest import _person
from cchc.core.tests.samples import tiny_pdf
from cchc.org.models import Unit
from cchc.scoring import services
from cchc.scoring.models import Method, ScoreEntry
from cchc.scoring.services import CriterionRow
from cchc.scoring.tests.conftest import fill_all
from cchc.testing import PERSONAS, expect

pytestmark = pytest.mark.django_db

#                 anon off  offi head cstd sib  city dept lead admin conflicted
READ_MAO_DIEN = "302  200  200  200  200  404  200  404  200  200  404"
RUN_SEASON = "302  404  404  404  404  404  200  404  200  200  200"
MEMBERS_ONLY = "302  404  404  404  404  404  404  404  404  404  200"
NOBODY = "302  404  404  404  404  404  404  404  404  404  404"
PUBLIC = "200  200  200  200  200  200  200  200  200  200  200"
MANAGE = "302  404  404  404  404  404  200  404  404  200  404"


@pytest.fixture
def published(season, world, personas, council):
    """Mao Điền and Nam Sách submitted; Nam Sách assigned to every member; then appraised,
    explained, locked and published, with one uploaded evidence file on Mao Điền's 1.1.1."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    mao = season.assessments.get(unit=world.mao_dien)
    nam = season.assessments.get(unit=world.nam_sach)
    head_b = _person("head_nam_sach", world.nam_sach, "head")
    fill_all(mao, personas["officer"])
    fill_all(nam, personas["sibling"])
    item = mao.items.get(criterion__code="1.1.1")
    evidence = services.evidence_attach(
        actor=personas["officer"], item=item, upload=SimpleUploadedFile("kh.pdf", tiny_pdf())
    )
    services.assessment_submit(actor=personas["head"], assessment=mao, today=date(2027, 1, 2))
    services.assessment_submit(actor=head_b, assessment=nam, today=date(2027, 1, 2))
    services.season_advance(actor=personas["city_standing"], season=season, to_stage="appraisal")
    season.refresh_from_db()
    services.council_assign(actor=None, member=council["conflicted"], assessments=[nam])
    return {"season": season, "mao": mao, "nam": nam, "item": item, "evidence": evidence}


def _check(login, personas, conflicted_user, pages):
    failures = []
    for url, table in pages:
        values = table.split()
        expected = expect(" ".join(values[:10]))
        expected["conflicted"] = int(values[10])
        for persona, status in expected.items():
            user = conflicted_user if persona == "conflicted" else personas[persona]
            got = login(user).get(url).status_code
            if got != status:
                failures.append(f"{persona} GET {url}: {got}, expected {status}")
    return failures


def test_every_page_answers_each_persona_as_its_scope_allows(published, personas, council, login, client):
    season, mao, item = published["season"], published["mao"], published["item"]
    pages = [
        (reverse("scoring:home"), "302 200 200 200 200 200 200 200 200 200 200"),
        (reverse("scoring:season_detail", args=[season.pk]), RUN_SEASON),
        (reverse("scoring:ranking", args=[season.pk]), RUN_SEASON),
        (reverse("scoring:queue", args=[season.pk]), MEMBERS_ONLY),
        (reverse("scoring:queue_unit", args=[season.pk, published["nam"].pk]), MEMBERS_ONLY),
        (reverse("scoring:queue_unit", args=[season.pk, mao.pk]), NOBODY),
        (reverse("scoring:assessment_detail", args=[mao.pk]), READ_MAO_DIEN),
        (reverse("scoring:assessment_export", args=[mao.pk, "docx"]), READ_MAO_DIEN),
        (reverse("scoring:assessment_export", args=[mao.pk, "xlsx"]), READ_MAO_DIEN),
        (reverse("scoring:item_detail", args=[item.pk]), READ_MAO_DIEN),
        (reverse("scoring:evidence_download", args=[published["evidence"].pk]), READ_MAO_DIEN),
        (reverse("scoring:public_index"), PUBLIC),
        (reverse("scoring:set_list"), MANAGE),
        (reverse("scoring:set_export", args=[season.criteria_set_id]), MANAGE),
        (reverse("scoring:heads", args=[season.pk]), MANAGE),
        (reverse("scoring:council", args=[season.pk]), MANAGE),
        (reverse("scoring:survey", args=[season.pk]), MANAGE),
    ]
    failures = _check(login, personas, council["conflicted"].user, pages)
    assert not failures, "\n".join(failures)
    assert len(PERSONAS) == 10


def test_posts_outside_the_scope_get_404_and_a_conflicted_member_cannot_score(
    published, personas, council, login
):
    item = published["item"]
    response = login(personas["sibling"]).post(
        reverse("scoring:assessment_detail", args=[published["mao"].pk]), {f"points_{item.pk}": "1"}
    )
    assert response.status_code == 404
    response = login(council["conflicted"].user).post(
        reverse("scoring:item_action", args=[item.pk, "member"]), {"points": "1", "version": "0"}
    )
    assert response.status_code == 404
    assert not item.member_scores.exists()
    response = login(None).post(
        reverse("scoring:season_action", args=[published["season"].pk, "lock"]), {"reason": "x"}
    )
    assert response.status_code == 302 and "dang-nhap" in response["Location"]


def test_a_conflicted_member_sees_no_count_of_the_unit(published, council, login):
    page = login(council["conflicted"].user).get(
        reverse("scoring:season_detail", args=[published["season"].pk])
    )
    html = page.content.decode()
    assert "Xã Mao Điền" not in html and "1/1 đơn vị" in html
    ranking = login(council["conflicted"].user).get(reverse("scoring:ranking", args=[published["season"].pk]))
    assert "Xã Mao Điền" not in ranking.content.decode()


def test_a_member_sees_others_scores_only_after_entering_their_own(published, council, login):
    item = published["nam"].items.get(criterion__code="2.1")
    services.member_score(
        actor=council["secretary"].user, item=item, points=0, reason="Chưa có báo cáo rà soát"
    )
    url = reverse("scoring:item_detail", args=[item.pk])
    page = login(council["member"].user).get(url).content.decode()
    assert 'id="member-scores-hidden"' in page and "Chưa có báo cáo rà soát" not in page
    login(council["member"].user).post(
        reverse("scoring:item_action", args=[item.pk, "member"]), {"points": "3", "version": "0"}
    )
    page = login(council["member"].user).get(url).content.decode()
    assert "Chưa có báo cáo rà soát" in page and "Chênh lệch giữa các thành viên: <strong>3<" in page


def test_a_stale_member_form_answers_409_and_keeps_the_first_score(published, council, login):
    item = published["nam"].items.get(criterion__code="2.1")
    url = reverse("scoring:item_action", args=[item.pk, "member"])
    client = login(council["member"].user)
    client.post(url, {"points": "3", "version": "0"})
    response = client.post(url, {"points": "0", "reason": "sai", "version": "0"})
    assert response.status_code == 409 and "người khác cập nhật" in response.content.decode()
    assert item.member_scores.get().points == 3


def test_the_officer_saves_the_form_and_a_bad_score_is_named_without_losing_the_others(
    season, world, personas, login
):
    mao = season.assessments.get(unit=world.mao_dien)
    items = {i.criterion.code: i for i in mao.items.select_related("criterion")}
    url = reverse("scoring:assessment_detail", args=[mao.pk])
    client = login(personas["officer"])
    response = client.post(url, {f"points_{items['2.1'].pk}": "2", f"points_{items['2.2'].pk}": "2,5"})
    html = response.content.decode()
    assert response.status_code == 200 and "Tiêu chí 2.1: điểm 2 không hợp lệ, chỉ nhận 0 hoặc 3." in html
    assert 'value="2,5"' in html  # what was typed is shown again, nothing is lost
    response = client.post(url, {f"points_{items['2.1'].pk}": "3", f"points_{items['2.2'].pk}": "2,5"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-area-total="2">Cộng: <strong>5,5<' in page


def _wide_season(world, personas, year: int, count: int):
    rows = [CriterionRow("1", "Lĩnh vực", Decimal(count))]
    rows += [
        CriterionRow(f"1.{i}", f"Tiêu chí {i}", Decimal(1), method=Method.YES_NO) for i in range(1, count + 1)
    ]
    criteria_set = services.set_create(
        actor=None, year=year, block=Unit.Block.COMMUNE, title="Rộng", appraised_points=count, rows=rows
    )
    season = services.season_open(actor=None, criteria_set=criteria_set, self_deadline=date(year + 1, 1, 20))
    return season


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_self_assessment_page_and_the_queue_take_the_same_queries_whatever_the_number_of_criteria(
    world, personas, login
):
    counts = {}
    for year, size in ((2030, 5), (2031, 40)):
        season = _wide_season(world, personas, year, size)
        mao = season.assessments.get(unit=world.mao_dien)
        fill_all(mao, personas["officer"])
        services.assessment_submit(actor=personas["head"], assessment=mao, today=date(year, 12, 1))
        services.season_advance(actor=None, season=season, to_stage="appraisal")
        user = _person(f"tv{year}", world.home_affairs, "officer")
        member = services.council_add_member(actor=None, season=season, user=user, unit=world.home_affairs)
        services.council_assign(actor=None, member=member, assessments=[mao])
        counts[size] = (
            _queries(login(personas["officer"]), reverse("scoring:assessment_detail", args=[mao.pk])),
            _queries(login(user), reverse("scoring:queue", args=[season.pk])),
        )
    assert counts[5] == counts[40]


def test_the_public_page_shows_the_release_without_login_with_its_annex(published, council, personas, client):
    season = published["season"]
    secretary = council["secretary"].user
    for assessment in (published["mao"], published["nam"]):
        for item in assessment.items.filter(applicable=True):
            services.council_score(
                actor=secretary, item=item, method="override", points=item.self_points, reason="Đúng"
            )
    services.season_advance(actor=personas["city_standing"], season=season, to_stage="explanation")
    season.refresh_from_db()
    services.season_lock(actor=personas["city_standing"], season=season, reason="QĐ công bố")
    release = services.season_publish(actor=personas["city_standing"], season=season)
    page = client.get(reverse("scoring:public_release", args=[release.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "Xã Mao Điền" in html and "bộ tiêu chí MẪU" in html
    assert (
        client.get(reverse("scoring:public_release", args=[release.pk]) + "?don-vi=10930").status_code == 200
    )
    for fmt in ("xlsx", "docx"):
        assert client.get(reverse("scoring:public_export", args=[release.pk, fmt])).status_code == 200
    item_page = client.get(reverse("scoring:item_detail", args=[published["item"].pk]))
    assert item_page.status_code == 302
    assert ScoreEntry.objects.filter(stage="final").exists()


def test_home_affairs_imports_a_set_from_the_page_and_a_bad_file_is_refused_with_its_cells_named(
    commune_set, personas, login
):
    import io

    from openpyxl import load_workbook

    from cchc.scoring import excel
    from cchc.scoring.models import CriteriaSet

    client = login(personas["city_standing"])
    good = excel.export_set(commune_set)
    wb = load_workbook(io.BytesIO(good))
    wb[excel.SHEET]["C4"] = "hai"
    bad = io.BytesIO()
    wb.save(bad)
    url = reverse("scoring:set_list")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url, {"file": SimpleUploadedFile("bo.xlsx", bad.getvalue()), "year": "2027", "block": "xa"}
    )
    assert "Trang tính «Bộ tiêu chí», dòng 4, cột C: «hai» không phải là số." in response.content.decode()
    assert not CriteriaSet.objects.filter(year=2027).exists()
    response = client.post(url, {"file": SimpleUploadedFile("bo.xlsx", good), "year": "2027", "block": "xa"})
    assert response.status_code == 302 and CriteriaSet.objects.filter(year=2027, block="commune").exists()
    export = client.get(reverse("scoring:set_export", args=[commune_set.pk]))
    assert export.status_code == 200 and export.content[:2] == b"PK"


def test_a_heads_class_override_is_proposed_with_a_reason_and_approved_by_someone_else(
    published, council, personas, login, world
):
    from cchc.scoring.models import HeadClassification

    season = published["season"]
    for assessment in (published["mao"], published["nam"]):
        for item in assessment.items.filter(applicable=True):
            services.council_score(actor=council["secretary"].user, item=item, method="keep")
    services.season_advance(actor=None, season=season, to_stage="explanation")
    season.refresh_from_db()
    season = services.season_lock(actor=None, season=season, reason="QĐ công bố")
    services.heads_classify(actor=None, season=season)
    hc = HeadClassification.objects.get(assessment=published["mao"])
    url = reverse("scoring:heads", args=[season.pk])
    client = login(personas["city_standing"])
    client.post(url, {"classification": hc.pk, "level": "Hoàn thành nhiệm vụ", "reason": "Sai phạm TTHC"})
    client.post(url, {"classification": hc.pk, "action": "approve"})
    hc.refresh_from_db()
    assert hc.status == "pending"  # the proposer cannot approve their own override
    other = _person("pgd_snv", world.home_affairs, "standing")
    login(other).post(url, {"classification": hc.pk, "action": "approve"})
    hc.refresh_from_db()
    assert (hc.final, hc.status) == ("Hoàn thành nhiệm vụ", "approved")


def test_home_affairs_sets_up_the_council_and_a_conflicted_unit_is_never_assigned(
    season, world, personas, login
):
    from cchc.scoring.models import Assignment, CouncilMember

    _person("tv_vhxh", world.mao_dien_culture, "officer")
    url = reverse("scoring:council", args=[season.pk])
    client = login(personas["city_standing"])
    client.post(url, {"action": "add", "username": "tv_vhxh", "unit_code": "10930-VHXH", "role": "member"})
    member = CouncilMember.objects.get(user__username="tv_vhxh")
    page = client.get(url).content.decode()
    assert "Xã Mao Điền" in page  # listed as a conflict
    client.post(url, {"action": "assign", "member": member.pk})
    assert list(
        Assignment.objects.filter(member=member).values_list("assessment__unit__name", flat=True)
    ) == ["Xã Nam Sách"]
    response = client.post(
        url,
        {
            "action": "assign",
            "member": member.pk,
            "assessment": season.assessments.get(unit=world.mao_dien).pk,
        },
        follow=True,
    )
    assert "có xung đột lợi ích với: Xã Mao Điền" in response.content.decode()
    client.post(url, {"action": "declare", "member": member.pk, "unit_code": "10606", "reason": "Người thân"})
    assert not Assignment.objects.filter(member=member).exists()
    response = client.post(
        url, {"action": "add", "username": "tv_vhxh", "unit_code": "10930-VHXH"}, follow=True
    )
    assert "đã có trong Hội đồng" in response.content.decode()


def test_survey_points_are_entered_in_bulk_all_or_nothing(season, world, personas, login):
    mao, nam = season.assessments.get(unit=world.mao_dien), season.assessments.get(unit=world.nam_sach)
    url = reverse("scoring:survey", args=[season.pk])
    client = login(personas["city_standing"])
    response = client.post(
        url, {"source": "Điều tra XHH 2026", f"survey_{mao.pk}": "38,5", f"survey_{nam.pk}": "41"}
    )
    assert "Xã Nam Sách: điểm điều tra phải từ 0 đến 40." in response.content.decode()
    mao.refresh_from_db()
    assert mao.survey_points is None
    client.post(url, {"source": "Điều tra XHH 2026", f"survey_{mao.pk}": "38,5", f"survey_{nam.pk}": ""})
    mao.refresh_from_db()
    assert (mao.survey_points, mao.survey_source) == (Decimal("38.5"), "Điều tra XHH 2026")


def test_home_affairs_rules_an_item_inapplicable_from_its_page_and_a_unit_cannot(
    season, world, personas, login
):
    item = season.assessments.get(unit=world.mao_dien).items.get(criterion__code="3.3")
    url = reverse("scoring:item_action", args=[item.pk, "applicable"])
    login(personas["head"]).post(url, {"applicable": "0", "reason": "Không thu phí"})
    item.refresh_from_db()
    assert item.applicable
    login(personas["city_standing"]).post(url, {"applicable": "0", "reason": "Không có TTHC thu phí"})
    item.refresh_from_db()
    assert (item.applicable, item.inapplicable_reason) == (False, "Không có TTHC thu phí")
