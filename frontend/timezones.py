"""The time-zone field of the web forms (profile, notification settings, convoy form).

A text input with a suggestion list (`<input list>` + `<datalist>`): the zones Konvoi's people
live in come first, every other zone follows A–Z, and typing any part of a name ("Vienna")
narrows the list on phones and desktops alike. What may be chosen is
decided once, in accounts.timezones, which the models' validator uses as well: a zone the form
suggests is always one the service accepts, and the junk names (`Factory`, `US/…`, `Etc/…`)
are in neither.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import validate_timezone
from accounts.timezones import COMMON_TIMEZONES, selectable_timezones, timezone_for

# The common zones' cities as people say them, shown next to the IANA name in the list.
_CITY_LABELS = {
    "Europe/Berlin": _("Berlin (Germany)"),
    "Europe/Vienna": _("Vienna (Austria)"),
    "Europe/Zurich": _("Zurich (Switzerland)"),
    "Europe/Luxembourg": _("Luxembourg"),
    "Europe/Brussels": _("Brussels (Belgium)"),
    "Europe/Amsterdam": _("Amsterdam (Netherlands)"),
    "Europe/Paris": _("Paris (France)"),
    "Europe/Copenhagen": _("Copenhagen (Denmark)"),
    "Europe/Warsaw": _("Warsaw (Poland)"),
    "Europe/Prague": _("Prague (Czechia)"),
    "Europe/Rome": _("Rome (Italy)"),
    "Europe/Madrid": _("Madrid (Spain)"),
    "Europe/London": _("London (United Kingdom)"),
    "UTC": _("UTC (coordinated universal time)"),
}


def timezone_choices() -> list[str]:
    """The selectable zones in the order offered: the common ones first, then the rest A–Z."""
    return [*COMMON_TIMEZONES, *sorted(selectable_timezones() - set(COMMON_TIMEZONES))]


class TimezoneInput(forms.TextInput):
    template_name = "frontend/profile/timezone_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["list_id"] = f"{widget['attrs'].get('id') or name}-zones"
        widget["attrs"]["list"] = widget["list_id"]
        widget["zones"] = [(zone, _CITY_LABELS.get(zone, "")) for zone in timezone_choices()]
        return context


class TimezoneField(forms.CharField):
    """A time zone by its IANA name, checked by the same rule as the models."""

    widget = TimezoneInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("initial", "Europe/Berlin")
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", _("Type a city, for example Berlin, Vienna or Zurich."))
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def to_python(self, value: Any) -> str:
        # "Berlin" or "Wien" is what people type; the zone it names is what is stored.
        text = super().to_python(value)
        return timezone_for(text) if text else text

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value:
            validate_timezone(value)
