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
    # agenda and notes change through the services, which store their rendered HTML with them
    # (and tell the convoy); an edit here would leave the stored HTML behind.
    readonly_fields = ["sequence", "agenda", "agenda_html", "notes", "notes_html"]
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
