from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """One write: who did what to which object, with each changed field's old and new value.

    Rows are written by the service that makes the change, inside the same transaction, so a change
    without its audit row (or the reverse) cannot exist.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Tạo mới"
        UPDATE = "update", "Cập nhật"
        DELETE = "delete", "Xóa"
        IMPORT = "import", "Nhập từ tệp"
        ATTACH = "attach", "Đính kèm"
        DETACH = "detach", "Gỡ đính kèm"
        STATUS = "status", "Đổi trạng thái"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người thực hiện",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
    )
    action = models.CharField("thao tác", max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(ContentType, verbose_name="loại đối tượng", on_delete=models.CASCADE)
    object_id = models.CharField("mã đối tượng", max_length=64)
    object_repr = models.CharField("đối tượng", max_length=300)
    changes = models.JSONField("thay đổi", default=dict, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    created_at = models.DateTimeField("thời điểm", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"
