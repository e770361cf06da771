from contextvars import ContextVar
from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.forms import UserChangeAdminForm, UserCreationAdminForm, UserPasswordAdminForm
from accounts.models import ApiToken, User
from accounts.services import api_token_revoke
from audit.services import Role, audit_role

# The request of the admin's password page while it runs: its form (built by Django's view,
# which passes no request) names the admin in the audit log.
_password_request: ContextVar[Any] = ContextVar("admin_password_request", default=None)


class _PasswordAdminForm(UserPasswordAdminForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = _password_request.get()


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
    change_password_form = _PasswordAdminForm
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

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        token = _password_request.set(request)
        try:
            return super().user_change_password(request, id, form_url)
        finally:
            _password_request.reset(token)

    # Role changes (staff, superuser, groups) go to the audit log, with the admin as actor.

    def save_model(self, request: Any, obj: User, form: Any, change: bool) -> None:
        rights = ("is_staff", Role.ADMIN), ("is_superuser", Role.SUPERUSER)
        saved = User.objects.filter(pk=obj.pk).first() if change else None
        before = {field: bool(getattr(saved, field, False)) for field, _role in rights}
        super().save_model(request, obj, form, change)
        for field, role in rights:
            now = bool(getattr(obj, field))
            if now != before[field]:
                audit_role(
                    granted=now,
                    user=obj,
                    role=role,
                    actor=request.user,
                    request=request,
                )

    def save_related(self, request: Any, form: Any, formsets: Any, change: bool) -> None:
        user = form.instance
        before = {g.pk: g.name for g in user.groups.all()} if change else {}
        super().save_related(request, form, formsets, change)
        after = {g.pk: g.name for g in user.groups.all()}
        for granted, ids in (
            (True, after.keys() - before.keys()),
            (False, before.keys() - after.keys()),
        ):
            for pk in sorted(ids):
                audit_role(
                    granted=granted,
                    user=user,
                    role=Role.GROUP,
                    actor=request.user,
                    request=request,
                    data={"group": pk, "group_name": after.get(pk) or before.get(pk)},
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
        api_token_revoke(token=obj, actor=request.user, request=request)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for token in queryset.select_related("user"):
            api_token_revoke(token=token, actor=request.user, request=request)
