from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "cchc.jobs"
    verbose_name = "Công việc nền"
