"""Dossier batches through the API: queued on the same job kind as the import page (202 with the job),
idempotent, and open to a one-stop system only with a data-provider token from the city's standing
agency."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from cchc.api import services
from cchc.delivery.models import DossierImport
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.jobs.models import Job


def _file(tmp_path, n=3, name="mot-cua.csv"):
    rows = [dossier("10930", i, "2026-01-05 09:00") for i in range(1, n + 1)]
    path = write_csv(tmp_path / name, rows)
    return SimpleUploadedFile(name, path.read_bytes(), content_type="text/csv")


def _auth(unit, access="write", pushes_dossiers=False, actor=None, name="Hệ thống một cửa"):
    token, secret = services.token_create(
        actor=actor,
        integration_name=name,
        unit=unit,
        access=access,
        pushes_dossiers=pushes_dossiers,
    )
    return token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def provider(world):
    return _auth(world.city, pushes_dossiers=True)


def test_a_data_provider_token_uploads_a_file_and_gets_202_with_a_job_it_can_follow(
    client, world, provider, tmp_path
):
    _, auth = provider
    response = client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth)
    assert response.status_code == 202, response.content
    body = response.json()
    job = Job.objects.get(pk=body["id"])
    assert job.kind == "dossier_import" and body["status"] == "succeeded" and body["percent"] == 100
    assert body["status_url"] == f"/api/v1/jobs/{job.pk}"
    status = client.get(body["status_url"], **auth).json()
    assert status["status"] == "succeeded" and status["progress_done"] == status["progress_total"]
    batch = client.get(status["batch_url"], **auth)
    assert batch.status_code == 200 and batch.json()["inserted"] == 3
    assert DossierImport.objects.get(pk=status["batch_id"]).created_by == job.user


def test_the_same_idempotency_key_gives_the_same_job_and_imports_once(client, world, provider, tmp_path):
    _, auth = provider
    first = client.post(
        "/api/v1/dossier-batches", {"file": _file(tmp_path)}, HTTP_IDEMPOTENCY_KEY="lo-2026-01", **auth
    )
    again = client.post(
        "/api/v1/dossier-batches", {"file": _file(tmp_path)}, HTTP_IDEMPOTENCY_KEY="lo-2026-01", **auth
    )
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    assert Job.objects.count() == 1 and DossierImport.objects.count() == 1


def test_a_repeated_file_without_a_key_changes_no_figure(client, world, provider, tmp_path):
    _, auth = provider
    client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth)
    again = client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth).json()
    batch = DossierImport.objects.get(pk=again["batch_id"])
    assert batch.inserted == 0 and batch.unchanged == 3


def test_a_refused_file_is_a_failed_job_with_the_reason(client, world, provider, tmp_path):
    _, auth = provider
    rows = [dossier("10930", 1, "2026-01-05 09:00")]
    rows[0]["received_at"] = "32/13/2026"
    path = write_csv(tmp_path / "loi.csv", rows)
    upload = SimpleUploadedFile("loi.csv", path.read_bytes(), content_type="text/csv")
    body = client.post("/api/v1/dossier-batches", {"file": upload}, **auth).json()
    assert body["status"] == "failed" and "lỗi" in body["message"]


def test_a_plain_write_token_a_read_token_and_a_commune_token_get_403(client, world, tmp_path):
    for unit, access in ((world.city, "write"), (world.city, "read"), (world.mao_dien, "write")):
        _, auth = _auth(unit, access)
        response = client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth)
        assert response.status_code == 403, (unit, access)
        assert response["Content-Type"] == "application/problem+json"
        assert "cung cấp dữ liệu" in response.json()["detail"]
    assert not Job.objects.exists()


def test_a_revoked_provider_token_gets_401(client, world, provider, tmp_path):
    token, auth = provider
    services.token_revoke(actor=None, token=token)
    assert client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth).status_code == 401


def test_a_token_revoked_while_its_file_waits_imports_nothing(world, provider, tmp_path, personas):
    from cchc.jobs.kinds import dossier_import
    from cchc.jobs.services import JobContext

    token, _ = provider
    path = write_csv(tmp_path / "cho.csv", [dossier("10930", 1, "2026-01-05 09:00")])
    services.token_revoke(actor=None, token=token)
    job = Job(
        kind="dossier_import",
        user=token.integration.user,
        params={"path": str(path), "api_token_id": token.pk},
    )
    with pytest.raises(ValidationError, match="thu hồi"):
        dossier_import(JobContext(job))
    assert not DossierImport.objects.exists()


def test_only_the_city_standing_agency_or_an_admin_grants_a_provider_token(world, personas):
    with pytest.raises(PermissionDenied):
        _auth(world.mao_dien, pushes_dossiers=True, actor=personas["commune_standing"])
    with pytest.raises(ValidationError):
        _auth(world.mao_dien, pushes_dossiers=True, actor=personas["city_standing"])  # not city-wide
    with pytest.raises(ValidationError):
        _auth(world.city, "read", pushes_dossiers=True, actor=personas["city_standing"])
    token, _ = _auth(world.city, pushes_dossiers=True, actor=personas["city_standing"])
    assert token.pushes_dossiers


def test_the_token_page_offers_the_provider_flag_only_to_the_city_standing_agency(client, world, personas):
    client.force_login(personas["commune_standing"])
    assert "pushes_dossiers" not in client.get("/khoa-api/").content.decode()
    client.force_login(personas["city_standing"])
    assert "pushes_dossiers" in client.get("/khoa-api/").content.decode()
    client.post(
        "/khoa-api/",
        {
            "integration": "Một cửa thành phố",
            "unit": world.city.pk,
            "access": "write",
            "pushes_dossiers": "1",
        },
    )
    assert services.ApiToken.objects.get(integration__name="Một cửa thành phố").pushes_dossiers


PERSONA_PUSH = [
    ("officer", 403),
    ("sibling", 403),
    ("commune_standing", 403),
    ("leader", 403),
    ("city_standing", 202),
    ("admin", 202),
]


@pytest.mark.parametrize(("name", "expected"), PERSONA_PUSH)
def test_by_session_only_the_data_managers_push(client, world, personas, tmp_path, name, expected):
    client.force_login(personas[name])
    assert client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}).status_code == expected


def test_someone_else_s_job_is_404(client, world, provider, personas, tmp_path):
    _, auth = provider
    job_id = client.post("/api/v1/dossier-batches", {"file": _file(tmp_path)}, **auth).json()["id"]
    client.force_login(personas["officer"])
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 404
    _, other = _auth(world.mao_dien, "read", name="Cổng thông tin xã")
    assert client.get(f"/api/v1/jobs/{job_id}", **other).status_code == 404
