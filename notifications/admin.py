"""Support's view of delivery: "was my reminder e-mailed?" is answered by searching the
recipient's e-mail address here.

Notifications (reminders included: their delivery row is the notification with a `key`) and
digest deliveries are logs written by the sweep and the senders: view-only, so nobody edits
the evidence or makes the sweep send something twice. Preferences stay editable for support.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.admin import ViewOnlyAdminMixin
from notifications.models import (
    Channel,
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationPreference,
    Nudge,
)


class ReadOnlyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """A log: listed and viewed, never added, changed or deleted through the admin."""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "recipient_email",
        "kind",
        "channel",
        "created_at",
        "email_state",
        "emailed_at",
        "read_at",
    ]
    list_filter = ["kind", "channel"]
    search_fields = ["recipient__email", "key"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    show_full_result_count = False  # a COUNT(*) over the whole log per page is not needed

    @admin.display(description=_("recipient"), ordering="recipient__email")
    def recipient_email(self, obj: Notification) -> str:
        return obj.recipient.email

    @admin.display(description=_("e-mail state"))
    def email_state(self, obj: Notification) -> str:
        if obj.emailed_at:
            return _("e-mailed")
        if obj.channel == Channel.EMAIL:
            return _("sending") if obj.email_claimed_at else _("due")
        if obj.digest_id:
            return _("in a digest")
        if obj.channel in {Channel.DAILY, Channel.WEEKLY}:
            return _("waiting for the digest")
        return _("in the app only")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["id", "user_email", "channel", "period", "created_at", "sent_at"]
    list_filter = ["channel"]
    search_fields = ["user__email", "period"]
    list_select_related = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description=_("recipient"), ordering="user__email")
    def user_email(self, obj: DigestDelivery) -> str:
        return obj.user.email


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "channel"]
    list_filter = ["kind", "channel"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(DeliverySettings)
class DeliverySettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "quiet_from", "quiet_until", "weekends"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(ConvoyMute)
class ConvoyMuteAdmin(admin.ModelAdmin):
    list_display = ["user", "convoy", "until"]
    search_fields = ["user__email", "convoy__name"]
    list_select_related = ["user", "convoy"]
    raw_id_fields = ["user", "convoy"]


@admin.register(Nudge)
class NudgeAdmin(ReadOnlyAdmin):
    """Who asked which company for an update, when: the record behind "one nudge a day"."""

    list_display = ["day", "company", "convoy", "actor", "created_at"]
    search_fields = ["company__name", "convoy__name", "actor__email"]
    list_select_related = ["company", "convoy", "actor"]
    date_hierarchy = "created_at"
