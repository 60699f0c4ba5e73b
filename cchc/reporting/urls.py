from django.urls import path

from cchc.reporting import views

app_name = "reporting"

urlpatterns = [
    path("bao-cao/", views.period_list, name="period_list"),
    path("bao-cao/ky/<int:pk>/", views.period_detail, name="period_detail"),
    path("bao-cao/ky/<int:pk>/lap/<int:unit_id>/", views.report_start, name="report_start"),
    path("bao-cao/ky/<int:pk>/thieu/<int:unit_id>/", views.mark_missing, name="mark_missing"),
    path("bao-cao/ky/<int:pk>/nhac/", views.remind, name="remind"),
    path("bao-cao/ky/<int:pk>/tong-hop/", views.consolidation, name="consolidation"),
    path(
        "bao-cao/ky/<int:pk>/tong-hop/xuat.<str:fmt>", views.consolidation_export, name="consolidation_export"
    ),
    path("bao-cao/<int:pk>/", views.report_detail, name="report_detail"),
    path("bao-cao/<int:pk>/luu/", views.report_save, name="report_save"),
    path("bao-cao/<int:pk>/gui/", views.report_submit, name="report_submit"),
    path("bao-cao/<int:pk>/xem-xet/<str:decision>/", views.report_review, name="report_review"),
    path("bao-cao/<int:pk>/xuat.<str:fmt>", views.report_export, name="report_export"),
]
