import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.docimport.services import propose
from cchc.org.models import Unit


class Command(BaseCommand):
    help = "Đọc một văn bản kế hoạch (.docx, .pdf, .txt) và in kế hoạch đề xuất; không lưu gì."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--json", action="store_true", help="In dạng JSON (siêu dữ liệu, chỉ tiêu, nhiệm vụ)."
        )
        parser.add_argument("--issuer", help="Mã đơn vị ban hành, để khớp tên đơn vị chủ trì (ví dụ 10930).")

    def handle(self, *args, file, json: bool = False, issuer=None, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        unit = Unit.objects.filter(code=issuer).first() if issuer else None
        if issuer and unit is None:
            raise CommandError(f"Không có đơn vị mã «{issuer}».")
        try:
            proposal = propose(data=path.read_bytes(), filename=path.name, issuer=unit)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if json:
            self.stdout.write(_json_dumps(proposal))
            return
        tasks = proposal["tasks"]
        children = sum(len(t.get("children") or []) for t in tasks)
        self.stdout.write(
            f"{proposal.get('number') or '(không rõ số)'} – {proposal.get('title') or ''}\n"
            f"{len(proposal['targets'])} chỉ tiêu, {len(tasks)} nhiệm vụ, {children} việc con."
        )


def _json_dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
