from django.apps import AppConfig


class DocimportConfig(AppConfig):
    name = "cchc.docimport"
    verbose_name = "Nhập kế hoạch từ văn bản"
