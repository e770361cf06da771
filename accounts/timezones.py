"""Which time zones a person or a convoy may choose: the one rule, used by the models'
validator and by the forms that offer the zones.

The IANA database also holds names nobody lives in or that only survive for old systems:
`Factory`, `localtime`, `posixrules`, `posix/…` and `right/…` copies, `Etc/GMT+1` (with its
inverted sign), and deprecated links such as `US/Eastern`, `GB` or `Europe/Kiev`. The zones
offered are those of `zone.tab` (one entry per country and region, kept by the tz maintainers),
plus UTC. A name outside that list is refused, so a list shown by a form and the rule applied
by the service can never disagree.
"""

import functools
import importlib.resources
import zoneinfo

# The zones the people of the programmes live in, offered first (in this order).
COMMON_TIMEZONES = (
    "Europe/Berlin",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/Brussels",
    "Europe/Amsterdam",
    "Europe/Paris",
    "Europe/Copenhagen",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Rome",
    "Europe/Madrid",
    "Europe/London",
    "UTC",
)


def _zone_tab() -> str:
    # The tzdata package ships with the app (requirements.lock); the system copy is a fallback.
    try:
        return importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError):
        for root in zoneinfo.TZPATH:
            try:
                with open(f"{root}/zone.tab", encoding="utf-8") as fh:
                    return fh.read()
            except OSError:
                continue
    return ""


@functools.cache
def selectable_timezones() -> frozenset[str]:
    """Every zone a person may choose (IANA names that zoneinfo can load)."""
    available = zoneinfo.available_timezones()
    listed = {
        line.split("\t")[2]
        for line in _zone_tab().splitlines()
        if line and not line.startswith("#") and line.count("\t") >= 2
    }
    return frozenset((listed | {"UTC"}) & available) or frozenset(available)


def timezone_is_selectable(name: str) -> bool:
    return name in selectable_timezones()


# What people type for the common zones in German or English (besides the IANA city names).
_CITY_NAMES = {
    "wien": "Europe/Vienna",
    "zürich": "Europe/Zurich",
    "zuerich": "Europe/Zurich",
    "luxemburg": "Europe/Luxembourg",
    "brüssel": "Europe/Brussels",
    "bruessel": "Europe/Brussels",
    "kopenhagen": "Europe/Copenhagen",
    "warschau": "Europe/Warsaw",
    "prag": "Europe/Prague",
    "rom": "Europe/Rome",
    "deutschland": "Europe/Berlin",
    "germany": "Europe/Berlin",
    "österreich": "Europe/Vienna",
    "austria": "Europe/Vienna",
    "schweiz": "Europe/Zurich",
    "switzerland": "Europe/Zurich",
}


def _key(text: str) -> str:
    return "_".join(text.strip().casefold().split())


def timezone_for(text: str) -> str:
    """The zone a person means by what they typed: an IANA name as it is ("Europe/Berlin"),
    else a city of a selectable zone ("berlin", "New York") or a German name of a common one
    ("Wien"). Returns the text unchanged when nothing matches, for the validator to refuse."""
    text = text.strip()
    zones = selectable_timezones()
    if text in zones:
        return text
    key = _key(text)
    if key in _CITY_NAMES:
        return _CITY_NAMES[key]
    by_city = {zone.rsplit("/", 1)[-1].casefold(): zone for zone in sorted(zones, reverse=True)}
    by_full = {zone.casefold(): zone for zone in zones}
    return by_full.get(key) or by_city.get(key) or text
