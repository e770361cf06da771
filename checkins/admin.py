from django.contrib import admin

from checkins.models import CalendarFeed, CheckIn, CheckInReport, Rsvp


class RsvpInline(admin.TabularInline):
    model = Rsvp
    extra = 0
    raw_id_fields = ["user"]


@admin.register(CheckIn)
class CheckInAdmin(admin.ModelAdmin):
    list_display = ["title", "convoy", "starts_at", "status", "capacity", "sequence"]
    list_filter = ["status"]
    search_fields = ["title", "convoy__name"]
    raw_id_fields = ["convoy", "created_by"]
    readonly_fields = ["sequence"]
    inlines = [RsvpInline]


@admin.register(CheckInReport)
class CheckInReportAdmin(admin.ModelAdmin):
    list_display = ["checkin", "company", "author", "updated_at"]
    raw_id_fields = ["checkin", "company", "author"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    # The secret is not stored; nothing here can reveal a feed URL.
    list_display = ["user", "created_at", "revoked_at"]
    raw_id_fields = ["user"]
    exclude = ["nonce", "token_hash"]
