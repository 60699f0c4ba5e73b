from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit
from cchc.plans.models import Plan


class ImportDraft(TimeStampedModel):
    """A plan proposed from a document, reviewed and corrected before anything is written to plans.

    `proposal` holds the parsed plan (metadata, targets, tasks with their source lines, confidence and
    whether diacritics were restored) plus the review's corrections; `source_lines` the text it was read
    from, shown side by side."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Đang rà soát"
        COMMITTED = "committed", "Đã tạo kế hoạch"
        DISCARDED = "discarded", "Đã hủy"

    issuer = models.ForeignKey(
        Unit, verbose_name="đơn vị ban hành", on_delete=models.PROTECT, related_name="+"
    )
    parent = models.ForeignKey(
        Plan,
        verbose_name="kế hoạch cấp trên",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    filename = models.CharField("tệp", max_length=255)
    source_kind = models.CharField("loại nguồn", max_length=16)
    pages = models.PositiveIntegerField(default=0)
    source_lines = models.JSONField(default=list)
    proposal = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.SET_NULL, related_name="import_drafts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "bản nhập kế hoạch"
        verbose_name_plural = "bản nhập kế hoạch"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
