"""manage.py backup [--output FILE]: the database, the dossier store and the evidence files in one archive."""

from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.core import backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu, kho hồ sơ một cửa (DOSSIER_STORE_DIR) và tệp minh chứng (MEDIA_ROOT) vào một tệp."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", "-o", help="Tệp sao lưu (mặc định var/backups/cchc-<thời điểm>.tar.gz)"
        )
        parser.add_argument(
            "--allow-missing",
            action="store_true",
            help="Vẫn sao lưu khi cơ sở dữ liệu ghi nhận tệp không còn trong kho (tệp đã mất thật)",
        )

    def handle(self, *args, output=None, allow_missing=False, **options):
        path = (
            Path(output)
            if output
            else Path(settings.BASE_DIR) / "var" / "backups" / (f"cchc-{datetime.now():%Y%m%d-%H%M%S}.tar.gz")
        )
        try:
            result = backup.backup(path, allow_missing=allow_missing)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        manifest = result.manifest
        files = manifest["files"]
        self.stdout.write(
            f"Đã sao lưu vào {result.path}: cơ sở dữ liệu ({manifest['database']['method']}), "
            f"{sum(1 for n in files if n.startswith('dossiers/'))} tệp kho hồ sơ, "
            f"{sum(1 for n in files if n.startswith('media/'))} tệp minh chứng, "
            f"{sum(manifest['counts'].values())} bản ghi."
        )
