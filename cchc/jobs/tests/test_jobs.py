"""Background jobs: queued through one seam, run inline in tests, idempotent, never left running."""

import os
import socket
import subprocess
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cchc.core.models import AuditEntry
from cchc.delivery.models import DossierImport, KpiFigure
from cchc.delivery.tests.factories import dossier, write_csv
from cchc.jobs import schedule, services
from cchc.jobs.models import Job


def _rows(n: int = 12, start: int = 1):
    return [
        dossier("10930", i, "2026-01-05 09:00", done_days=1 if i % 4 else 5) for i in range(start, start + n)
    ]


def _upload(tmp_path, user, rows, name="mot-cua.csv", key=None):
    path = write_csv(services.upload_dir() / name, rows)
    return services.enqueue(
        "dossier_import",
        user=user,
        params={"path": str(path), "file_name": name, "mapping_id": None},
        idempotency_key=key,
    )


def _dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_a_dossier_import_asked_through_enqueue_runs_and_ends_succeeded_at_100_percent(
    world, personas, tmp_path
):
    job = _upload(tmp_path, personas["city_standing"], _rows())
    job.refresh_from_db()
    assert job.status == "succeeded" and job.percent == 100 and job.attempts == 1
    assert "Đã nhập 12 dòng: 12 hồ sơ mới" in job.message
    assert DossierImport.objects.get(pk=job.result["import_id"]).status == "succeeded"
    assert not os.path.exists(job.params["path"])  # the waiting copy is removed once done
    assert AuditEntry.objects.filter(object_id=str(job.pk), action="create").exists()


def test_an_officer_cannot_queue_a_dossier_import(world, personas, tmp_path):
    with pytest.raises(PermissionDenied):
        _upload(tmp_path, personas["officer"], _rows())
    assert not Job.objects.exists()


def test_the_same_idempotency_key_gives_the_same_job_and_imports_once(world, personas, tmp_path):
    first = _upload(tmp_path, personas["city_standing"], _rows(), key="tep-1")
    second = _upload(tmp_path, personas["city_standing"], _rows(), name="lan-2.csv", key="tep-1")
    assert first.pk == second.pk
    assert DossierImport.objects.count() == 1 and Job.objects.count() == 1


def test_a_failed_job_frees_its_key_so_the_work_can_be_asked_again(world, personas, tmp_path):
    bad = _rows()
    bad[3]["received_at"] = "32/13/2026"
    failed = _upload(tmp_path, personas["city_standing"], bad, key="tep-2")
    assert Job.objects.get(pk=failed.pk).status == "failed"
    again = _upload(tmp_path, personas["city_standing"], _rows(), key="tep-2")
    assert again.pk != failed.pk and again.status == "succeeded"


def test_running_a_finished_job_again_does_nothing(world, personas, tmp_path):
    job = _upload(tmp_path, personas["city_standing"], _rows())
    figures = KpiFigure.objects.count()
    assert services.execute(job.pk) == "skipped"
    assert DossierImport.objects.count() == 1 and KpiFigure.objects.count() == figures


def _running(kind: str, **fields) -> Job:
    now = timezone.now()
    values = {
        "kind": kind,
        "status": "running",
        "attempts": 1,
        "max_attempts": 2,
        "started_at": now,
        "heartbeat_at": now,
        "worker_host": socket.gethostname(),
        "worker_pid": _dead_pid(),
        **fields,
    }
    return Job.objects.create(**values)


def test_a_running_job_whose_worker_died_is_run_again_when_its_kind_is_safe_to_repeat(world):
    job = _running("kpi_recompute")
    assert [j.pk for j in services.reap()] == [job.pk]
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2  # re-queued, and the inline queue ran it


def test_a_dead_workers_job_without_attempts_left_is_marked_failed_never_left_running(world):
    job = _running("kpi_recompute", attempts=2)
    services.reap()
    job.refresh_from_db()
    assert job.status == "failed" and "bị gián đoạn" in job.message and job.finished_at


def test_a_job_silent_for_too_long_on_another_host_is_reaped_and_a_live_one_is_left(world, settings):
    settings.JOBS_STALE_MINUTES = 5
    old = timezone.now() - timedelta(minutes=6)
    silent = _running("plan_document", worker_host="may-khac", worker_pid=1, heartbeat_at=old, max_attempts=1)
    live = _running("kpi_recompute", worker_pid=os.getpid())
    services.reap()
    silent.refresh_from_db()
    live.refresh_from_db()
    assert silent.status == "failed" and "quá 5 phút" in silent.message
    assert live.status == "running"


def test_the_schedule_queues_each_slot_once_however_often_it_ticks(world):
    now = timezone.now()
    first = schedule.tick(now)
    again = schedule.tick(now + timedelta(seconds=30))
    assert [j.pk for j in first] == [j.pk for j in again]
    assert sorted(Job.objects.values_list("kind", flat=True)) == ["kpi_recompute", "reminders"]
    assert all(j.status == "succeeded" for j in Job.objects.all())
    schedule.tick(now + timedelta(days=1))
    assert Job.objects.count() == 4
