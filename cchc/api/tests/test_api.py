"""The REST API: tokens scoped to a unit subtree, read or write, revocable, audited; session auth."""

import re

import pytest

from cchc.api import services
from cchc.api.models import ApiToken, ApiTokenUse
from cchc.core.models import AuditEntry
from cchc.org import services as org
from cchc.org.models import Unit
from cchc.plans import services as plans


@pytest.fixture
def bach_long_vi_task(world):
    unit = org.unit_create(
        actor=None,
        code="11000",
        name="Đặc khu Bạch Long Vĩ",
        kind=Unit.Kind.COMMUNE,
        parent=world.city,
        block=Unit.Block.COMMUNE,
    )
    plan = plans.plan_create(
        actor=None,
        issuer=unit,
        number="9/KH-UBND",
        title="Kế hoạch CCHC Bạch Long Vĩ",
        year_start=2026,
        year_end=2026,
        parent=world.city_plan,
    )
    return plans.task_create(actor=None, plan=plan, area=1, number="1", content="Rà soát thủ tục")


def _token(unit, access="read", **extra):
    token, secret = services.token_create(
        actor=None, integration_name="Hệ thống một cửa", unit=unit, access=access, **extra
    )
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_a_token_of_mao_dien_reads_its_own_tasks_and_not_bach_long_vi(client, world, bach_long_vi_task):
    _, auth = _token(world.mao_dien)
    own = client.get(f"/api/v1/tasks/{world.task.pk}", **auth)
    assert own.status_code == 200
    assert own.json()["content"] == world.task.content
    other = client.get(f"/api/v1/tasks/{bach_long_vi_task.pk}", **auth)
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"
    assert other.json()["code"] == "not_found"
    listed = {row["id"] for row in client.get("/api/v1/tasks/?limit=200", **auth).json()["items"]}
    assert world.task.pk in listed
    assert bach_long_vi_task.pk not in listed and world.task_b.pk not in listed


def test_a_revoked_token_gets_401(client, world):
    token, auth = _token(world.mao_dien)
    services.token_revoke(actor=None, token=token)
    response = client.get("/api/v1/units/", **auth)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_a_wrong_secret_and_no_secret_get_401(client, world):
    token, _ = _token(world.mao_dien)
    assert (
        client.get("/api/v1/units/", HTTP_AUTHORIZATION=f"Bearer cchc_{token.prefix}_sai").status_code == 401
    )
    assert client.get("/api/v1/units/").status_code == 401


def test_a_read_token_cannot_write_but_a_write_token_can(client, world):
    _, read = _token(world.mao_dien)
    body = {"version": world.task.version, "status": "in_progress", "progress": 40}
    refused = client.patch(
        f"/api/v1/tasks/{world.task.pk}/progress", body, content_type="application/json", **read
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    _, write = _token(world.mao_dien, "write")
    done = client.patch(
        f"/api/v1/tasks/{world.task.pk}/progress", body, content_type="application/json", **write
    )
    assert done.status_code == 200, done.content
    assert done.json()["progress"] == 40
    entry = AuditEntry.objects.filter(object_id=str(world.task.pk)).first()
    assert entry.actor.full_name.startswith("Hệ thống")


def test_a_stale_version_is_409(client, world):
    _, write = _token(world.mao_dien, "write")
    body = {"version": world.task.version + 5, "status": "in_progress", "progress": 40}
    response = client.patch(
        f"/api/v1/tasks/{world.task.pk}/progress", body, content_type="application/json", **write
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_every_use_of_a_token_is_recorded(client, world):
    token, auth = _token(world.mao_dien)
    client.get("/api/v1/units/", **auth)
    client.get(f"/api/v1/tasks/{world.task.pk}", **auth)
    assert ApiTokenUse.objects.filter(token=token).count() == 2


def test_the_secret_is_stored_only_hashed(world):
    token, auth = _token(world.mao_dien)
    secret = auth["HTTP_AUTHORIZATION"].split()[1]
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in (stored.secret_hash, stored.prefix)
    assert stored.secret_hash == services.hash_secret(secret)


def test_session_auth_reads_and_writes_with_csrf(client, world, personas):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas["officer"])
    assert browser.get(f"/api/v1/tasks/{world.task.pk}").status_code == 200
    body = {"version": world.task.version, "status": "in_progress", "progress": 10}
    no_csrf = browser.patch(f"/api/v1/tasks/{world.task.pk}/progress", body, content_type="application/json")
    assert no_csrf.status_code in (401, 403)
    browser.get("/khoa-api/")  # any page sets the CSRF cookie
    browser.get("/")
    csrf = browser.cookies["csrftoken"].value
    ok = browser.patch(
        f"/api/v1/tasks/{world.task.pk}/progress",
        body,
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert ok.status_code == 200, ok.content


PERSONA_TASK = [
    # persona, can read Mao Điền's task, can update its progress
    ("officer", 200, 200),
    ("head", 200, 200),
    ("sibling", 404, 404),
    ("city_standing", 200, 403),  # reads the city, edits only its own items (as on the pages)
    ("leader", 200, 403),
    ("admin", 200, 200),
]


@pytest.mark.parametrize(("name", "read", "write"), PERSONA_TASK)
def test_the_permission_matrix_follows_the_pages(client, world, personas, name, read, write):
    client.force_login(personas[name])
    assert client.get(f"/api/v1/tasks/{world.task.pk}").status_code == read
    body = {"version": world.task.version, "status": "in_progress", "progress": 20}
    response = client.patch(f"/api/v1/tasks/{world.task.pk}/progress", body, content_type="application/json")
    assert response.status_code == write


def test_anonymous_gets_401(client, world):
    assert client.get(f"/api/v1/tasks/{world.task.pk}").status_code == 401


def test_only_standing_agencies_and_admins_see_the_token_page(client, world, personas):
    client.force_login(personas["officer"])
    assert client.get("/khoa-api/").status_code == 404
    client.force_login(personas["city_standing"])
    page = client.get("/khoa-api/")
    assert page.status_code == 200
    response = client.post(
        "/khoa-api/", {"integration": "Cổng thông tin", "unit": world.mao_dien.pk, "access": "read"}
    )
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("cchc_")
    assert client.get("/khoa-api/").content.decode().count(secret) == 0
    token = ApiToken.objects.get(integration__name="Cổng thông tin")
    client.post(f"/khoa-api/{token.pk}/thu-hoi/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_the_docs_page_loads_no_asset_from_outside(client, world, personas):
    client.force_login(personas["officer"])
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.content.decode()
    # Every script and stylesheet is the app's own (a random CSRF token may spell "cdn": look at
    # the addresses, not the whole page).
    assets = re.findall(r'(?:src|href)\s*=\s*["\']([^"\']+)', html)
    assert assets and all(a.startswith("/") or a.startswith("#") for a in assets), assets
    assert "cdn" not in " ".join(assets).lower()
    assert "https://" not in html and "http://" not in html
