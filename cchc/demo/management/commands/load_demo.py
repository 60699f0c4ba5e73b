from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from cchc.demo.seed import DEMO_PASSWORD, DEMO_USERS, demo_loaded, load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu Hải Phòng (đơn vị, kế hoạch, người dùng, hồ sơ một cửa) nếu chưa có, rồi in tài khoản mẫu."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Không in danh sách tài khoản.")
        parser.add_argument(
            "--allow-demo-accounts",
            action="store_true",
            help="Cho phép tạo tài khoản mẫu (mật khẩu chung công khai) khi DEBUG tắt.",
        )

    def handle(self, *args, quiet=False, allow_demo_accounts=False, **options):
        if demo_loaded():
            self.stdout.write("Dữ liệu mẫu đã có sẵn.")
        else:
            # The demo accounts share a published password: on a production server (DEBUG off) they
            # would be open doors, so creating them there takes an explicit flag.
            if not settings.DEBUG and not allow_demo_accounts:
                raise CommandError(
                    "Không tạo tài khoản mẫu khi DEBUG tắt: các tài khoản này dùng chung mật khẩu công khai "
                    f"«{DEMO_PASSWORD}». Nếu thực sự cần (máy trình diễn), chạy lại với --allow-demo-accounts.\n"
                    "Refusing to create the demo accounts with DEBUG off: they share a published password. "
                    "Pass --allow-demo-accounts if you really mean it."
                )
            # The demo's own notices (accepted, returned) are kept in the app, not mailed to anyone.
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                counts = load_demo()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Đã nạp dữ liệu mẫu: {counts['units']} đơn vị, {counts['plans']} kế hoạch, "
                    f"{counts['targets']} chỉ tiêu, {counts['tasks']} nhiệm vụ, "
                    f"{counts['dossiers']:_} hồ sơ một cửa.".replace("_", ".")
                )
            )
        if quiet:
            return
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD})")
        for person in DEMO_USERS:
            self.stdout.write(
                f"  {person.username:<22} {person.role:<9} {person.full_name} – {person.position}"
            )
        # The PAR Index, surveys and initiatives seeds add their own people (council members, Sở KH&CN).
        from cchc.org.models import User

        listed = {person.username for person in DEMO_USERS}
        others = User.objects.exclude(username__in=listed).exclude(is_superuser=True).order_by("username")
        for user in others:
            self.stdout.write(f"  {user.username:<22} {'':<9} {user.full_name} – {user.position}")
