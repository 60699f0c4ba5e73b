"""One place for in-app notices (and their e-mails), whatever module raises them, and each person's
choice of how they want to be told."""

from django.conf import settings
from django.db import models


class Notice(models.Model):
    """One thing one person is told. Modules that need "only once per event" keep their own keyed
    ledger (reporting's Notification, initiatives' Notice) and call the notify service once per new key."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người nhận", on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField("loại", max_length=40)
    subject = models.CharField("tiêu đề", max_length=255)
    body = models.TextField("nội dung", blank=True)
    url = models.CharField("đường dẫn", max_length=500, blank=True)
    created = models.DateTimeField("thời điểm", auto_now_add=True)
    read_at = models.DateTimeField("đã đọc lúc", null=True, blank=True)
    emailed_at = models.DateTimeField("đã gửi thư lúc", null=True, blank=True)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_unread"),
            models.Index(fields=["recipient", "-created"], name="notice_recent"),
        ]

    def __str__(self) -> str:
        return self.subject


class Preference(models.Model):
    """How a person wants to be told. No row means the default: e-mail and in-app."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Thư điện tử và thông báo trong hệ thống"
        IN_APP = "in_app", "Chỉ thông báo trong hệ thống"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="người dùng",
        on_delete=models.CASCADE,
        related_name="notice_preference",
    )
    channel = models.CharField("cách nhận", max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "cách nhận thông báo"
        verbose_name_plural = "cách nhận thông báo"

    def __str__(self) -> str:
        return f"{self.user}: {self.get_channel_display()}"
