"""Campaigns are data an administrator may adjust (fields, rubric, deadline, award count, tie rule).
Each save is audited in the same transaction. Submissions, scores and verdicts are changed only
through the pages (their services), never here."""

from django.contrib import admin
from django.db import transaction

from cchc.core import audit
from cchc.initiatives.models import Campaign, CouncilMember, Criterion, Field


class FieldInline(admin.TabularInline):
    model = Field
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


class CouncilMemberInline(admin.TabularInline):
    model = CouncilMember
    extra = 0
    readonly_fields = ["user", "unit", "is_chair", "role_title"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # members are assigned through member_assign, which pins their conflicts


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["year", "number", "issuer", "reviewing_unit", "submission_deadline", "status"]
    inlines = [FieldInline, CriterionInline, CouncilMemberInline]
    autocomplete_fields = ["issuer", "reviewing_unit"]
    readonly_fields = ["status", "decision_number", "decision_date", "notified_at", "version"]

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                actor=request.user,
                action="update" if change else "create",
                instance=obj,
                changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            )
