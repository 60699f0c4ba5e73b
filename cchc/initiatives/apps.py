from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "cchc.initiatives"
    verbose_name = "Sáng kiến cải cách hành chính"
