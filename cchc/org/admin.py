"""Admin pages for units, people and roles. Saves go through the org services, so the admin writes
the same audit rows and checks as every other path; imports of units and users from CSV/XLSX live here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import path

from cchc.core import audit
from cchc.core.tabular import ImportFileError
from cchc.core.uploads import UploadRefused, read_upload
from cchc.org import services
from cchc.org.models import Membership, Unit, User


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp .xlsx hoặc .csv")


class ImportMixin:
    import_service = None
    import_help = ""

    def get_urls(self):
        return [
            path(
                "nhap/",
                self.admin_site.admin_view(self.import_view),
                name=f"{self.model._meta.model_name}_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = type(self).import_service(
                    actor=request.user, data=read_upload(upload), filename=upload.name
                )
            except ImportFileError as exc:
                errors = exc.shown
            except UploadRefused as exc:
                errors = exc.messages
            else:
                messages.success(request, "Đã nhập: " + ", ".join(f"{k} {v}" for k, v in result.items()))
                return redirect(f"admin:org_{self.model._meta.model_name}_changelist")
        return render(
            request,
            "admin/org/import.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "errors": errors,
                "title": f"Nhập {self.model._meta.verbose_name_plural} từ tệp",
                "help": self.import_help,
                "opts": self.model._meta,
            },
        )


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Unit)
class UnitAdmin(ImportMixin, admin.ModelAdmin):
    list_display = ["name", "code", "kind", "block", "parent", "is_active"]
    list_filter = ["kind", "block", "is_active"]
    search_fields = ["name", "code", "name_key"]
    autocomplete_fields = ["parent", "standing_agency_for"]
    readonly_fields = ["path", "depth", "organisation"]
    import_service = staticmethod(services.units_import)
    import_help = "Các cột: Mã, Tên đơn vị, Loại, Mã đơn vị cấp trên, Khối, Tên viết tắt."

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.UNIT_FIELDS}
        if change:
            services.unit_update(actor=request.user, unit=Unit.objects.get(pk=obj.pk), **fields)
        else:
            created = services.unit_create(
                actor=request.user,
                **{n: form.cleaned_data[n] for n in form.cleaned_data if n in services.UNIT_FIELDS},
            )
            obj.pk = created.pk

    def has_delete_permission(self, request, obj=None):
        return False  # units are deactivated or dissolved, never deleted: history refers to them


@admin.register(User)
class UserAdmin(ImportMixin, BaseUserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "full_name", "email", "position", "is_active"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Thông tin", {"fields": ["full_name", "email", "position", "phone"]}),
        ("Quyền", {"fields": ["is_active", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"fields": ["username", "full_name", "email", "password1", "password2"]})]
    import_service = staticmethod(services.users_import)
    import_help = "Các cột: Tên đăng nhập, Họ và tên, Email, Chức vụ, Mã đơn vị, Vai trò."

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            obj.is_staff = obj.is_superuser
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="update" if change else "create",
                instance=obj,
                changes={
                    name: str(form.cleaned_data.get(name))
                    for name in form.changed_data
                    if name not in ("password", "password1", "password2")
                },
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            for membership_form in formset.forms:
                if not membership_form.has_changed() or not membership_form.cleaned_data:
                    continue
                data = membership_form.cleaned_data
                if data.get("DELETE") and data.get("id"):
                    services.membership_revoke(actor=request.user, membership=data["id"])
                elif not data.get("DELETE"):
                    services.membership_grant(
                        actor=request.user, user=form.instance, unit=data["unit"], role=data["role"]
                    )
