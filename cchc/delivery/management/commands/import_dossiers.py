"""python manage.py import_dossiers FILE [--mapping NAME] [--user USERNAME] [--force]"""

import sys
import time

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from cchc.core.uploads import vn_int
from cchc.delivery import services
from cchc.delivery.models import DossierImport, SourceMapping

PHASES = {"read": "Đọc và kiểm tra tệp", "merge": "Cập nhật kho hồ sơ", "kpi": "Tính chỉ số"}


class ProgressBar:
    """One line per phase, redrawn in place on a terminal, at most ~5 times a second."""

    def __init__(self, stream, width: int = 30):
        self.stream, self.width = stream, width
        self.phase, self.shown = None, 0.0
        self.tty = hasattr(stream, "isatty") and stream.isatty()

    def __call__(self, phase: str, fraction: float) -> None:
        now = time.monotonic()
        new_phase = phase != self.phase
        if not new_phase and fraction < 1.0 and now - self.shown < 0.2:
            return
        if new_phase and self.phase is not None and self.tty:
            self.stream.write("\n")
        self.phase, self.shown = phase, now
        done = int(self.width * max(0.0, min(1.0, fraction)))
        line = (
            f"{PHASES.get(phase, phase):<22} [{'#' * done}{'.' * (self.width - done)}] {fraction * 100:5.1f}%"
        )
        if self.tty:
            self.stream.write("\r" + line)
        elif new_phase or fraction >= 1.0:  # a log file gets each phase's start and end only
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty and self.phase is not None:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Nhập tệp hồ sơ một cửa (.csv, .xlsx): tất cả hoặc không; hồ sơ trùng mã được cập nhật; "
        "in số hồ sơ mới, cập nhật, không đổi và các dòng lỗi."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--mapping", help="mã cấu hình ánh xạ cột đã lưu (mặc định: tên cột chuẩn)")
        parser.add_argument("--user", help="tài khoản thực hiện (mặc định: hệ thống)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="đọc và so sánh lại từng hồ sơ, kể cả khi tệp giống hệt một tệp đã nhập",
        )

    def handle(self, *args, file, mapping, user, force=False, **options):
        chosen = None
        if mapping:
            chosen = SourceMapping.objects.filter(name=mapping).first()
            if chosen is None:
                names = ", ".join(SourceMapping.objects.values_list("name", flat=True)) or "chưa có"
                raise CommandError(f"Không có cấu hình ánh xạ «{mapping}». Các cấu hình đã lưu: {names}.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user).first()
            if actor is None:
                raise CommandError(f"Không có tài khoản «{user}».")
        bar = ProgressBar(sys.stderr)
        try:
            batch = services.dossiers_import(
                actor=actor, path=file, mapping=chosen, progress=bar, force=force
            )
        except FileNotFoundError as exc:
            raise CommandError(f"Không tìm thấy tệp {file}.") from exc
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(" ".join(getattr(exc, "messages", [str(exc)]))) from exc
        finally:
            bar.close()
        if batch.status != DossierImport.Status.SUCCEEDED:
            for error in batch.errors:
                self.stderr.write(f"  {error}")
            if batch.error_count > len(batch.errors):
                self.stderr.write(f"  … và {vn_int(batch.error_count - len(batch.errors))} lỗi khác.")
            raise CommandError(batch.message)
        self.stdout.write(
            f"rows={batch.rows_read} inserted={batch.inserted} updated={batch.updated} "
            f"unchanged={batch.unchanged} total={batch.total_after} seconds={batch.seconds:.1f}"
        )
        self.stdout.write(batch.message)
