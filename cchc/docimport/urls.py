from django.urls import path

from cchc.docimport import views

app_name = "docimport"

urlpatterns = [
    path("nhap-ke-hoach/", views.upload, name="upload"),
    path("nhap-ke-hoach/<int:pk>/", views.review, name="review"),
    path("nhap-ke-hoach/<int:pk>/huy/", views.discard, name="discard"),
]
