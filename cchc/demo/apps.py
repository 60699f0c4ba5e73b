from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "cchc.demo"
    verbose_name = "Dữ liệu mẫu Hải Phòng"
