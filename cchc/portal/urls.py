from django.urls import path

from cchc.portal import views

app_name = "portal"

urlpatterns = [
    path("cong-khai/", views.home, name="home"),
    path("cong-khai/dich-vu-cong/", views.delivery, name="delivery"),
    path("cong-khai/dich-vu-cong/<str:period>/", views.delivery_period, name="delivery_period"),
    path("cong-khai/dich-vu-cong/<str:period>/<str:code>/", views.delivery_unit, name="delivery_unit"),
    path("cong-khai/sang-kien/", views.initiatives, name="initiatives"),
    path("cong-khai/sang-kien/<int:pk>/", views.initiative, name="initiative"),
]
