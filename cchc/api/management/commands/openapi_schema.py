from django.core.management.base import BaseCommand

from cchc.api.openapi import SCHEMA_PATH, schema_text


class Command(BaseCommand):
    help = "Ghi lại lược đồ OpenAPI của /api/v1/ vào docs/openapi.yaml (hoặc --check: báo lỗi nếu lệch)."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="chỉ so sánh, không ghi")

    def handle(self, *args, check=False, **options):
        text = schema_text()
        if check:
            if not SCHEMA_PATH.exists() or SCHEMA_PATH.read_text(encoding="utf-8") != text:
                raise SystemExit(
                    "docs/openapi.yaml lệch với mã nguồn: chạy `python manage.py openapi_schema`."
                )
            self.stdout.write("docs/openapi.yaml khớp với mã nguồn.")
            return
        SCHEMA_PATH.write_text(text, encoding="utf-8")
        self.stdout.write(f"Đã ghi {SCHEMA_PATH}.")
