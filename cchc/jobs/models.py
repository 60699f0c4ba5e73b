"""A background job as the people who started it see it: what, whose, how far, what came out.

The queue itself (django-tasks' database backend, table django_tasks_db_dbtaskresult) only carries
"run job N"; everything a page shows lives here, so the status page does not depend on the queue's
internals and a job survives a queue row being pruned."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Job(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        RUNNING = "running", "Đang chạy"
        SUCCEEDED = "succeeded", "Hoàn thành"
        FAILED = "failed", "Thất bại"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField("loại", max_length=40)
    status = models.CharField("trạng thái", max_length=12, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField("tham số", default=dict, blank=True)
    progress_done = models.PositiveBigIntegerField("đã xử lý", default=0)
    progress_total = models.PositiveBigIntegerField("tổng", default=0)
    phase = models.CharField("bước", max_length=120, blank=True)
    message = models.TextField("thông báo", blank=True)
    result = models.JSONField("kết quả", default=dict, blank=True)
    result_file = models.FileField("tệp kết quả", upload_to="jobs/results/%Y/%m/", blank=True)
    result_name = models.CharField("tên tệp kết quả", max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người tạo", null=True, blank=True, on_delete=models.SET_NULL
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name="đơn vị", null=True, blank=True, on_delete=models.SET_NULL
    )
    idempotency_key = models.CharField("khóa chống trùng", max_length=200, null=True, blank=True)
    task_id = models.CharField("mã trong hàng đợi", max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField("số lần chạy", default=0)
    max_attempts = models.PositiveSmallIntegerField("số lần chạy tối đa", default=1)
    worker_host = models.CharField(max_length=120, blank=True)
    worker_pid = models.PositiveIntegerField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu", null=True, blank=True)
    finished_at = models.DateTimeField("kết thúc", null=True, blank=True)

    class Meta:
        verbose_name = "công việc nền"
        verbose_name_plural = "công việc nền"
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One live or finished job per key; a failed one frees its key so the work can be asked again.
            models.UniqueConstraint(
                fields=["idempotency_key"],
                condition=Q(idempotency_key__isnull=False) & ~Q(status="failed"),
                name="jobs_one_job_per_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="jobs_status_created")]

    def __str__(self) -> str:
        return f"Công việc #{self.pk} ({self.kind})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.SUCCEEDED:
            return 100
        if not self.progress_total:
            return 0
        return max(0, min(100, int(self.progress_done * 100 / self.progress_total)))
