from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.core.tabular import ImportFileError
from cchc.scoring.excel import import_set


class Command(BaseCommand):
    help = "Nhập bộ tiêu chí Chỉ số CCHC từ tệp .xlsx (hoặc .csv) theo mẫu phụ lục."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--block", required=True, help="so | phuong | xa")
        parser.add_argument("--title", default="")

    def handle(self, file, year, block, title, **options):
        path = Path(file)
        if not path.exists():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            criteria_set = import_set(
                actor=None, data=path.read_bytes(), filename=path.name, year=year, block=block, title=title
            )
        except ImportFileError as exc:
            raise CommandError(
                "Không nhập được, chưa lưu gì:\n" + "\n".join(str(e) for e in exc.errors)
            ) from exc
        count = criteria_set.criteria.count()
        self.stdout.write(
            f"Đã nhập {criteria_set} — {count} mục, {criteria_set.appraised_points} điểm thẩm định."
        )
