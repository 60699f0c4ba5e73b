"""python manage.py generate_dossiers --rows N [--year 2026] --out FILE"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.core.numbers import format_number
from cchc.delivery.kpi.generator import write_file


class Command(BaseCommand):
    help = "Sinh dữ liệu hồ sơ một cửa tổng hợp (phân bố thực tế) của Hải Phòng ra tệp .csv hoặc .parquet."

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, required=True, help="số hồ sơ của cả năm")
        parser.add_argument("--year", type=int, default=2026)
        parser.add_argument("--out", required=True, help="tệp kết quả: .csv hoặc .parquet")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--as-of",
            help="xuất như hệ thống một cửa vào cuối ngày này (YYYY-MM-DD); mặc định: sau khi hết năm",
        )

    def handle(self, *args, rows, year, out, seed, as_of, **options):
        if rows <= 0:
            raise CommandError("--rows phải là số dương.")
        path = Path(out)
        fmt = (
            "parquet"
            if path.suffix.lower() == ".parquet"
            else "csv"
            if path.suffix.lower() == ".csv"
            else None
        )
        if fmt is None:
            raise CommandError("--out phải là tệp .csv hoặc .parquet.")
        try:
            cut = date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(f"--as-of «{as_of}» không phải ngày dạng YYYY-MM-DD.") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        write_file(path, rows, year, fmt, seed=seed, as_of=cut)
        self.stdout.write(f"Đã ghi {path} ({format_number(path.stat().st_size / 1e6, 1)} MB).")
