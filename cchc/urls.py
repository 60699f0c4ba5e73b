from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from cchc.core import http as core_http
from cchc.core import views as core_views
from cchc.dashboard import views as dashboard_views
from cchc.org import views as org_views

admin.site.site_header = "Quản trị hệ thống CCHC"
admin.site.site_title = "Quản trị CCHC"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("favicon.ico", core_http.favicon, name="favicon"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(template_name="core/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    # Password change (signed in) and reset by e-mail: Django's views, Vietnamese templates in
    # templates/registration/.
    path("doi-mat-khau/", org_views.PasswordChange.as_view(), name="password_change"),
    path("doi-mat-khau/xong/", org_views.PasswordChangeDone.as_view(), name="password_change_done"),
    path("quen-mat-khau/", org_views.PasswordReset.as_view(), name="password_reset"),
    path("quen-mat-khau/da-gui/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "dat-lai-mat-khau/<uidb64>/<token>/",
        org_views.PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "dat-lai-mat-khau/xong/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("don-vi/", org_views.unit_tree, name="unit_tree"),
    path("lich-su/<str:label>/<int:pk>/", core_views.object_history, name="object_history"),
    path("", include("cchc.portal.urls")),  # public portal: first, so the page fuzz reaches it early
    path("", include("cchc.plans.urls")),
    path("", include("cchc.reporting.urls")),
    path("", include("cchc.docimport.urls")),
    path("", include("cchc.delivery.urls")),
    path("", include("cchc.surveys.urls")),
    path("", include("cchc.scoring.urls")),
    path("", include("cchc.initiatives.urls")),
    path("", include("cchc.api.urls")),
    path("", include("cchc.dashboard.urls")),
    path("", include("cchc.jobs.urls")),
    path("", include("cchc.notices.urls")),
    path("quan-tri/", admin.site.urls),
]
