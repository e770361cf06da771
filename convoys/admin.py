from django.contrib import admin

from accounts.admin import ViewOnlyAdminMixin
from convoys.models import Convoy, Event, Facilitator, Invitation, Membership


class FacilitatorInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Facilitator
    extra = 0
    raw_id_fields = ["user"]


class MembershipInline(ViewOnlyAdminMixin, admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["company", "invitation"]


@admin.register(Convoy)
class ConvoyAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "timezone", "update_cadence_days", "last_event_seq"]
    list_filter = ["status", "language"]
    search_fields = ["name", "topic"]
    readonly_fields = ["last_event_seq"]
    inlines = [FacilitatorInline, MembershipInline]


@admin.register(Facilitator)
class FacilitatorAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["convoy", "user", "added_at"]
    raw_id_fields = ["convoy", "user"]


@admin.register(Membership)
class MembershipAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["convoy", "company", "status", "joined_at", "ended_at"]
    list_filter = ["status"]
    raw_id_fields = ["convoy", "company", "invitation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["convoy", "email", "created_at", "expires_at", "accepted_at", "revoked_at"]
    search_fields = ["email"]
    readonly_fields = ["token_hash"]
    raw_id_fields = ["convoy", "invited_by", "accepted_by", "company"]


@admin.register(Event)
class EventAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only and undeletable: the log is append-only and written by services; clients
    replay it by seq, so an entry removed here would silently rewrite history members saw."""

    list_display = ["convoy", "seq", "kind", "actor", "at"]
    list_filter = ["kind"]
    list_select_related = ["convoy", "actor"]
    raw_id_fields = ["convoy", "actor"]
