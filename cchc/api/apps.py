from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cchc.api"
    label = "api"
    verbose_name = "API cho hệ thống khác"
    default_auto_field = "django.db.models.BigAutoField"
