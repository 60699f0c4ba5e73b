"""Liveness of long work (dossier imports, queued jobs): a heartbeat thread that stamps a row while the
work runs, and whether the process that claimed a row is gone. Both reapers read these to tell a dead
worker from a slow one."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection
from django.db.models import QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)


@contextmanager
def heartbeat(rows: QuerySet, every: float, label: str) -> Iterator[None]:
    """While the body runs, a thread sets ``heartbeat_at`` on ``rows`` every ``every`` seconds (a DuckDB
    pass can run for minutes without calling back). A beat that meets a lock is skipped, not fatal."""
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(every):
                try:
                    rows.update(heartbeat_at=timezone.now())
                except DatabaseError:  # the work's own transaction holds the write lock: next beat
                    log.info("heartbeat of %s skipped", label)
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"heartbeat-{label}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def pid_gone(pid: int | None) -> bool:
    """True only when no process with ``pid`` exists on this host (a pid of another user is alive)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
