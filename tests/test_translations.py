"""The translation catalogs: German is complete, keeps every placeholder and addresses people
formally; the committed .mo files are what the .po files compile to."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
PO_FILES = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
DE_PO = LOCALE / "de" / "LC_MESSAGES" / "django.po"

PYTHON_PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
# "du", "dich", "dein…" have no place in Konvoi's German: we address people as "Sie".
INFORMAL = re.compile(r"\b(du|dich|dir|dein\w*|euch|euer)\b", re.IGNORECASE)


def _entries(po: polib.POFile) -> list[polib.POEntry]:
    return [e for e in po if not e.obsolete and e.msgid]


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[k] for k in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(pattern: re.Pattern[str], text: str) -> set[str]:
    return set(pattern.findall(text)) - {"%%"}


@pytest.fixture(scope="module")
def de() -> polib.POFile:
    return polib.pofile(str(DE_PO))


def test_catalogs_exist_for_both_languages():
    assert {p.parts[-3] for p in PO_FILES} == {"de", "en"}


def test_every_german_message_is_translated_and_not_fuzzy(de):
    assert not de.metadata_is_fuzzy
    untranslated = [e.msgid for e in _entries(de) if not all(_translations(e))]
    fuzzy = [e.msgid for e in _entries(de) if "fuzzy" in e.flags]
    assert untranslated == []
    assert fuzzy == []
    assert len(_entries(de)) > 100  # the catalog covers the project, not a stub


def test_german_plurals_have_both_forms(de):
    assert de.metadata["Plural-Forms"].startswith("nplurals=2;")
    for entry in _entries(de):
        if entry.msgid_plural:
            assert len(entry.msgstr_plural) == 2, entry.msgid


@pytest.mark.parametrize(
    ("flag", "pattern"),
    [("python-format", PYTHON_PLACEHOLDER), ("python-brace-format", BRACE_PLACEHOLDER)],
)
def test_placeholders_are_preserved(de, flag, pattern):
    checked = 0
    for entry in _entries(de):
        if flag not in entry.flags:
            continue
        for translation in _translations(entry):
            source = entry.msgid_plural if entry.msgid_plural else entry.msgid
            expected = _placeholders(pattern, source) | _placeholders(pattern, entry.msgid)
            # A singular form may drop the number ("updates every day"); it may not invent one.
            assert _placeholders(pattern, translation) <= expected, entry.msgid
            if not entry.msgid_plural:
                assert _placeholders(pattern, translation) == expected, entry.msgid
        checked += 1
    assert flag == "python-brace-format" or checked > 10


def test_german_addresses_people_formally(de):
    informal = [e.msgstr for e in _entries(de) for t in _translations(e) if INFORMAL.search(t)]
    assert informal == []


@pytest.mark.parametrize("po_path", PO_FILES, ids=lambda p: p.parts[-3])
def test_committed_mo_matches_the_po(po_path, tmp_path):
    """The .mo files are committed (so that running needs no gettext); they must be current."""
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run compilemessages"
    fresh = tmp_path / "fresh.mo"
    polib.pofile(str(po_path)).save_as_mofile(str(fresh))

    def messages(path: Path) -> set[tuple]:
        return {
            (e.msgctxt, e.msgid, e.msgid_plural, e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in polib.mofile(str(path))
            if e.msgid and (e.msgstr or any(e.msgstr_plural.values()))
        }

    assert messages(mo_path) == messages(fresh)


# "Inhaber:in", "ein:e", "Kolleg:innen": Konvoi's German uses neutral or paired forms instead.
COLON_FORM = re.compile(r"\w:(in|innen|e|n|r)\b")


def test_german_uses_no_colon_gender_forms(de):
    colon_forms = [t for e in _entries(de) for t in _translations(e) if COLON_FORM.search(t)]
    assert colon_forms == []


# The German glossary (issue 12): a company is an "Unternehmen" (casually a "Betrieb"), never a
# "Firma"; a handle is a "Benutzername"; a convoy meeting is a "Treffen" in German text.
FORBIDDEN_WORDS = {
    "Firma": re.compile(r"Firm(a|en)", re.IGNORECASE),
    "Kürzel": re.compile(r"Kürzel", re.IGNORECASE),
    "Check-in": re.compile(r"Check-?in", re.IGNORECASE),
}


@pytest.mark.parametrize("word", sorted(FORBIDDEN_WORDS))
def test_german_keeps_to_the_glossary(de, word):
    pattern = FORBIDDEN_WORDS[word]
    found = [t for e in _entries(de) for t in _translations(e) if pattern.search(t)]
    assert found == []


# Words shown side by side that must read differently in German: a person's RSVP status is not
# the meeting's state ("Declined" is "Abgesagt", a cancelled check-in "Fällt aus"), and the
# RSVP statuses are told apart from each other.
MUST_DIFFER = [
    ("Declined", "Cancelled"),
    ("Confirmed", "Declined"),
    ("Confirmed", "On the waitlist"),
    ("Declined", "Tentative"),
    ("confirmed", "waitlist"),
    ("Quiet", "Update due"),
]

# Where the glossary fixes the German word for a msgid, the catalogue says exactly that.
GLOSSARY = {
    "Company": "Unternehmen",
    "Companies": "Unternehmen",
    "handle": "Benutzername",
    "Check-in": "Treffen",
    "Confirmed": "Zugesagt",
    "Declined": "Abgesagt",
    "Tentative": "Vielleicht",
    "Maybe": "Vielleicht",
    "On the waitlist": "Auf der Warteliste",
    "Cancelled": "Fällt aus",
    "Quiet": "Lange kein Update",
    "Help wanted": "Hilfe gesucht",
    "Blocked": "Blockiert",
    "Milestone": "Meilenstein",
    "Update": "Update",
    "Owner": "Inhaberin oder Inhaber",
    "Member": "Mitglied",
}


def _msgstr(po: polib.POFile, msgid: str) -> str | None:
    entry = po.find(msgid)
    return entry.msgstr if entry is not None and not entry.obsolete else None


@pytest.mark.parametrize(("first", "second"), MUST_DIFFER)
def test_german_tells_apart_what_english_tells_apart(de, first, second):
    german = (_msgstr(de, first), _msgstr(de, second))
    if None in german:
        pytest.skip(f"{first!r} or {second!r} is no longer in the catalogue")
    assert german[0] != german[1]


def test_german_uses_the_glossary_words(de):
    # A msgid the code no longer uses may leave the catalogue; most of the glossary stays.
    present = {msgid: _msgstr(de, msgid) for msgid in GLOSSARY if _msgstr(de, msgid) is not None}
    assert len(present) >= len(GLOSSARY) - 3
    assert present == {msgid: GLOSSARY[msgid] for msgid in present}


def test_the_reset_mail_says_what_it_is_for(de):
    assert _msgstr(de, "Reset your Konvoi password") == "Passwort für Konvoi zurücksetzen"


# "Moderator:innen", "Kolleg*innen", "Inhaber/in", "Teilnehmer_innen": neither star, slash nor
# underscore forms either.
OTHER_GENDER_FORMS = re.compile(r"\w[*/_](in|innen)\b|\w\(in(nen)?\)|\wInnen\b")


def test_german_uses_no_star_slash_or_binnen_i_gender_forms(de):
    forms = [t for e in _entries(de) for t in _translations(e) if OTHER_GENDER_FORMS.search(t)]
    assert forms == []
