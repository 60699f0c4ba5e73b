from django.urls import path

from cchc.initiatives import views

app_name = "initiatives"

urlpatterns = [
    path("sang-kien/", views.index, name="index"),
    path("sang-kien/dot/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("sang-kien/dot/<int:pk>/thong-bao/", views.campaign_notify, name="campaign_notify"),
    path("sang-kien/dot/<int:pk>/de-xuat/", views.initiative_new, name="initiative_new"),
    path("sang-kien/dot/<int:pk>/hoi-dong/", views.council, name="council"),
    path("sang-kien/dot/<int:pk>/quyet-dinh/", views.decision_issue, name="decision_issue"),
    path("sang-kien/dot/<int:pk>/quyet-dinh.<str:fmt>", views.decision_export, name="decision_export"),
    path("sang-kien/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("sang-kien/<int:pk>/sua/", views.initiative_edit, name="initiative_edit"),
    path("sang-kien/<int:pk>/gui/", views.initiative_submit, name="initiative_submit"),
    path("sang-kien/<int:pk>/tham-dinh/", views.initiative_check, name="initiative_check"),
    path("sang-kien/<int:pk>/tai-lieu/", views.attachment_upload, name="attachment_upload"),
    path("sang-kien/tai-lieu/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("sang-kien/<int:pk>/cham/", views.review, name="review"),
    path("sang-kien/<int:pk>/xung-dot/", views.conflict_declare, name="conflict_declare"),
    path("sang-kien/<int:pk>/ket-luan/", views.verdict_record, name="verdict_record"),
    path("sang-kien/<int:pk>/mo-lai/", views.verdict_reopen, name="verdict_reopen"),
    path("thu-vien-sang-kien/", views.library, name="library"),
    path("thu-vien-sang-kien/<int:pk>/", views.library_detail, name="library_detail"),
    path("thu-vien-sang-kien/<int:pk>/nhan-rong/", views.replication_record, name="replication_record"),
]
