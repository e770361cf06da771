"""The programmes in the Django admin. Staff roles are shown, not edited here: a role change
goes through programmes.services (audited, and a programme keeps a manager)."""

from django.contrib import admin

from accounts.admin import ViewOnlyAdminMixin
from programmes.models import Programme, Staff, StaffInvitation, Touch


class StaffInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Staff
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "region", "created_at"]
    search_fields = ["name", "slug", "region"]
    inlines = [StaffInline]


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "programme",
        "email",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "programme__name"]
    raw_id_fields = ["programme", "invited_by", "accepted_by"]
    readonly_fields = ["token_hash"]


@admin.register(Touch)
class TouchAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Written by programmes.services.company_touch only."""

    list_display = ["programme", "company", "kind", "stage", "source", "at"]
    list_filter = ["kind", "stage"]
    search_fields = ["company__name", "programme__name", "source"]
    raw_id_fields = ["programme", "company"]
