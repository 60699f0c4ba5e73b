from django.core.management.base import BaseCommand
from django.utils import timezone

from cchc.dashboard.services import refresh_scorecard


class Command(BaseCommand):
    help = "Làm mới bảng điểm tổng hợp sẵn (mặc định năm nay và năm trước, để có mũi tên xu hướng)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="năm cần làm mới (có thể lặp lại)")

    def handle(self, *args, year=None, **options):
        this_year = timezone.localdate().year
        for y in year or [this_year - 1, this_year]:
            count = refresh_scorecard(y)
            self.stdout.write(f"Năm {y}: {count} đơn vị.")
