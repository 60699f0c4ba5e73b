from django.urls import path

from cchc.api import views
from cchc.api.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("khoa-api/", views.token_list, name="api_tokens"),
    path("khoa-api/<int:pk>/thu-hoi/", views.token_revoke, name="api_token_revoke"),
]
