"""manage.py backup [--output FILE]: the database, the dossier store and the evidence files in one archive."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from cchc.core import backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu, kho hồ sơ một cửa (DOSSIER_STORE_DIR) và tệp minh chứng (MEDIA_ROOT) vào một tệp."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="Tệp sao lưu (mặc định var/backups/cchc-<thời điểm>.tar.gz)"
        )

    def handle(self, *args, output=None, **options):
        path = (
            Path(output)
            if output
            else Path(settings.BASE_DIR) / "var" / "backups" / (f"cchc-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
        )
        result = backup.backup(path)
        manifest = result.manifest
        files = manifest["files"]
        self.stdout.write(
            f"Đã sao lưu vào {result.path}: cơ sở dữ liệu ({manifest['database']['method']}), "
            f"{sum(1 for n in files if n.startswith('dossiers/'))} tệp kho hồ sơ, "
            f"{sum(1 for n in files if n.startswith('media/'))} tệp minh chứng, "
            f"{sum(manifest['counts'].values())} bản ghi."
        )
