"""manage.py restore FILE [--force]: put back the database and both stores from one backup archive."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.core import backup


class Command(BaseCommand):
    help = "Khôi phục cơ sở dữ liệu, kho hồ sơ và tệp minh chứng từ một tệp sao lưu (đã kiểm tra toàn vẹn)."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="Tệp sao lưu do lệnh backup tạo")
        parser.add_argument(
            "--force", action="store_true", help="Ghi đè cơ sở dữ liệu và các thư mục đích đã có dữ liệu"
        )

    def handle(self, *args, archive, force=False, **options):
        try:
            manifest = backup.restore(archive, force=force)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']}: {sum(manifest['counts'].values())} bản ghi, "
            f"{len(manifest['files'])} tệp; số bản ghi đã được đối chiếu."
        )
