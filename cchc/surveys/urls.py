from django.urls import path, re_path

from cchc.surveys import views

app_name = "surveys"

urlpatterns = [
    path("khao-sat/<slug:slug>/", views.survey_form, name="form"),
    path("khao-sat/<slug:slug>/quay/", views.kiosk_form, name="kiosk"),
    path("khao-sat/<slug:slug>/cam-on/", views.thanks, name="thanks"),
    re_path(r"^khao-sat/(?P<slug>[-\w]+)/qr\.(?P<fmt>svg|png)$", views.channel_qr, name="qr"),
    path("khao-sat/<slug:slug>/ap-phich.docx", views.channel_poster, name="poster"),
    path("khao-sat/<slug:slug>/ap-phich.pdf", views.channel_poster_pdf, name="poster_pdf"),
    path("khao-sat/<slug:slug>/nhap-phieu/", views.paper_entry, name="paper"),
    path("khao-sat/<slug:slug>/nhap-tep/", views.paper_import, name="paper_import"),
    path("ket-qua-khao-sat/<int:pk>/", views.public_results, name="public_results"),
    path("quan-ly-khao-sat/", views.round_list, name="rounds"),
    path("quan-ly-khao-sat/soan/<int:pk>/", views.builder_survey, name="builder"),
    path("quan-ly-khao-sat/phien-ban/<int:pk>/", views.builder_version, name="builder_version"),
    path("quan-ly-khao-sat/<int:pk>/", views.round_detail, name="round"),
    path("quan-ly-khao-sat/<int:pk>/cong-bo/", views.round_publish, name="publish"),
    path("quan-ly-khao-sat/<int:pk>/ket-qua.csv", views.results_csv, name="results_csv"),
    path("quan-ly-khao-sat/<int:pk>/ket-qua.xlsx", views.results_xlsx, name="results_xlsx"),
    path("quan-ly-khao-sat/<int:pk>/phieu.csv", views.answers_csv, name="answers_csv"),
]
