"""Rule sets are edited by administrators: deadlines and cut-offs are data. Each save is audited in the
same transaction; periods already opened keep their dates."""

from django.contrib import admin
from django.db import transaction

from cchc.core import audit
from cchc.reporting.models import ReportingRule, ReportingRuleSet


class ReportingRuleInline(admin.TabularInline):
    model = ReportingRule
    extra = 0


@admin.register(ReportingRuleSet)
class ReportingRuleSetAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "remind_days_before", "deadline_exclusive", "is_active"]
    inlines = [ReportingRuleInline]
    autocomplete_fields = ["issuer"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="update" if change else "create",
                instance=obj,
                changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            changed = [str(f.instance) for f in formset.forms if f.has_changed()]
            if changed:
                audit.record(
                    actor=request.user, action="update", instance=form.instance, changes={"rules": changed}
                )
