"""Admin for what operators configure: KPI settings, source mappings; import batches read-only.
Saves go through the services (audit row, recomputation of the figures)."""

from django import forms
from django.contrib import admin, messages

from cchc.core.admin import ReadOnlyAdmin
from cchc.delivery import services
from cchc.delivery.models import DossierImport, KpiConfig, SourceMapping, TargetKpiLink


class VersionedAdminForm(forms.ModelForm):
    """The version the page was read at travels with the form, so a save after someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


@admin.register(KpiConfig)
class KpiConfigAdmin(admin.ModelAdmin):
    form = VersionedAdminForm
    fields = (*services.CONFIG_FIELDS, "version")
    list_display = (
        "__str__",
        "cutoff_day",
        "timeliness_basis",
        "late_rate_denominator",
        "online_share_denominator",
    )

    def has_add_permission(self, request):
        return not KpiConfig.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.kpi_config_update(
            actor=request.user,
            expected_version=form.cleaned_data["version"],
            **{name: form.cleaned_data[name] for name in services.CONFIG_FIELDS},
        )
        messages.info(request, "Đã tính lại các chỉ số theo cấu hình mới.")


@admin.register(SourceMapping)
class SourceMappingAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "updated_at")
    search_fields = ("name", "title")
    form = VersionedAdminForm
    fields = ("name", "title", "description", "spec", "version")

    def save_model(self, request, obj, form, change):
        saved = services.mapping_save(
            actor=request.user,
            expected_version=form.cleaned_data["version"] if change else None,
            name=form.cleaned_data["name"],
            title=form.cleaned_data["title"],
            description=form.cleaned_data.get("description", ""),
            spec=form.cleaned_data["spec"],
        )
        obj.pk = saved.pk


@admin.register(DossierImport)
class DossierImportAdmin(ReadOnlyAdmin):
    list_display = (
        "file_name",
        "started_at",
        "status",
        "rows_read",
        "inserted",
        "updated",
        "unchanged",
        "error_count",
    )
    list_filter = ("status",)


@admin.register(TargetKpiLink)
class TargetKpiLinkAdmin(admin.ModelAdmin):
    list_display = ("target", "kpi", "field")
    list_filter = ("kpi",)
    readonly_fields = ("target", "kpi", "field", "created_by", "created_at")

    def has_add_permission(self, request):
        return False
