"""Integrations and their API tokens. A token is stored as a SHA-256 hash; its secret is shown once."""

from django.conf import settings
from django.db import models

from cchc.core.models import TimeStampedModel
from cchc.org.models import Unit


class Integration(TimeStampedModel):
    """One outside system (the one-stop system, the national reporting system, a portal, an app).

    Its service account is the actor of every write made with its tokens, so the audit log names it."""

    name = models.CharField("tên hệ thống", max_length=200, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name="tài khoản dịch vụ", on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = "hệ thống tích hợp"
        verbose_name_plural = "hệ thống tích hợp"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ApiToken(TimeStampedModel):
    class Access(models.TextChoices):
        READ = "read", "Chỉ đọc"
        WRITE = "write", "Đọc và ghi"

    integration = models.ForeignKey(Integration, on_delete=models.PROTECT, related_name="tokens")
    unit = models.ForeignKey(Unit, verbose_name="phạm vi đơn vị", on_delete=models.PROTECT)
    access = models.CharField("quyền", max_length=8, choices=Access.choices, default=Access.READ)
    # A one-stop system that sends the city's dossier exports: granted only by the city's standing
    # agency (or an admin), only with write access over the whole city.
    pushes_dossiers = models.BooleanField("cung cấp dữ liệu hồ sơ", default=False)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField("thu hồi lúc", null=True, blank=True)

    class Meta:
        verbose_name = "khóa API"
        verbose_name_plural = "khóa API"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.integration} · {self.prefix} · {self.unit}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiTokenUse(models.Model):
    """One row per request made with a token: one cheap INSERT, no update of a hot row."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)

    class Meta:
        verbose_name = "lượt dùng khóa API"
        verbose_name_plural = "lượt dùng khóa API"
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.method} {self.path}"
