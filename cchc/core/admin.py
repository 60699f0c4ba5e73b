from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin
from django.contrib.auth.models import Group, Permission

from cchc.core.models import AuditEntry


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by services (audit rows, import batches): shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr"]


# Permission names are stored in English by Django ("Can add log entry") when the tables are created;
# the group page shows them from their codename and the model's Vietnamese name instead.
_PERMISSION_VERBS = {"add": "Thêm", "change": "Sửa", "delete": "Xóa", "view": "Xem"}


def permission_label(permission: Permission) -> str:
    verb, _, _ = permission.codename.partition("_")
    content_type = permission.content_type
    model = content_type.model_class()
    if model is None or verb not in _PERMISSION_VERBS:
        return f"{content_type.app_label} | {permission.name}"
    app = model._meta.app_config.verbose_name
    return f"{app} | {_PERMISSION_VERBS[verb]} {model._meta.verbose_name}"


class VietnameseGroupAdmin(GroupAdmin):
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        field = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if db_field.name == "permissions":
            field.label_from_instance = permission_label
        return field


admin.site.unregister(Group)
admin.site.register(Group, VietnameseGroupAdmin)
