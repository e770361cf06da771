"""Open events in the Django admin: for support to look, not to change. Every change of an
event or a registration goes through events.services, which lock the seats and tell the
registrants; an edit here would do neither.

Registrants' personal data: their e-mail address is shown to superusers only, and the token's
nonce (from which the registrant's secret link follows) to nobody.
"""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import ViewOnlyAdminMixin
from events.models import EventMessage, EventMessageDelivery, OpenEvent, Registration

_SECRET_FIELDS = ["token_nonce", "token_hash"]


class RegistrationInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Registration
    extra = 0
    fields = ["name", "company_name", "postcode", "status", "walk_in", "attended_at"]
    show_change_link = True


@admin.register(OpenEvent)
class OpenEventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "programme", "format", "starts_at", "status", "capacity"]
    list_filter = ["status", "format"]
    search_fields = ["title", "programme__name"]
    raw_id_fields = ["programme", "created_by"]
    date_hierarchy = "starts_at"
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "company_name", "event", "status", "walk_in", "attended_at"]
    list_filter = ["status", "walk_in"]
    search_fields = ["name", "company_name", "event__title"]
    raw_id_fields = ["event", "company", "checked_in_by"]
    list_select_related = ["event"]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        hidden = list(_SECRET_FIELDS)
        if not request.user.is_superuser:
            hidden.append("email")
        return hidden

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Searching by address would tell a non-superuser whose address it is.
        fields = list(self.search_fields)
        if request.user.is_superuser:
            fields.append("email")
        return fields


@admin.register(EventMessage)
class EventMessageAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["subject", "event", "segment", "created_at"]
    list_filter = ["segment"]
    search_fields = ["subject", "event__title"]
    raw_id_fields = ["event", "sent_by"]


@admin.register(EventMessageDelivery)
class EventMessageDeliveryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["message", "registration", "sent_at"]
    raw_id_fields = ["message", "registration"]
