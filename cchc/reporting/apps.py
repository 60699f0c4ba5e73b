from django.apps import AppConfig


class ReportingConfig(AppConfig):
    name = "cchc.reporting"
    verbose_name = "Báo cáo định kỳ"

    def ready(self) -> None:
        from cchc.reporting import history  # noqa: F401  (registers report history pages)
