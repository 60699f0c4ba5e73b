from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cchc.plans"
    verbose_name = "Kế hoạch CCHC"

    def ready(self) -> None:
        from cchc.plans import history  # noqa: F401  (registers history pages)
