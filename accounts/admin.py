from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeAdminForm, UserCreationAdminForm, UserPasswordAdminForm
from accounts.models import ApiToken, User
from accounts.services import api_token_revoke


class ViewOnlyAdminMixin:
    """Support may look, never add, change or delete: for logs (the event log, notification
    deliveries) and for rows that decide who may see what (memberships, facilitators, company
    members), which only the services change, because only they record the event, notify,
    and close the live sockets of someone who loses access."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    change_password_form = UserPasswordAdminForm
    ordering = ["email"]
    list_display = ["email", "name", "handle", "language", "is_staff", "is_active"]
    search_fields = ["email", "name", "handle"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("name", "handle", "language", "timezone")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked (deleted) here, never shown: only a hash is stored and
    the first characters to recognise one."""

    list_display = ["name", "user", "token_key", "created", "expiry"]
    search_fields = ["name", "user__email", "token_key"]
    list_select_related = ["user"]
    fields = ["name", "user", "token_key", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: Any, obj: ApiToken) -> None:
        api_token_revoke(token=obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for token in queryset:
            api_token_revoke(token=token)
