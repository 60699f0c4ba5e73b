"""Page reads from a PostgreSQL streaming replica, when one is configured (``DATABASE_REPLICA_URL``).

Only the reads of a safe request (GET, HEAD, OPTIONS) made by the web middleware go to the replica,
and only while nothing asks for the primary:
- a request whose browser wrote something in the last ``REPLICA_PIN_SECONDS`` (a cookie set on every
  unsafe request's answer) reads from the primary, so a person sees their own save on the next page
  even when the replica lags (a login, a submitted report, an accepted review);
- once a request writes anything (a session refreshed, a get_or_create), its later reads go to the
  primary too, so a read never contradicts a write of the same request;
- inside a transaction on the primary (services, select_for_update) every read is the primary's.
Everything outside a web request — the job worker, the scheduler, management commands, tests that
call services — reads from the primary: the context variable is off by default.

Without ``DATABASE_REPLICA_URL`` there is no router and nothing here runs.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "cchc_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# None: read from the primary. A one-item list: this request may read from the replica until it
# writes (the list is emptied by the router: the flag is per request, the list shared by its code).
_replica_allowed: contextvars.ContextVar[list[bool] | None] = contextvars.ContextVar(
    "cchc_replica_allowed", default=None
)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """Django database router: writes and migrations on ``default``; reads as the module says."""

    def db_for_read(self, model, **hints) -> str:
        allowed = _replica_allowed.get()
        if allowed and allowed[0] and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints) -> str:
        allowed = _replica_allowed.get()
        if allowed:
            allowed[0] = False
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the same data on both

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == "default"


class ReplicaReadsMiddleware:
    """Lets a safe request read from the replica unless its browser wrote something just before,
    and marks the browser of every unsafe request for ``REPLICA_PIN_SECONDS``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.enabled = replica_configured()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.enabled:
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        token = _replica_allowed.set([safe and PIN_COOKIE not in request.COOKIES])
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response
