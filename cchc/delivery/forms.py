from pathlib import Path

from django import forms
from django.conf import settings

from cchc.delivery.kpi.catalogue import KPI_CHOICES
from cchc.delivery.models import SourceMapping


class DossierUploadForm(forms.Form):
    file = forms.FileField(label="Tệp dữ liệu hồ sơ (.csv, .xlsx)")
    mapping = forms.ModelChoiceField(
        label="Ánh xạ cột của hệ thống nguồn",
        queryset=SourceMapping.objects.all(),
        required=False,
        empty_label="Tên cột chuẩn của cchc",
    )
    force = forms.BooleanField(
        label="Nhập lại toàn bộ dù tệp không đổi",
        required=False,
        help_text="Đọc và so sánh lại từng hồ sơ, kể cả khi tệp giống hệt một tệp đã nhập.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in (".csv", ".xlsx"):
            raise forms.ValidationError("Chỉ nhận tệp .csv hoặc .xlsx.")
        if upload.size > settings.DOSSIER_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                f"Tệp lớn hơn {settings.DOSSIER_UPLOAD_MAX_BYTES // (1024 * 1024)} MB: "
                "hãy dùng lệnh import_dossiers trên máy chủ."
            )
        return upload


class TargetLinkForm(forms.Form):
    kpi = forms.ChoiceField(
        label="Đo bằng chỉ số", choices=[("", "— Không liên kết —"), *KPI_CHOICES], required=False
    )
    field = forms.ChoiceField(label="Chỉ tính lĩnh vực", required=False)
    # The link's version as the page showed it (0: no link yet), so a save after someone else's is refused.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        from cchc.delivery.selectors import fields

        super().__init__(*args, **kwargs)
        self.fields["version"].initial = (self.initial or {}).get("version", 0)
        known = fields()
        current = (self.initial or {}).get("field")
        if current and current not in known:
            known.append(current)  # a field no longer in the data stays selectable, not silently lost
        self.fields["field"].choices = [("", "Mọi lĩnh vực"), *((f, f) for f in sorted(known))]
