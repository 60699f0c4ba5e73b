from django.core.management.base import BaseCommand

from cchc.delivery import services


class Command(BaseCommand):
    help = "Tính lại số liệu chỉ số theo tháng từ kho hồ sơ hiện tại (sau khi đổi cây đơn vị, chẳng hạn)."

    def handle(self, *args, **options):
        count = services.kpi_figures_recompute(actor=None)
        self.stdout.write(f"Đã tính lại {count} dòng số liệu.")
