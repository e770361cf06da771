"""Names and titles shown to others (presence, mentions, feeds, e-mail subjects, calendars)
are one line of visible text: line breaks, direction controls and invisible-only strings are
refused with a field error, everything else is stored normalised (NFC, trimmed, one space)."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts.models import User
from accounts.services import user_register, user_update
from accounts.text import name_clean
from companies.models import Company
from companies.services import company_create
from convoys.models import Convoy, Event
from projects.models import Milestone, Project
from tests.factories import MilestoneFactory

SINGLE_LINE = "Please write this on a single line."
CONTROLS = (
    "This contains invisible control characters (for example text-direction marks or "
    "zero-width spaces). Please remove them."
)
VISIBLE = "Please enter visible characters."
BAD = {
    "line feed": ("Anna\nModeratorin", SINGLE_LINE),
    "carriage return": ("Anna\rX", SINGLE_LINE),
    "line separator": ("Anna\u2028X", SINGLE_LINE),
    "right-to-left override": ("Max\u202egnp.exe", CONTROLS),
    "left-to-right embedding": ("\u202aAnna\u202c", CONTROLS),
    "isolate": ("\u2067Anna\u2069", CONTROLS),
    "direction mark": ("Anna\u200f", CONTROLS),
    "zero-width spaces only": ("\u200b\u200b", CONTROLS),
    "word joiner only": ("\u2060", CONTROLS),
    "byte order mark": ("\ufeffAnna", CONTROLS),
    "NUL": ("An\x00na", CONTROLS),
    "joiners only": ("\u200c\u200d", VISIBLE),
    # Found by the review: format characters beyond the first list, and blanks that Unicode
    # calls letters or symbols.
    "soft hyphen": ("\u00ad", CONTROLS),
    "deprecated format control": ("Max\u206eEvil", CONTROLS),
    "invisible operators": ("\u2061\u2062", CONTROLS),
    "tag characters": ("\U000e0041\U000e0042", CONTROLS),
    "musical format control": ("\U0001d173", CONTROLS),
    "Hangul filler only": ("\u3164", VISIBLE),
    "Hangul choseong/jungseong fillers": ("\u115f\u1160", VISIBLE),
    "blank Braille pattern only": ("\u2800", VISIBLE),
    "combining grapheme joiner only": ("\u034f", VISIBLE),
    "variation selector only": ("\ufe0f", VISIBLE),
    "Khmer inherent vowel only": ("\u17b4", VISIBLE),
    "Mongolian variation selector only": ("\u180b", VISIBLE),
}
# (DRF's CharField refuses NUL itself, with its own message.)
BAD_API = {key: bad for key, bad in BAD.items() if key != "NUL"}
GOOD = "Müller-Lüdenscheid & Söhne GmbH"


@pytest.mark.parametrize(("value", "message"), BAD.values(), ids=BAD.keys())
def test_the_rule_refuses(value, message):
    with translation.override("en"), pytest.raises(ValidationError) as excinfo:
        name_clean(value, field="title")
    with translation.override("en"):
        assert excinfo.value.message_dict == {"title": [message]}


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (GOOD, GOOD),
        ("  Anna \t  Schmidt ", "Anna Schmidt"),
        ("Mu\u0308ller", "Müller"),  # decomposed umlaut → NFC
        ("Anna\u00a0Schmidt", "Anna Schmidt"),
        ("\U0001f468\u200d\U0001f373 Koch", "\U0001f468\u200d\U0001f373 Koch"),  # emoji ZWJ
        ("محمد", "محمد"),  # right-to-left script itself is fine
        ("Zoe\u2800", "Zoe"),  # a trailing blank that is not whitespace to Unicode
        ("\u2764\ufe0f Herz", "\u2764\ufe0f Herz"),  # emoji with its variation selector
    ],
)
def test_the_rule_normalises(value, stored):
    assert name_clean(value) == stored


# --- every name field, over the API: 400 naming the field, nothing written --------------------


def _state():
    return (
        sorted(User.objects.values_list("name", flat=True)),
        sorted(Company.objects.values_list("name", flat=True)),
        sorted(Convoy.objects.values_list("name", flat=True)),
        sorted(Project.objects.values_list("title", flat=True)),
        sorted(Milestone.objects.values_list("title", flat=True)),
        Event.objects.count(),
    )


def _requests(world, content, value):
    """(who, method, url, body, field) for every API write of a name or title."""
    milestone = MilestoneFactory(project=content.project, title="Vorher")
    return [
        (
            None,
            "post",
            "/api/v1/auth/register/",
            {"email": "neu@example.com", "password": "ein langes Passwort 42", "name": value},
            "name",
        ),
        (world.member, "patch", "/api/v1/me/", {"name": value}, "name"),
        (
            world.owner,
            "post",
            "/api/v1/companies/",
            {"name": value, "sector": "craft", "size": "2-9", "city": "Hagen"},
            "name",
        ),
        (world.owner, "patch", f"/api/v1/companies/{world.company.pk}/", {"name": value}, "name"),
        (
            world.owner,
            "post",
            "/api/v1/convoys/",
            {"name": value, "timezone": "Europe/Berlin", "update_cadence_days": 14},
            "name",
        ),
        (
            world.facilitator,
            "patch",
            f"/api/v1/convoys/{world.convoy.pk}/",
            {"name": value},
            "name",
        ),
        (
            world.owner,
            "post",
            "/api/v1/projects/",
            {"company": world.company.pk, "title": value, "category": "ecommerce"},
            "title",
        ),
        (
            world.owner,
            "patch",
            f"/api/v1/projects/{content.project.pk}/",
            {"title": value},
            "title",
        ),
        (
            world.owner,
            "post",
            f"/api/v1/projects/{content.project.pk}/milestones/",
            {"title": value},
            "title",
        ),
        (world.owner, "patch", f"/api/v1/milestones/{milestone.pk}/", {"title": value}, "title"),
    ]


@pytest.mark.parametrize(("value", "message"), BAD_API.values(), ids=BAD_API.keys())
def test_every_name_field_refuses_over_the_api(value, message, world, content, client_for):
    for who, method, url, body, field in _requests(world, content, value):
        before = _state()
        response = getattr(client_for(who), method)(
            url, body, format="json", HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 400, (url, response.content)
        assert response.json() == {field: [message]}, (url, response.json())
        assert _state() == before, url


def test_every_name_field_accepts_a_german_company_name(world, content, client_for):
    for who, method, url, body, field in _requests(world, content, "  " + GOOD + "  "):
        response = getattr(client_for(who), method)(url, body, format="json")
        assert response.status_code in (200, 201), (url, response.content)
        if field in response.json():
            assert response.json()[field] == GOOD, url
    assert User.objects.filter(email="neu@example.com", name=GOOD).exists()
    assert Company.objects.filter(name=GOOD).count() == 2


def test_services_are_the_one_write_path(world):
    with pytest.raises(ValidationError):
        user_register(email="x@example.com", password="ein langes Passwort 42", name="A\u202eB")
    with pytest.raises(ValidationError):
        user_update(user=world.member, name="\u200b")
    with pytest.raises(ValidationError):
        company_create(actor=world.owner, name="A\nB", sector="craft", size="2-9", city="Hagen")
