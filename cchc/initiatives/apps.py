from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cchc.initiatives"
    verbose_name = "Sáng kiến cải cách hành chính"

    def ready(self) -> None:
        from django.apps import apps

        from cchc.initiatives import history  # noqa: F401  (registers the initiative history page)

        if apps.is_installed("cchc.scoring"):
            from cchc.initiatives import scoring_source  # noqa: F401  (the PAR Index source "initiatives")
