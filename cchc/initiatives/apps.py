from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cchc.initiatives"
    verbose_name = "Sáng kiến cải cách hành chính"

    def ready(self) -> None:
        from cchc.initiatives import history  # noqa: F401  (registers the initiative history page)
