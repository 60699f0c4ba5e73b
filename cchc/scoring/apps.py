from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "cchc.scoring"
    verbose_name = "Chỉ số cải cách hành chính"
