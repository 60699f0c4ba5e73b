from django.core.management.base import BaseCommand

from cchc.delivery import services


class Command(BaseCommand):
    help = (
        "Tính lại số liệu chỉ số theo tháng từ kho hồ sơ hiện tại (sau khi đổi cây đơn vị, chẳng hạn). "
        "Mỗi lần nhập chỉ tính lại các đơn vị và tháng bị ảnh hưởng; lệnh này tính lại toàn bộ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--all",
            action="store_true",
            help="tính lại toàn bộ (mặc định, giữ để rõ ý trong cron và tài liệu)",
        )

    def handle(self, *args, **options):
        count = services.kpi_figures_recompute(actor=None)
        self.stdout.write(f"Đã tính lại toàn bộ {count} dòng số liệu.")
