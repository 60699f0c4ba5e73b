"""python manage.py jobs_scheduler: queues the periodic jobs of cchc.jobs.schedule.SCHEDULE and reaps
dead workers' jobs, in a simple loop (one process; a second one would queue nothing twice)."""

import logging
import signal
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from cchc.jobs import schedule, services

log = logging.getLogger("cchc.jobs")


class Command(BaseCommand):
    help = "Lịch chạy định kỳ: tính lại chỉ số hằng đêm, nhắc hạn báo cáo mỗi sáng; dọn việc bị gián đoạn."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="một lượt rồi thoát (cron, kiểm thử)")
        parser.add_argument("--every", type=float, default=30.0, help="giây giữa hai lượt")

    def handle(self, *args, once, every, **options):
        running = {"on": True}

        def stop(signum, frame):
            running["on"] = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        for entry in schedule.SCHEDULE:
            self.stdout.write(f"lịch: {entry.kind} lúc {entry.at:%H:%M} hằng ngày — {entry.note}")
        last_reap = 0.0
        while running["on"]:
            close_old_connections()
            if time.monotonic() - last_reap >= schedule.REAP_EVERY_SECONDS or once:
                for job in services.reap():
                    log.warning("job %s reaped: %s", job.pk, job.message)
                last_reap = time.monotonic()
            for job in schedule.tick():
                if job.created_at and job.status == job.Status.QUEUED:
                    log.info("scheduled job %s (%s) queued", job.pk, job.kind)
            if once:
                break
            slept = 0.0
            while running["on"] and slept < every:
                time.sleep(min(1.0, every - slept))
                slept += 1.0
        self.stdout.write("Đã dừng lịch chạy định kỳ.")
