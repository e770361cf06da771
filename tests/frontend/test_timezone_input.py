"""The time-zone field takes what people type: "Berlin", "Wien", "new york" name their zones
(the newcomer review typed "Berlin", as the help text suggests, and was refused)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.timezones import timezone_for
from frontend.timezones import TimezoneField


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        ("Europe/Berlin", "Europe/Berlin"),
        ("Berlin", "Europe/Berlin"),
        (" berlin ", "Europe/Berlin"),
        ("Wien", "Europe/Vienna"),
        ("Zürich", "Europe/Zurich"),
        ("zurich", "Europe/Zurich"),
        ("New York", "America/New_York"),
        ("europe/vienna", "Europe/Vienna"),
        ("UTC", "UTC"),
    ],
)
def test_a_typed_city_names_its_zone(typed, zone):
    assert timezone_for(typed) == zone
    assert TimezoneField().clean(typed) == zone


@pytest.mark.parametrize("typed", ["Factory", "US/Eastern", "Mars/Olympus", "Atlantis"])
def test_what_names_no_selectable_zone_is_refused(typed):
    with pytest.raises(ValidationError):
        TimezoneField().clean(typed)


def test_the_common_zones_are_offered_with_their_city_in_the_reader_s_language():
    with translation.override("de"):
        html = TimezoneField().widget.render("timezone", "Europe/Berlin")
    assert '<option value="Europe/Vienna">Wien (Österreich)</option>' in html
    assert '<option value="America/New_York"></option>' in html
