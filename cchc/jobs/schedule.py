"""The periodic jobs, as a table in code. Each entry is due once per slot (a day at a local time);
the slot is the job's idempotency key, so a tick that repeats, two schedulers, or a restart in the
middle of a day never queue the same slot twice, and a slot missed while the scheduler was down is
queued at its next start (both jobs are safe to run late)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.utils import timezone


@dataclass(frozen=True)
class Entry:
    kind: str
    at: time  # local time (TIME_ZONE) of each day's run
    note: str


SCHEDULE = (
    Entry("kpi_recompute", time(2, 0), "Tính lại chỉ số dịch vụ công từ kho hồ sơ hiện hành, hằng đêm"),
    Entry("reminders", time(7, 0), "Nhắc các đơn vị chưa gửi báo cáo, mỗi sáng"),
)
REAP_EVERY_SECONDS = 60


def last_slot(entry: Entry, now: datetime) -> datetime:
    """The latest moment at or before ``now`` when ``entry`` was due."""
    local = timezone.localtime(now)
    today = local.replace(hour=entry.at.hour, minute=entry.at.minute, second=0, microsecond=0)
    return today if today <= local else today - timedelta(days=1)


def due(now: datetime) -> list[tuple[Entry, str]]:
    return [(entry, f"lich:{entry.kind}:{last_slot(entry, now):%Y-%m-%dT%H:%M}") for entry in SCHEDULE]


def tick(now: datetime | None = None) -> list:
    """Queue every entry's latest slot unless already queued; returns the jobs (new or existing)."""
    from cchc.jobs.services import enqueue
    from cchc.org.models import Unit

    now = now or timezone.now()
    root = Unit.objects.filter(parent__isnull=True).order_by("pk").first()
    return [enqueue(entry.kind, user=None, unit=root, idempotency_key=key) for entry, key in due(now)]
