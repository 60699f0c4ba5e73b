"""Page reads from a streaming replica go there only when nothing needs the primary: a browser that
just wrote, a request that has written, a transaction, or any work outside a web request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from cchc.core.replica import PIN_COOKIE, ReplicaReadsMiddleware, ReplicaRouter

ROOT = Path(__file__).resolve().parents[3]
router = ReplicaRouter()


def _serve(request, view):
    """The request through the middleware as it is with a replica configured; the view's answer."""
    middleware = ReplicaReadsMiddleware(view)
    middleware.enabled = True
    return middleware(request)


def _reads_from(request, before_read=None) -> tuple[str, HttpResponse]:
    seen = []

    def view(request):
        if before_read:
            before_read()
        seen.append(router.db_for_read(None))
        return HttpResponse("ok")

    response = _serve(request, view)
    return seen[0], response


def test_a_page_read_goes_to_the_replica():
    db, response = _reads_from(RequestFactory().get("/"))
    assert db == "replica" and PIN_COOKIE not in response.cookies


@pytest.mark.django_db
def test_the_page_after_a_save_reads_the_primary_for_the_pin_time(settings):
    settings.REPLICA_PIN_SECONDS = 7
    db, response = _reads_from(RequestFactory().post("/bao-cao/1/", {}))
    assert db == "default"
    assert response.cookies[PIN_COOKIE]["max-age"] == 7 and response.cookies[PIN_COOKIE]["httponly"]

    after = RequestFactory().get("/bao-cao/1/")
    after.COOKIES[PIN_COOKIE] = "1"
    assert _reads_from(after)[0] == "default"


def test_a_request_that_wrote_reads_the_primary_afterwards():
    assert _reads_from(RequestFactory().get("/"), lambda: router.db_for_write(None))[0] == "default"


@pytest.mark.django_db
def test_reads_inside_a_transaction_are_the_primarys():
    def in_transaction():
        with transaction.atomic():
            return router.db_for_read(None)

    seen = []
    _serve(RequestFactory().get("/"), lambda r: seen.append(in_transaction()) or HttpResponse())
    assert seen == ["default"]


def test_work_outside_a_web_request_reads_the_primary():
    assert router.db_for_read(None) == "default"  # the job worker, commands, services in tests
    _reads_from(RequestFactory().get("/"))
    assert router.db_for_read(None) == "default"  # nothing left behind by a request


def test_migrations_and_writes_go_to_the_primary_only():
    assert router.allow_migrate("default", "plans") and not router.allow_migrate("replica", "plans")
    assert router.db_for_write(None) == "default"


def _databases(env: dict[str, str]) -> str:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    code = (
        "import cchc.settings as s; print(sorted(s.DATABASES), getattr(s, 'DATABASE_ROUTERS', []), sep=' | ')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "CCHC_TESTING": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_a_replica_is_configured_only_beside_a_postgresql_primary():
    replica = "postgres://postgres@127.0.0.1:5433/cchc"
    assert _databases({"DATABASE_REPLICA_URL": replica}) == "['default'] | []"
    assert (
        _databases(
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/cchc", "DATABASE_REPLICA_URL": replica}
        )
        == "['default', 'replica'] | ['cchc.core.replica.ReplicaRouter']"
    )


@pytest.mark.django_db
def test_the_to_do_cache_version_is_read_where_the_counts_are(monkeypatch):
    from cchc.dashboard import todo

    asked = []

    class Router:
        def db_for_read(self, model, **hints):
            asked.append(model._meta.label)
            return "default"

    monkeypatch.setattr(todo, "router", Router())
    todo._todo_version()
    assert asked == ["core.AuditEntry"]
