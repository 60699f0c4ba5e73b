from datetime import date

from django.core.management.base import BaseCommand

from cchc.reporting.notices import send_reminders


class Command(BaseCommand):
    help = (
        "Nhắc các đơn vị chưa gửi báo cáo (trước hạn, đúng hạn, quá hạn) qua thông báo và thư điện tử. "
        "Chạy bao nhiêu lần cũng không gửi trùng; phù hợp chạy định kỳ bằng cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Ngày tính nhắc (YYYY-MM-DD), mặc định hôm nay.")

    def handle(self, *args, date=None, **options):
        today = _parse(date)
        sent = send_reminders(today=today)
        self.stdout.write(
            f"Đã tạo nhắc: {sent['before']} sắp đến hạn, {sent['due']} đến hạn, {sent['late']} quá hạn."
        )


def _parse(value):
    return date.fromisoformat(value) if value else None
