"""An import killed mid-way does not stay "đang nhập" for ever: pages and a cron command mark it failed."""

import os
import socket
import subprocess
import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.delivery import services
from cchc.delivery.models import DossierImport


def _running(**fields) -> DossierImport:
    now = timezone.now()
    values = {
        "file_name": "mot-cua.csv",
        "started_at": now,
        "heartbeat_at": now,
        "worker_host": socket.gethostname(),
        "worker_pid": os.getpid(),
        **fields,
    }
    return DossierImport.objects.create(**values)


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_an_import_whose_process_is_gone_is_marked_failed_with_a_vietnamese_reason(db):
    batch = _running(worker_pid=_dead_pid())
    assert [b.pk for b in services.imports_fail_stale()] == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == "failed" and batch.finished_at is not None
    assert "Lần nhập bị gián đoạn" in batch.message and "không còn chạy" in batch.message
    assert AuditEntry.objects.filter(object_id=str(batch.pk), action="import").exists()


def test_an_import_without_a_heartbeat_for_too_long_is_marked_failed_even_on_another_host(db, settings):
    settings.DOSSIER_IMPORT_STALE_MINUTES = 10
    old = timezone.now() - timedelta(minutes=11)
    batch = _running(worker_host="may-khac", worker_pid=1, started_at=old, heartbeat_at=old)
    services.imports_fail_stale()
    batch.refresh_from_db()
    assert batch.status == "failed" and "quá 10 phút" in batch.message


def test_a_live_import_with_a_recent_heartbeat_is_left_running(db):
    alive = _running()  # this very process, beating now
    elsewhere = _running(
        worker_host="may-khac", worker_pid=_dead_pid()
    )  # a pid of another machine says nothing
    assert services.imports_fail_stale() == []
    assert {b.status for b in DossierImport.objects.filter(pk__in=[alive.pk, elsewhere.pk])} == {"running"}


def test_the_imports_page_shows_a_killed_import_as_failed(world, personas, login):
    batch = _running(worker_pid=_dead_pid())
    page = login(personas["city_standing"]).get(reverse("delivery:import_detail", args=[batch.pk]))
    assert page.status_code == 200
    assert "Lần nhập bị gián đoạn" in page.content.decode()
    assert DossierImport.objects.get(pk=batch.pk).status == "failed"


def test_the_cron_command_marks_stale_imports_failed(db):
    batch = _running(worker_pid=_dead_pid())
    out = StringIO()
    call_command("fail_stale_imports", stdout=out)
    assert "Đã đánh dấu thất bại 1 lần nhập" in out.getvalue()
    assert DossierImport.objects.get(pk=batch.pk).status == "failed"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_stamps_a_running_import_while_it_works():
    old = timezone.now() - timedelta(hours=1)
    batch = _running(heartbeat_at=old)
    with services._heartbeat(batch.pk, every=0.05):
        time.sleep(0.5)  # a long DuckDB pass that calls nothing back
    batch.refresh_from_db()
    assert batch.heartbeat_at > old + timedelta(minutes=59)
    assert services.stale_reason(batch) is None
