from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cchc.surveys"
    verbose_name = "Khảo sát sự hài lòng"

    def ready(self) -> None:
        # The PAR Index reads survey points through its source registry.
        from cchc.surveys.scoring import register

        register()
