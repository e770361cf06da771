from django.contrib import admin

from accounts.admin import ViewOnlyAdminMixin
from companies.models import Company, CompanyInvitation, CompanyMember


class CompanyMemberInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = CompanyMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "sector", "size", "city", "created_at"]
    list_filter = ["sector", "size"]
    search_fields = ["name", "city"]
    inlines = [CompanyMemberInline]


@admin.register(CompanyMember)
class CompanyMemberAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["company", "user", "role", "joined_at"]
    list_filter = ["role"]
    raw_id_fields = ["company", "user"]


@admin.register(CompanyInvitation)
class CompanyInvitationAdmin(admin.ModelAdmin):
    list_display = [
        "company",
        "email",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    search_fields = ["email", "company__name"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["company", "invited_by", "accepted_by"]
