"""Reporting through the API: the same period and report scope as the pages, drafts saved with an
expected version, a submitted report frozen."""

import pytest

from cchc.api import services
from cchc.org import services as org
from cchc.org.models import Unit
from cchc.reporting import services as reporting_services
from cchc.reporting.tests.conftest import at


def _auth(unit, access="read"):
    _, secret = services.token_create(
        actor=None, integration_name=f"Báo cáo {unit.code} {access}", unit=unit, access=access
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def q1(world, reporting):
    return reporting[1]["2026-Q1"]


@pytest.fixture
def reports(world, q1):
    """Mao Điền's and Bạch Long Vĩ's first-quarter drafts."""
    bach_long_vi = org.unit_create(
        actor=None, code="11000", name="Đặc khu Bạch Long Vĩ", kind=Unit.Kind.COMMUNE, parent=world.city
    )
    own = reporting_services.report_start(actor=None, period=q1, unit=world.mao_dien)
    other = reporting_services.report_start(actor=None, period=q1, unit=bach_long_vi)
    return own, other


def test_a_mao_dien_token_reads_its_own_report_and_gets_404_for_bach_long_vi(client, world, reports, q1):
    own, other = reports
    auth = _auth(world.mao_dien)
    body = client.get(f"/api/v1/unit-reports/{own.pk}", **auth)
    assert body.status_code == 200, body.content
    assert body.json()["unit_id"] == world.mao_dien.pk
    assert {t["task_id"] for t in body.json()["tasks"]} >= {world.task.pk}
    refused = client.get(f"/api/v1/unit-reports/{other.pk}", **auth)
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"
    listed = {r["id"] for r in client.get("/api/v1/unit-reports/", **auth).json()["items"]}
    assert listed == {own.pk}
    periods = {p["id"] for p in client.get("/api/v1/reporting-periods/", **auth).json()["items"]}
    assert q1.pk in periods  # the city's periods, which the commune reports to
    assert client.get(f"/api/v1/reporting-periods/{q1.pk}", **auth).status_code == 200


def test_a_sibling_sees_neither_the_report_nor_the_consolidation(client, world, reports, q1):
    own, _ = reports
    auth = _auth(world.nam_sach)
    assert client.get(f"/api/v1/unit-reports/{own.pk}", **auth).status_code == 404
    assert client.get(f"/api/v1/reporting-periods/{q1.pk}/consolidation", **auth).status_code == 404


def test_the_standing_agency_reads_every_report_and_the_consolidated_figures(
    client, world, personas, reports, q1
):
    own, other = reports
    with at(q1.deadline):
        reporting_services.report_submit(actor=None, report=own, expected_version=own.version)
    client.force_login(personas["city_standing"])
    listed = {r["id"] for r in client.get(f"/api/v1/unit-reports/?period={q1.pk}").json()["items"]}
    assert listed == {own.pk, other.pk}
    figures = client.get(f"/api/v1/reporting-periods/{q1.pk}/consolidation")
    assert figures.status_code == 200, figures.content
    body = figures.json()
    assert body["unit_id"] == world.city.pk
    assert body["counts"]["expected"] >= 3 and body["counts"]["submitted"] == 1
    assert sum(c.get("total", 0) for c in body["task_counts"].values()) >= 1


def test_a_write_token_saves_a_draft_and_a_stale_version_is_409(client, world, reports):
    own, _ = reports
    auth = _auth(world.mao_dien, "write")
    body = {
        "expected_version": own.version,
        "narrative": {"limitations": "Thiếu cán bộ một cửa"},
        "tasks": [{"task_id": world.task.pk, "status": "in_progress", "progress": 45}],
    }
    saved = client.patch(f"/api/v1/unit-reports/{own.pk}", body, content_type="application/json", **auth)
    assert saved.status_code == 200, saved.content
    assert saved.json()["narrative"]["limitations"] == "Thiếu cán bộ một cửa"
    assert saved.json()["version"] == own.version + 1
    task = next(t for t in saved.json()["tasks"] if t["task_id"] == world.task.pk)
    assert (task["status"], task["progress"]) == ("in_progress", 45)
    stale = client.patch(f"/api/v1/unit-reports/{own.pk}", body, content_type="application/json", **auth)
    assert stale.status_code == 409
    assert stale.json()["code"] == "conflict" and "người khác cập nhật" in stale.json()["detail"]


def test_a_read_token_cannot_save(client, world, reports):
    own, _ = reports
    body = {"expected_version": own.version, "narrative": {"limitations": "x"}}
    response = client.patch(
        f"/api/v1/unit-reports/{own.pk}", body, content_type="application/json", **_auth(world.mao_dien)
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"


def test_the_head_submits_and_the_submitted_report_cannot_be_changed(client, world, personas, reports, q1):
    own, _ = reports
    client.force_login(personas["officer"])
    refused = client.post(
        f"/api/v1/unit-reports/{own.pk}/submit",
        {"expected_version": own.version},
        content_type="application/json",
    )
    assert refused.status_code == 403  # an officer fills, the head submits (as on the pages)
    client.force_login(personas["head"])
    with at(q1.deadline):
        sent = client.post(
            f"/api/v1/unit-reports/{own.pk}/submit",
            {"expected_version": own.version},
            content_type="application/json",
        )
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "submitted"
    changed = client.patch(
        f"/api/v1/unit-reports/{own.pk}",
        {"expected_version": sent.json()["version"], "narrative": {"limitations": "sửa sau khi gửi"}},
        content_type="application/json",
    )
    assert changed.status_code == 422
    assert changed["Content-Type"] == "application/problem+json"
    assert "không sửa được" in changed.json()["detail"]


def test_a_write_token_starts_its_unit_s_report_but_not_a_sibling_s(client, world, q1):
    auth = _auth(world.mao_dien, "write")
    started = client.post(f"/api/v1/reporting-periods/{q1.pk}/units/{world.mao_dien.pk}/report", **auth)
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "draft"
    assert (
        client.post(f"/api/v1/reporting-periods/{q1.pk}/units/{world.nam_sach.pk}/report", **auth).status_code
        == 404
    )


PERSONA_REPORT = [
    # persona, reads Mao Điền's report, saves its draft
    ("officer", 200, 200),
    ("head", 200, 200),
    ("sibling", 404, 404),
    ("city_standing", 200, 403),
    ("leader", 200, 403),
    ("anonymous", 401, 401),
]


@pytest.mark.parametrize(("name", "read", "write"), PERSONA_REPORT)
def test_the_report_permission_matrix_follows_the_pages(client, world, personas, reports, name, read, write):
    own, _ = reports
    if personas[name] is not None:
        client.force_login(personas[name])
    assert client.get(f"/api/v1/unit-reports/{own.pk}").status_code == read
    body = {"expected_version": own.version, "narrative": {"causes": "Nguyên nhân"}}
    assert (
        client.patch(f"/api/v1/unit-reports/{own.pk}", body, content_type="application/json").status_code
        == write
    )


CONSOLIDATION = [
    # the city's period is consolidated by the level that runs it
    ("officer", 404),
    ("commune_standing", 404),
    ("sibling", 404),
    ("city_standing", 200),
    ("leader", 200),
    ("anonymous", 401),
]


@pytest.mark.parametrize(("name", "expected"), CONSOLIDATION)
def test_the_consolidation_is_read_by_the_level_that_runs_the_period(client, personas, q1, name, expected):
    if personas[name] is not None:
        client.force_login(personas[name])
    assert client.get(f"/api/v1/reporting-periods/{q1.pk}/consolidation").status_code == expected


def test_the_report_list_costs_the_same_queries_for_one_report_or_many(
    client, world, reporting, reports, django_assert_max_num_queries
):
    auth = _auth(world.city)
    _, periods = reporting
    for code in ("2026-S1", "2026-Q3", "2026"):
        reporting_services.report_start(actor=None, period=periods[code], unit=world.mao_dien)
    with django_assert_max_num_queries(4):  # token, token use, the page, nothing per row
        listed = client.get("/api/v1/unit-reports/", **auth)
    assert len(listed.json()["items"]) == 5
