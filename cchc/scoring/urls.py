from django.urls import path

from cchc.scoring import views

app_name = "scoring"

urlpatterns = [
    path("chi-so-cchc/", views.home, name="home"),
    path("chi-so-cchc/bo-tieu-chi/", views.set_list, name="set_list"),
    path("chi-so-cchc/bo-tieu-chi/<int:pk>/xuat.xlsx", views.set_export, name="set_export"),
    path("chi-so-cchc/dot/<int:pk>/nguoi-dung-dau/", views.heads, name="heads"),
    path("chi-so-cchc/dot/<int:pk>/hoi-dong/", views.council_page, name="council"),
    path("chi-so-cchc/dot/<int:pk>/dieu-tra/", views.survey_page, name="survey"),
    path("chi-so-cchc/dot/<int:pk>/", views.season_detail, name="season_detail"),
    path("chi-so-cchc/dot/<int:pk>/thao-tac/<str:action>/", views.season_action, name="season_action"),
    path("chi-so-cchc/dot/<int:pk>/xep-hang/", views.ranking_page, name="ranking"),
    path("chi-so-cchc/dot/<int:pk>/tham-dinh/", views.council_queue, name="queue"),
    path("chi-so-cchc/dot/<int:pk>/tham-dinh/<int:assessment_id>/", views.queue_unit, name="queue_unit"),
    path("chi-so-cchc/tu-danh-gia/<int:pk>/", views.assessment_detail, name="assessment_detail"),
    path(
        "chi-so-cchc/tu-danh-gia/<int:pk>/thao-tac/<str:action>/",
        views.assessment_action,
        name="assessment_action",
    ),
    path(
        "chi-so-cchc/tu-danh-gia/<int:pk>/xuat.<str:fmt>", views.assessment_export, name="assessment_export"
    ),
    path("chi-so-cchc/tieu-chi/<int:pk>/", views.item_detail, name="item_detail"),
    path("chi-so-cchc/tieu-chi/<int:pk>/thao-tac/<str:action>/", views.item_action, name="item_action"),
    path("chi-so-cchc/tai-lieu/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("cong-khai/chi-so-cchc/", views.public_index, name="public_index"),
    path("cong-khai/chi-so-cchc/<int:pk>/", views.public_release, name="public_release"),
    path("cong-khai/chi-so-cchc/<int:pk>/xuat.<str:fmt>", views.public_export, name="public_export"),
]
