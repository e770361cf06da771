"""Times of open events as people read them, in the active language: the programme's zone
in words ("Ortszeit Berlin" / "Berlin time", never the raw key "Europe/Berlin") and an
event's start and end written out. Used by the e-mails (events.mails) and the pages (through
the template filters in frontend.templatetags); imports nothing of the events app."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext


def zone_words(key: str) -> str:
    """The programme's zone as people say it: "Berlin time" / "Ortszeit Berlin"."""
    if key == "UTC":
        return _("UTC")
    city = key.rsplit("/", 1)[-1].replace("_", " ")
    return _("%(city)s time") % {"city": city}


def long_date(moment: datetime) -> str:
    """The day with its weekday, written out: "Mittwoch, 9. Juni 2027"."""
    # Translators: a date format of Django's date filter (l weekday, j day, F month, Y year).
    return formats.date_format(moment, pgettext("long date with weekday", "l, j F Y"))


def time_span(starts_at: datetime, ends_at: datetime, zone: str) -> str:
    """Start and end in the zone, in the active language: "Mittwoch, 10. Juni 2026,
    14:00–19:00 Uhr (Ortszeit Berlin)"."""
    tz = ZoneInfo(zone)
    start, end = starts_at.astimezone(tz), ends_at.astimezone(tz)
    words = zone_words(zone)
    if start.date() == end.date():
        return _("%(date)s, %(start)s–%(end)s (%(zone)s)") % {
            "date": long_date(start),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
            "zone": words,
        }
    return _("%(start)s to %(end)s (%(zone)s)") % {
        "start": f"{long_date(start)}, {start:%H:%M}",
        "end": f"{long_date(end)}, {end:%H:%M}",
        "zone": words,
    }
