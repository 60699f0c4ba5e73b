from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cchc.org.models import Unit
from cchc.reporting import output
from cchc.reporting.models import ReportingPeriod, UnitReport
from cchc.reporting.rules import parse_period_code


class Command(BaseCommand):
    help = "Xuất báo cáo của một đơn vị (hoặc báo cáo tổng hợp của một cấp) ra .docx hoặc .xlsx."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="Mã đơn vị (ví dụ 10930, SNV, HP).")
        parser.add_argument(
            "--period", required=True, help="Mã kỳ: 2026-Q1, 2026-S1, 2026-Q3, 2026-9M, 2026."
        )
        parser.add_argument("--consolidated", action="store_true", help="Báo cáo tổng hợp của cấp này.")
        parser.add_argument("--format", choices=["docx", "xlsx"], default="docx")
        parser.add_argument("--out", required=True, help="Tệp kết quả.")

    def handle(self, *args, unit, period, consolidated, format, out, **options):
        try:
            parse_period_code(period)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        target = Unit.objects.filter(code=unit).first()
        if target is None:
            raise CommandError(f"Không có đơn vị mã «{unit}».")
        code = period.strip().upper()
        if consolidated:
            found = ReportingPeriod.objects.filter(code=code, rule_set__issuer=target).first()
            if found is None:
                raise CommandError(f"{target} không có kỳ báo cáo {code}.")
            document = output.consolidated_document(found)
        else:
            report = (
                UnitReport.objects.filter(unit=target, period__code=code)
                .select_related("period", "unit")
                .first()
            )
            if report is None:
                raise CommandError(f"{target} chưa có báo cáo kỳ {code}.")
            document = output.unit_report_document(report)
        Path(out).write_bytes(output.render(document, format))
        self.stdout.write(f"Đã ghi {out}")
