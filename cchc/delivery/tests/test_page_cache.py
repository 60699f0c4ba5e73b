"""The KPI page's figures are computed once per version of the data and shared between users; an
import, a settings change or a unit renamed shows on the next request."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cchc.delivery import services
from cchc.delivery.tests.test_pages import _import, _mao_dien_january
from cchc.org import services as org

CITY_JANUARY = "/dich-vu-cong/?don-vi=HP&ky=2026-01"
MAO_DIEN_JANUARY = "/dich-vu-cong/?don-vi=10930&ky=2026-01"


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_second_user_on_the_same_unit_gets_the_figures_without_recomputing_them(
    world, tmp_path, personas, login
):
    _import(tmp_path, _mao_dien_january(online=17))
    first, computed = _get(login(personas["leader"]), CITY_JANUARY)
    second, cached = _get(login(personas["city_standing"]), CITY_JANUARY)
    assert cached < computed
    for text in ("Xã Mao Điền", 'data-kpi="online_share">85,0%'):
        assert text in first and text in second


def test_an_import_shows_on_the_next_request(world, tmp_path, personas, login):
    client = login(personas["officer"])
    _import(tmp_path, _mao_dien_january(online=17), "a.csv")
    assert 'data-kpi="online_share">85,0%' in _get(client, MAO_DIEN_JANUARY)[0]
    _import(tmp_path, _mao_dien_january(online=10), "b.csv")  # the same dossiers, fewer online
    page = _get(client, MAO_DIEN_JANUARY)[0]
    assert 'data-kpi="online_share">50,0%' in page and 'data-kpi="online_share">85,0%' not in page


def test_a_settings_change_shows_on_the_next_request(world, tmp_path, personas, login):
    client = login(personas["officer"])
    _import(tmp_path, _mao_dien_january(online=17))
    assert 'data-kpi="on_time_rate">85,0%' in _get(client, MAO_DIEN_JANUARY)[0]  # 3 late of 20
    services.kpi_config_update(
        actor=personas["city_standing"],
        expected_version=services.kpi_config().version,
        late_rate_denominator="finished",
    )
    assert 'data-kpi="on_time_rate">89,5%' in _get(client, MAO_DIEN_JANUARY)[0]  # 2 late of 19


def test_a_renamed_unit_shows_on_the_next_request(world, tmp_path, personas, login):
    client = login(personas["leader"])
    _import(tmp_path, _mao_dien_january(online=17))
    assert "Xã Mao Điền" in _get(client, CITY_JANUARY)[0]
    org.unit_update(actor=personas["admin"], unit=world.mao_dien, name="Xã Mao Điền Mới")
    assert "Xã Mao Điền Mới" in _get(client, CITY_JANUARY)[0]
