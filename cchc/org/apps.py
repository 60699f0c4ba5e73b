from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "cchc.org"
    verbose_name = "Tổ chức"

    def ready(self) -> None:
        from cchc.org import history  # noqa: F401  (registers the unit history page)
