from django.contrib import admin

from cchc.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "kind",
        "status",
        "progress_done",
        "progress_total",
        "user",
        "created_at",
        "finished_at",
    )
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]
