"""Reads of the jobs module: the jobs a person may see, one job, and the queue's health."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from cchc.jobs import permissions
from cchc.jobs.kinds import KINDS
from cchc.jobs.models import Job


def jobs_visible(user) -> QuerySet[Job]:
    return Job.objects.filter(permissions.visible_q(user)).select_related("user", "unit")


def job_for(user, pk: int) -> Job:
    job = Job.objects.select_related("user", "unit").filter(pk=pk).first()
    if job is None or not permissions.can_see(user, job):
        raise Http404("Không tìm thấy công việc.")
    return job


def title(job: Job) -> str:
    spec = KINDS.get(job.kind)
    return spec.title if spec else job.kind


def result_url(job: Job) -> str | None:
    spec = KINDS.get(job.kind)
    if spec is None or spec.result_url is None or not job.result:
        return None
    return spec.result_url(job.result)


def oldest_queued_age(now: datetime | None = None) -> float | None:
    """Seconds the oldest waiting job has waited; None when nothing waits."""
    oldest = (
        Job.objects.filter(status=Job.Status.QUEUED)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    if oldest is None:
        return None
    return ((now or timezone.now()) - oldest).total_seconds()
