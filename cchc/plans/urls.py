from django.urls import path

from cchc.plans import views

app_name = "plans"

urlpatterns = [
    path("ke-hoach/", views.plan_list, name="plan_list"),
    path("ke-hoach/mau-nhap.xlsx", views.plan_template, name="plan_template"),
    path("ke-hoach/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("ke-hoach/<int:pk>/doi-chieu/", views.plan_alignment, name="plan_alignment"),
    path("ke-hoach/<int:pk>/cu-the-hoa/", views.plan_concretise, name="plan_concretise"),
    path("ke-hoach/<int:pk>/xuat.xlsx", views.plan_export, name="plan_export"),
    path("ke-hoach/<int:pk>/nhap-excel/", views.plan_import, name="plan_import"),
    path("ke-hoach/<int:pk>/ban-hanh/", views.plan_issue, name="plan_issue"),
    path("ke-hoach/<int:pk>/xoa/", views.plan_delete, name="plan_delete"),
    path("nhiem-vu/", views.task_list, name="task_list"),
    path("nhiem-vu/<int:pk>/", views.task_detail, name="task_detail"),
    path("nhiem-vu/<int:pk>/cap-nhat/", views.task_edit, name="task_edit"),
    path("nhiem-vu/<int:pk>/sua/", views.task_structure_edit, name="task_structure_edit"),
    path("nhiem-vu/<int:pk>/kiem-chung/", views.evidence_upload, name="evidence_upload"),
    path("kiem-chung/<int:pk>/tai-ve/", views.evidence_download, name="evidence_download"),
    path("kiem-chung/<int:pk>/go/", views.evidence_delete, name="evidence_delete"),
    path("chi-tieu/", views.target_list, name="target_list"),
    path("chi-tieu/<int:pk>/sua/", views.target_edit, name="target_edit"),
]
