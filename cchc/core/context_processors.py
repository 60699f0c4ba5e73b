from django.conf import settings


def cchc(request):
    return {"CCHC_SITE_NAME": "Hệ thống quản lý cải cách hành chính", "DEBUG": settings.DEBUG}
