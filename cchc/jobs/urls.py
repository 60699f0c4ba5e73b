from django.urls import path

from cchc.jobs import views

app_name = "jobs"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("cong-viec/", views.job_list, name="list"),
    path("cong-viec/<int:pk>/", views.job_detail, name="detail"),
    path("cong-viec/<int:pk>/tai-ve/", views.job_download, name="download"),
    path(
        "cong-viec/bao-cao-tong-hop/<int:pk>/<str:fmt>/",
        views.consolidated_document,
        name="consolidated_document",
    ),
    path("cong-viec/tinh-lai-chi-so/", views.kpi_recompute, name="kpi_recompute"),
]
