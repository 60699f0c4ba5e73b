"""Background jobs: the one seam other modules call (``enqueue``), the runner the worker calls
(``execute``) and the reaper that keeps a dead worker's job from staying "running" (``reap``).

A job row is written in the caller's transaction together with its queue row (django-tasks' database
backend), so a page that rolls back enqueues nothing. The worker marks the job running, stamps a
heartbeat every JOBS_HEARTBEAT_SECONDS from a thread, and records the outcome. When a worker dies
(SIGKILL, power loss), the reaper, which the worker and the scheduler run at start-up and every
minute, sees the process gone (same host) or the heartbeat too old (any host) and re-queues the job if
its kind is safe to run again, or marks it failed.
"""

from __future__ import annotations

import logging
import os
import socket
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cchc.core import audit
from cchc.core.liveness import heartbeat, pid_gone
from cchc.jobs.kinds import FINISHERS, KINDS
from cchc.jobs.models import Job

log = logging.getLogger(__name__)


class JobFailed(Exception):
    """Raised by a handler (through ``JobContext.fail_with``) when the work ran but was refused."""

    def __init__(self, message: str, result: dict | None = None):
        super().__init__(message)
        self.message, self.result = message, result or {}


class JobContext:
    """What a handler sees: the job's parameters, who asked, and where to report progress."""

    def __init__(self, job: Job):
        self.job = job
        self.user = job.user
        self.params: dict[str, Any] = job.params or {}
        self.message = ""
        self._last_write = 0.0

    def progress(self, done: int, total: int, phase: str = "") -> None:
        """Store how far the job is; throttled to one write a second (and the last step)."""
        import time

        now = time.monotonic()
        if done < total and now - self._last_write < 1.0 and phase == self.job.phase:
            return
        self._last_write = now
        self.job.progress_done, self.job.progress_total, self.job.phase = done, total, phase[:120]
        if connection.in_atomic_block and not _inline():
            return  # inside the service's own transaction: the row would stay locked until it commits
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=done, progress_total=total, phase=phase[:120], heartbeat_at=timezone.now()
        )

    def save_result_file(self, name: str, content: bytes) -> None:
        self.job.result_file.save(name, ContentFile(content), save=False)
        self.job.result_name = name[:200]

    def fail_with(self, message: str, result: dict | None = None) -> None:
        raise JobFailed(message, result)


def upload_dir():
    """Where an uploaded file waits for its job (JOBS_UPLOAD_DIR, else MEDIA_ROOT/jobs/uploads)."""
    from pathlib import Path

    directory = Path(settings.JOBS_UPLOAD_DIR or Path(settings.MEDIA_ROOT) / "jobs" / "uploads")
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _inline() -> bool:
    backend = settings.TASKS["default"]["BACKEND"]
    return backend.endswith("ImmediateBackend")


# Enqueue ------------------------------------------------------------------------------------------


def enqueue(
    kind: str,
    *,
    user,
    unit=None,
    params: dict | None = None,
    idempotency_key: str | None = None,
) -> Job:
    """Ask for ``kind`` to run in the background and return its job (the page redirects to it).

    The kind's own check runs here (PermissionDenied, ValidationError), so a refused request never
    reaches the queue. With the same ``idempotency_key`` as a job that is queued, running or done, that
    job is returned and nothing new is queued; a failed job frees its key."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValidationError(f"Không có loại công việc «{kind}».")
    params = dict(params or {})
    actor = user if getattr(user, "is_authenticated", False) else None
    if spec.check is not None:
        spec.check(actor, params)
    if idempotency_key:
        existing = _live_with_key(idempotency_key)
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            job = Job.objects.create(
                kind=kind,
                params=params,
                user=actor,
                unit=unit,
                idempotency_key=idempotency_key or None,
                max_attempts=settings.JOBS_MAX_ATTEMPTS if spec.retry_safe else 1,
                phase="Đang chờ đến lượt",
            )
            audit.record(actor=actor, action="create", instance=job, changes={"kind": kind, "params": params})
            if not _inline():
                _queue(job)  # the queue row commits with the job row, or neither does
    except IntegrityError:  # the same key asked twice at once: the first one wins
        existing = _live_with_key(idempotency_key)
        if existing is None:
            raise
        return existing
    if _inline():
        _queue(job)  # runs the job now, outside the job row's own transaction
    job.refresh_from_db()
    return job


def _live_with_key(key: str) -> Job | None:
    return Job.objects.filter(idempotency_key=key).exclude(status=Job.Status.FAILED).first()


def _queue(job: Job) -> None:
    from cchc.jobs.tasks import run_job

    result = run_job.enqueue(job.pk)  # inline (tests): the job has run when this returns
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


# Run ----------------------------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != Job.Status.QUEUED:
            return None  # done already (a re-run of the queue row), or reaped: nothing to do again
        now = timezone.now()
        job.status = Job.Status.RUNNING
        job.attempts += 1
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.worker_host, job.worker_pid = socket.gethostname()[:120], os.getpid()
        job.phase = "Bắt đầu"
        job.save()
    return job


def execute(job_id: int) -> str:
    """Run one job to its end; called by the worker with the queue row's argument."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    spec = KINDS[job.kind]
    ctx = JobContext(job)
    try:
        with _heartbeat(job.pk):
            result = spec.handler(ctx)
    except JobFailed as exc:
        _finish(job, ctx, status=Job.Status.FAILED, message=exc.message, result=exc.result)
    except (ValidationError, PermissionDenied) as exc:
        message = " ".join(getattr(exc, "messages", None) or [str(exc)])
        _finish(job, ctx, status=Job.Status.FAILED, message=message)
    except Exception as exc:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            ctx,
            status=Job.Status.FAILED,
            message=f"Lỗi hệ thống khi chạy công việc: {exc}",
            result={"traceback": traceback.format_exc(limit=5)[-2000:]},
        )
    else:
        _finish(job, ctx, status=Job.Status.SUCCEEDED, message=ctx.message or "Đã xong.", result=result)
    return job.status


