from django.urls import path

from cchc.notices import views

app_name = "notices"

urlpatterns = [
    path("thong-bao/", views.notice_list, name="list"),
    path("thong-bao/<int:pk>/da-doc/", views.mark_read, name="mark_read"),
    path("thong-bao/da-doc-het/", views.mark_all_read, name="mark_all_read"),
    path("thong-bao/cai-dat/", views.preferences, name="preferences"),
]
