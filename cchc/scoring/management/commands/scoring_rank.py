from django.core.management.base import BaseCommand, CommandError

from cchc.scoring.methods import fmt
from cchc.scoring.models import Season
from cchc.scoring.selectors import ranking


class Command(BaseCommand):
    help = "In bảng xếp hạng Chỉ số CCHC theo từng khối của một năm."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, year, **options):
        seasons = list(Season.objects.filter(year=year).select_related("criteria_set").order_by("block"))
        if not seasons:
            raise CommandError(f"Chưa có đợt đánh giá Chỉ số CCHC năm {year}.")
        for season in seasons:
            state = (
                "kết quả chính thức"
                if season.stage == Season.Stage.LOCKED
                else f"tạm tính, giai đoạn {season.get_stage_display().lower()}"
            )
            self.stdout.write(f"\n{season} ({state})")
            self.stdout.write(
                f"{'Hạng':>5}  {'Đơn vị':<45} {'Thẩm định':>9} {'Điều tra':>8} {'Chỉ số':>7}  Xếp loại"
            )
            for row in ranking(season, with_areas=False).rows:
                rank = str(row.rank) if row.rank else "—"
                note = f"  (không xếp hạng: {row.excluded_reason})" if row.excluded else ""
                self.stdout.write(
                    f"{rank:>5}  {row.name[:45]:<45} {fmt(row.appraised):>9} {fmt(row.survey):>8} {fmt(row.index):>7}  {row.band}{note}"
                )
