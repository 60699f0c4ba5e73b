"""Each unit's service-delivery KPIs reach the public portal only for the periods the city's standing
agency has published: never another period, not even by guessing its address."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.core.models import AuditEntry
from cchc.delivery import services
from cchc.delivery.models import KpiPublication
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.org import services as org
from cchc.org.models import Unit
from cchc.testing import PERSONAS, check_matrix

JANUARY, FEBRUARY = "2026-01", "2026-02"


def _import(tmp_path, rows, name="mot-cua.csv"):
    batch = services.dossiers_import(actor=None, path=write_csv(tmp_path / name, rows))
    assert batch.status == "succeeded", batch.errors
    return batch


def _january_and_february() -> list[dict]:
    """Mao Điền: 20 dossiers in the January period, 17 online, two finished late, 4 rated (3 satisfied);
    Nam Sách: 10 in January, 2 online; the education department: 5 in February."""
    rows = [dossier("10930", i, f"2026-01-{5 + i % 5:02d} 09:00", online=i <= 17) for i in range(1, 21)]
    rows[0] = dossier("10930", 1, "2026-01-06 09:00", done_days=5, rating=5)  # late
    rows[1] = dossier("10930", 2, "2026-01-07 09:00", done_days=6, rating=2)  # late
    rows[2] = dossier("10930", 3, "2026-01-08 09:00", fee=50_000, paid_online=True, rating=4)
    rows[3] = dossier("10930", 4, "2026-01-08 10:00", fee=50_000, rating=5)
    rows += [dossier("10606", i, "2026-01-05 10:00", online=i <= 2) for i in range(1, 11)]
    rows += [dossier("SGDDT", i, "2026-02-03 10:00", field="Giáo dục", done_days=2) for i in range(1, 6)]
    return rows


@pytest.fixture
def dossiers(world, tmp_path):
    cache.clear()
    yield _import(tmp_path, _january_and_february())
    cache.clear()


@pytest.fixture
def january(dossiers, personas):
    return services.publish_kpi_period(actor=personas["city_standing"], period=JANUARY)


def _page(client, url: str) -> tuple[int, str]:
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_an_unpublished_period_is_never_shown_not_even_at_a_guessed_address(dossiers, client):
    for url in (
        f"/cong-khai/dich-vu-cong/{JANUARY}/",
        f"/cong-khai/dich-vu-cong/{JANUARY}/10930/",
        f"/cong-khai/dich-vu-cong/{JANUARY}/HP/",
        "/cong-khai/dich-vu-cong/2026/",
        "/cong-khai/dich-vu-cong/2026-Q1/10930/",
    ):
        assert client.get(url).status_code == 404, url
    for url in ("/cong-khai/", "/cong-khai/dich-vu-cong/"):
        status, page = _page(client, url)
        assert status == 200
        assert "Chưa có kỳ số liệu giải quyết thủ tục hành chính nào được công bố" in page
        assert "Xã Mao Điền" not in page


def test_a_published_month_shows_each_units_kpis_formatted_the_vietnamese_way(january, client):
    status, page = _page(client, f"/cong-khai/dich-vu-cong/{JANUARY}/")
    assert status == 200
    assert "Ủy ban nhân dân thành phố Hải Phòng" in page  # the top of the tree, with a link down
    assert f'href="/cong-khai/dich-vu-cong/{JANUARY}/HP/"' in page

    status, city = _page(client, f"/cong-khai/dich-vu-cong/{JANUARY}/HP/")
    assert status == 200
    row = city[city.index('data-unit="10930"') :]
    row = row[: row.index("</tr>")]
    assert "Xã Mao Điền" in row and "85,0%" in row  # 17 of 20 online, Vietnamese decimal comma
    assert "Xã Nam Sách" in city and "20,0%" in city  # 2 of 10 online

    status, commune = _page(client, f"/cong-khai/dich-vu-cong/{JANUARY}/10930/")
    assert status == 200
    assert "Kết quả giải quyết thủ tục hành chính · Xã Mao Điền" in commune
    assert 'data-kpi="on_time_rate">90,0%' in commune  # 2 late of 20
    assert 'data-kpi="online_payment_share">50,0%' in commune  # 1 of 2 fee dossiers paid online
    assert 'data-kpi="satisfaction_share">75,0%' in commune  # 3 of 4 ratings at 4 or 5
    assert f'href="/cong-khai/dich-vu-cong/{JANUARY}/HP/"' in commune  # back up the tree

    # February has dossiers (the education department) but was not published.
    assert client.get(f"/cong-khai/dich-vu-cong/{FEBRUARY}/").status_code == 404
    assert client.get(f"/cong-khai/dich-vu-cong/{FEBRUARY}/SGDDT/").status_code == 404
    assert (
        "Sở Giáo dục và Đào tạo" not in client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/HP/").content.decode()
    )
    assert client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/SGDDT/").status_code == 404  # no dossiers then
    home = client.get("/cong-khai/").content.decode()
    assert "Tháng 1/2026" in home and "Tháng 2/2026" not in home


def test_a_withdrawn_period_disappears_at_once_even_from_a_warm_cache(january, personas, client):
    assert client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/10930/").status_code == 200  # now cached
    services.unpublish_kpi_period(actor=personas["city_standing"], period=JANUARY)
    assert client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/10930/").status_code == 404
    assert client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/").status_code == 404
    assert "Tháng 1/2026" not in client.get("/cong-khai/").content.decode()
    services.publish_kpi_period(actor=personas["city_standing"], period=JANUARY)
    assert client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/10930/").status_code == 200


def test_published_figures_stay_as_published_until_published_again(january, personas, client, tmp_path):
    url = f"/cong-khai/dich-vu-cong/{JANUARY}/10606/"
    assert 'data-kpi="online_share">20,0%' in client.get(url).content.decode()
    # A corrected export: every Nam Sách dossier was in fact online.
    rows = [dossier("10606", i, "2026-01-05 10:00", online=True) for i in range(1, 11)]
    _import(tmp_path, rows, name="sua.csv")
    assert 'data-kpi="online_share">20,0%' in client.get(url).content.decode()
    services.publish_kpi_period(actor=personas["city_standing"], period=JANUARY)
    assert 'data-kpi="online_share">100,0%' in client.get(url).content.decode()


def test_anonymous_visitors_get_a_cacheable_page_and_a_304_when_it_has_not_changed(january, client):
    url = f"/cong-khai/dich-vu-cong/{JANUARY}/10930/"
    response = client.get(url)
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    assert b"csrfmiddlewaretoken" not in response.content and b"X-CSRFToken" not in response.content
    assert "csrftoken" not in response.cookies  # one copy serves every visitor
    again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again["ETag"] == response["ETag"] and not again.content
    other = client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/10606/", HTTP_IF_NONE_MATCH=response["ETag"])
    assert other.status_code == 200  # each unit page has its own tag


def test_every_portal_kpi_page_is_the_same_for_every_persona_and_only_when_published(
    january, personas, login
):
    # anonymous officer office_officer head commune_standing sibling city_standing department_officer leader admin
    everyone, nobody = "200 " * 9 + "200", "404 " * 9 + "404"
    pages = [
        ("/cong-khai/dich-vu-cong/", everyone),
        (f"/cong-khai/dich-vu-cong/{JANUARY}/", everyone),
        (f"/cong-khai/dich-vu-cong/{JANUARY}/10930/", everyone),
        (f"/cong-khai/dich-vu-cong/{JANUARY}/10606/", everyone),
        (f"/cong-khai/dich-vu-cong/{JANUARY}/HP/", everyone),
        (f"/cong-khai/dich-vu-cong/{FEBRUARY}/", nobody),
        (f"/cong-khai/dich-vu-cong/{FEBRUARY}/SGDDT/", nobody),
        (f"/cong-khai/dich-vu-cong/{JANUARY}/KHONG-CO/", nobody),
    ]
    assert check_matrix(login, personas, pages) == []
    signed_in = login(personas["officer"]).get(f"/cong-khai/dich-vu-cong/{JANUARY}/10930/")
    assert "public" not in signed_in.get("Cache-Control", "")  # their header is their own


def test_only_the_citys_standing_agency_publishes_and_every_change_is_audited(dossiers, personas, login):
    # anonymous officer office_officer head commune_standing sibling city_standing department_officer leader admin
    expected = dict(
        zip(
            PERSONAS,
            [302, 404, 404, 404, 404, 404, 302, 404, 404, 302],
            strict=True,
        )
    )
    for persona, status in expected.items():
        KpiPublication.objects.all().delete()
        response = login(personas[persona]).post(
            "/dich-vu-cong/cong-khai/", {"ky": JANUARY, "action": "publish"}
        )
        assert response.status_code == status, persona
        published = KpiPublication.objects.filter(period=JANUARY, published=True).exists()
        assert published == (persona in ("city_standing", "admin")), persona
        if persona == "anonymous":
            assert response["Location"].startswith("/dang-nhap/")
    for persona in ("commune_standing", "leader", "department_officer"):
        with pytest.raises(PermissionDenied):
            services.publish_kpi_period(actor=personas[persona], period=JANUARY)
        with pytest.raises(PermissionDenied):
            services.unpublish_kpi_period(actor=personas[persona], period=JANUARY)
    login(personas["city_standing"]).post("/dich-vu-cong/cong-khai/", {"ky": JANUARY, "action": "unpublish"})
    assert not KpiPublication.objects.get(period=JANUARY).published
    notes = list(
        AuditEntry.objects.filter(object_repr__startswith="Chỉ số giải quyết TTHC").values_list(
            "note", flat=True
        )
    )
    assert "thu hồi công khai" in notes and "công khai" in notes


def test_a_period_without_data_cannot_be_published(dossiers, personas):
    with pytest.raises(ValidationError, match="Không có số liệu của kỳ này"):
        services.publish_kpi_period(actor=personas["city_standing"], period="2019-01")
    with pytest.raises(ValidationError, match="không đang được công khai"):
        services.unpublish_kpi_period(actor=personas["city_standing"], period=JANUARY)


def test_the_kpi_page_offers_publication_to_the_standing_agency_only(dossiers, personas, login):
    url = f"/dich-vu-cong/?don-vi=HP&ky={JANUARY}"
    assert "Công khai kỳ này" in login(personas["city_standing"]).get(url).content.decode()
    assert "Công khai kỳ này" not in login(personas["leader"]).get(url).content.decode()
    login(personas["city_standing"]).post("/dich-vu-cong/cong-khai/", {"ky": JANUARY, "action": "publish"})
    page = login(personas["leader"]).get(url).content.decode()
    assert "đang được công khai" in page and "Thu hồi công khai" not in page
    assert "Thu hồi công khai" in login(personas["city_standing"]).get(url).content.decode()


def _queries(client, url: str) -> int:
    cache.clear()  # cold: the publication is read from the database
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_portal_kpi_pages_cost_a_fixed_number_of_queries_whatever_the_number_of_units(
    world, personas, client, tmp_path
):
    pages = ["/cong-khai/", "/cong-khai/dich-vu-cong/", f"/cong-khai/dich-vu-cong/{JANUARY}/HP/"]
    _import(tmp_path, _january_and_february())
    services.publish_kpi_period(actor=personas["city_standing"], period=JANUARY)
    small = {url: _queries(client, url) for url in pages}
    for i in range(40):
        org.unit_create(
            actor=None,
            code=f"X{i:03d}",
            name=f"Xã Thử {i}",
            kind=Unit.Kind.COMMUNE,
            parent=world.city,
            block=Unit.Block.COMMUNE,
        )
    rows = _january_and_february() + [
        dossier(f"X{i:03d}", j, "2026-01-06 09:00") for i in range(40) for j in range(1, 4)
    ]
    _import(tmp_path, rows, name="lon.csv")
    services.publish_kpi_period(actor=personas["city_standing"], period=JANUARY)
    assert "Xã Thử 39" in client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/HP/").content.decode()
    large = {url: _queries(client, url) for url in pages}
    assert large == small
    assert max(large.values()) <= 12, large  # home: the published results (cold) plus the KPI periods
    cache.clear()
    client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/HP/")
    with CaptureQueriesContext(connection) as warm:
        client.get(f"/cong-khai/dich-vu-cong/{JANUARY}/HP/")
    assert len(warm) == 1  # which periods are public: a withdrawal is seen at once
