from django.urls import path

from cchc.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("bang-diem/", views.scorecard, name="scorecard"),
    path("bang-diem/<int:unit_id>/", views.scorecard_unit, name="scorecard_unit"),
]
