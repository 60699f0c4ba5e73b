from django.apps import AppConfig


class SurveysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cchc.surveys"
    verbose_name = "Khảo sát sự hài lòng"

    def ready(self) -> None:
        # The PAR Index reads survey points through its source registry.
        from django.db.models.signals import post_delete, post_save

        from cchc.surveys import models, services
        from cchc.surveys.scoring import register

        register()
        # The public form caches channels per process; any change to what they show drops the copy.
        for model in (models.Channel, models.Round, models.SurveyVersion, models.Survey):
            post_save.connect(
                services.public_channels_forget, sender=model, dispatch_uid=f"surveys-{model.__name__}"
            )
            post_delete.connect(
                services.public_channels_forget, sender=model, dispatch_uid=f"surveys-del-{model.__name__}"
            )
