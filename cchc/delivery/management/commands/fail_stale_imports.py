"""Run from cron (every few minutes): running dossier imports whose process is gone are marked failed."""

from django.core.management.base import BaseCommand

from cchc.delivery import services


class Command(BaseCommand):
    help = (
        "Đánh dấu thất bại các lần nhập hồ sơ bị gián đoạn (tiến trình đã dừng hoặc quá lâu không hoạt động)."
    )

    def handle(self, *args, **options):
        failed = services.imports_fail_stale()
        for batch in failed:
            self.stdout.write(f"Lần nhập #{batch.pk} «{batch.file_name}»: {batch.message}")
        self.stdout.write(f"Đã đánh dấu thất bại {len(failed)} lần nhập bị gián đoạn.")
