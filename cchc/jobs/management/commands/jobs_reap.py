"""python manage.py jobs_reap: re-queue or fail the jobs whose worker died (the worker and the
scheduler do this themselves; this is for cron or by hand)."""

from django.core.management.base import BaseCommand

from cchc.jobs import services


class Command(BaseCommand):
    help = "Chạy lại hoặc đánh dấu thất bại các công việc nền bị gián đoạn (tiến trình xử lý đã dừng)."

    def handle(self, *args, **options):
        reaped = services.reap()
        for job in reaped:
            self.stdout.write(f"Công việc #{job.pk} ({job.kind}): {job.message}")
        self.stdout.write(f"Đã xử lý {len(reaped)} công việc bị gián đoạn.")
