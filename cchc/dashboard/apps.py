from django.apps import AppConfig


class DashboardConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cchc.dashboard"
    verbose_name = "Bảng điều hành"
