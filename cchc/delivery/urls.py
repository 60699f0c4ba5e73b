from django.urls import path

from cchc.delivery import views

app_name = "delivery"

urlpatterns = [
    path("dich-vu-cong/", views.overview, name="overview"),
    path("dich-vu-cong/cong-khai/", views.publication, name="publication"),
    path("dich-vu-cong/xuat-excel/", views.overview_xlsx, name="overview_xlsx"),
    path("dich-vu-cong/ho-so-tre-han/", views.late_dossiers, name="late_dossiers"),
    path("dich-vu-cong/ho-so-tre-han/xuat-excel/", views.late_dossiers_xlsx, name="late_dossiers_xlsx"),
    path("dich-vu-cong/chi-tieu/", views.targets, name="targets"),
    path("dich-vu-cong/nhap-du-lieu/", views.imports, name="imports"),
    path("dich-vu-cong/nhap-du-lieu/<int:pk>/", views.import_detail, name="import_detail"),
    path("chi-tieu/<int:pk>/chi-so/", views.target_link, name="target_link"),
]
