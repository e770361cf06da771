"""The audit log for operators: read-only, even for superusers (the change view shows the
entry). Search by the account's e-mail address, the address of the request, or the address a
failed login was for."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "user", "actor", "ip_address", "target", "attempted_login"]
    list_filter = ["action", "at"]
    date_hierarchy = "at"
    search_fields = ["user__email", "ip_address", "attempted_login"]
    list_select_related = ["user", "actor"]
    show_full_result_count = False  # the log is long; no second COUNT per page
    fields = readonly_fields = (
        "at",
        "action",
        "user",
        "actor",
        "attempted_login",
        "ip_address",
        "user_agent",
        "target",
        "data",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
