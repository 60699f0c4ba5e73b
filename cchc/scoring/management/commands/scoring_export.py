from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.scoring import output
from cchc.scoring.models import Season
from cchc.scoring.selectors import ranking


class Command(BaseCommand):
    help = "Xuất kết quả Chỉ số CCHC của một năm (mọi khối) ra .xlsx hoặc .docx theo mẫu Nghị định 30."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=["xlsx", "docx"], required=True)
        parser.add_argument("--out", required=True)

    def handle(self, year, out, **options):
        seasons = list(Season.objects.filter(year=year).select_related("criteria_set").order_by("block"))
        if not seasons:
            raise CommandError(f"Chưa có đợt đánh giá Chỉ số CCHC năm {year}.")
        tables = []
        for season in seasons:
            release = season.releases.order_by("-number").first()
            board = ranking(season)
            tables.append(output.ranking_table(board, release.rows if release else None))
        data = output.render(output.ranking_document(year, tables), options["format"])
        Path(out).write_bytes(data)
        self.stdout.write(f"Đã ghi {out} ({len(data)} byte, {len(tables)} khối).")
