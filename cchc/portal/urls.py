from django.urls import path

from cchc.portal import views

app_name = "portal"

urlpatterns = [
    path("cong-khai/", views.home, name="home"),
    path("cong-khai/sang-kien/", views.initiatives, name="initiatives"),
    path("cong-khai/sang-kien/<int:pk>/", views.initiative, name="initiative"),
]