def _finish(job: Job, ctx: JobContext, *, status: str, message: str, result: dict | None = None) -> None:
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != Job.Status.RUNNING or locked.worker_pid != job.worker_pid:
            return  # the reaper took it over meanwhile
        locked.status = status
        locked.message = message
        locked.result = result or {}
        locked.finished_at = timezone.now()
        locked.phase = "Hoàn thành" if status == Job.Status.SUCCEEDED else "Dừng"
        if status == Job.Status.SUCCEEDED:
            locked.progress_done = locked.progress_total = max(ctx.job.progress_total, 1)
        else:
            locked.progress_done, locked.progress_total = ctx.job.progress_done, ctx.job.progress_total
        if ctx.job.result_file:
            locked.result_file, locked.result_name = ctx.job.result_file.name, ctx.job.result_name
        locked.save()
        audit.record(
            actor=None, action="status", instance=locked, changes={"status": status}, note=message[:300]
        )
    job.status = status
    _run_finisher(locked)


def _run_finisher(job: Job) -> None:
    finisher = FINISHERS.get(job.kind)
    if finisher is not None:
        try:
            finisher(JobContext(job))
        except Exception:  # cleanup only
            log.exception("cleanup of job %s failed", job.pk)


@contextmanager
def _heartbeat(job_pk: int) -> Iterator[None]:
    """A thread stamps heartbeat_at while the handler runs (a long DuckDB pass calls back rarely)."""
    if _inline() or connection.in_atomic_block:
        yield  # inline (tests, JOBS_INLINE): the request's own process is the worker
        return
    rows = Job.objects.filter(pk=job_pk, status=Job.Status.RUNNING)
    with heartbeat(rows, settings.JOBS_HEARTBEAT_SECONDS, f"job {job_pk}"):
        yield


# Reap ---------------------------------------------------------------------------------------------


_pid_gone = pid_gone


def stale_reason(job: Job, *, now: datetime | None = None) -> str | None:
    """Why a running job can no longer finish, in Vietnamese; None while it may still be running."""
    if job.status != Job.Status.RUNNING:
        return None
    now = now or timezone.now()
    if (
        job.worker_host == socket.gethostname()
        and job.worker_pid != os.getpid()
        and _pid_gone(job.worker_pid)
    ):
        return f"tiến trình xử lý {job.worker_pid} trên máy {job.worker_host} đã dừng"
    minutes = settings.JOBS_STALE_MINUTES
    last = job.heartbeat_at or job.started_at or job.created_at
    if last < now - timedelta(minutes=minutes):
        return f"không có tín hiệu hoạt động quá {minutes} phút"
    return None


def reap(*, now: datetime | None = None) -> list[Job]:
    """Every running job whose worker is gone: re-queued if its kind is safe to run again and it has
    attempts left, else failed. Also fails the dossier imports left running by the same death."""
    from cchc.delivery.services import imports_fail_stale

    imports_fail_stale(now=now)  # first: a retried import must not find its dead batch still running
    reaped: list[Job] = []
    requeue: list[Job] = []
    for candidate in Job.objects.filter(status=Job.Status.RUNNING).only("pk"):
        with transaction.atomic():
            job = Job.objects.select_for_update().get(pk=candidate.pk)
            why = stale_reason(job, now=now)
            if why is None:
                continue
            _fail_queue_row(job)
            if job.attempts < job.max_attempts:
                job.status = Job.Status.QUEUED
                job.message = (
                    f"Lần chạy thứ {job.attempts} bị gián đoạn ({why}); công việc được xếp hàng chạy lại "
                    f"(tối đa {job.max_attempts} lần)."
                )
                job.phase = "Đang chờ chạy lại"
                job.task_id = ""
                requeue.append(job)
            else:
                job.status = Job.Status.FAILED
                job.finished_at = timezone.now()
                job.message = (
                    f"Công việc bị gián đoạn ({why}) và được đánh dấu thất bại; hãy yêu cầu chạy lại."
                )
                job.phase = "Dừng"
            job.save()
            audit.record(actor=None, action="status", instance=job, changes={"status": job.status}, note=why)
            if job.status == Job.Status.QUEUED and not _inline():
                _queue(job)  # the new queue row commits with the job's return to the queue
        reaped.append(job)
        if job.status == Job.Status.FAILED:
            _run_finisher(job)
    if _inline():
        for job in requeue:
            _queue(job)
    return reaped


def _fail_queue_row(job: Job) -> None:
    """The queue row of a dead run stays RUNNING in django-tasks' table: close it too."""
    if not job.task_id or _inline():
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(pk=job.task_id, status="RUNNING").update(
        status="FAILED",
        finished_at=timezone.now(),
        exception_class_path="cchc.jobs.services.WorkerLost",
        traceback="worker lost",
    )
