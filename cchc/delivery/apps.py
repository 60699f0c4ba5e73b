from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "cchc.delivery"
    label = "delivery"
    verbose_name = "Chỉ số giải quyết TTHC"
