"""The activity feed says what happened, with the company and the project or milestone by
name, for every kind of event (never just "changed")."""

from datetime import date

import pytest
from django.utils import translation
from django.utils.formats import date_format

from convoys.events import EventKind
from convoys.models import Event
from frontend.templatetags.konvoi import EVENT_SENTENCES, event_sentence

COMPANY = {"id": 1, "name": "Blumen Berger"}
PROJECT = {"id": 2, "title": "Online booking", "status": "in_progress", "company": COMPANY}
MILESTONE = {
    "id": 3,
    "title": "Pick a tool",
    "status": "planned",
    "due_date": "2026-11-29",
    "project": {"id": 2, "title": "Online booking"},
    "company": COMPANY,
}
UPDATE = {"id": 4, "company": COMPANY, "help_wanted": False}


def _sentence(kind, data, language="en"):
    with translation.override(language):
        return event_sentence(Event(kind=kind, data=data))


@pytest.mark.parametrize(
    ("kind", "data", "sentence"),
    [
        (
            "project.updated",
            {"project": PROJECT, "changed": ["title"]},
            "Blumen Berger edited the project “Online booking”.",
        ),
        (
            "project.updated",
            {"project": PROJECT | {"status": "done"}, "changed": ["status"]},
            "Blumen Berger set the project “Online booking” to “Done”.",
        ),
        (
            "project.updated",
            {"project": PROJECT, "unshared": True},
            "Blumen Berger stopped sharing the project “Online booking” with the convoy.",
        ),
        (
            "project.archived",
            {"project": PROJECT},
            "Blumen Berger archived the project “Online booking”.",
        ),
        (
            "project.deleted",
            {"project": PROJECT},
            "Blumen Berger deleted the project “Online booking”.",
        ),
        (
            "project.shared",
            {"project": PROJECT},
            "Blumen Berger shared the project “Online booking” with the convoy.",
        ),
        (
            "project.unshared",
            {"project": PROJECT},
            "Blumen Berger stopped sharing the project “Online booking” with the convoy.",
        ),
        (
            "milestone.completed",
            {"milestone": MILESTONE | {"status": "done"}},
            "Blumen Berger completed the milestone “Pick a tool” in “Online booking”.",
        ),
        (
            "milestone.updated",
            {"milestone": MILESTONE | {"status": "blocked"}},
            "Blumen Berger set the milestone “Pick a tool” in “Online booking” to blocked.",
        ),
        (
            "milestone.updated",
            {"milestone": MILESTONE | {"status": "in_progress"}, "changed": ["status"]},
            "Blumen Berger set the milestone “Pick a tool” in “Online booking” to “In progress”.",
        ),
        (
            "milestone.updated",
            {"milestone": MILESTONE | {"status": "blocked"}, "changed": ["title"]},
            "Blumen Berger edited the milestone “Pick a tool” in “Online booking”.",
        ),
        (
            "milestone.deleted",
            {"milestone": MILESTONE},
            "Blumen Berger deleted the milestone “Pick a tool” in “Online booking”.",
        ),
        (
            "update.edited",
            {"update": UPDATE, "changed": ["body"]},
            "Blumen Berger edited its update.",
        ),
        (
            "update.edited",
            {"update": UPDATE | {"help_wanted": True}, "changed": ["help_wanted"]},
            "Blumen Berger edited its update and is now looking for help.",
        ),
        ("update.deleted", {"update": UPDATE}, "Blumen Berger deleted an update."),
    ],
)
def test_each_change_is_told_with_names(kind, data, sentence):
    assert _sentence(kind, data) == sentence


def test_every_project_milestone_and_update_kind_has_its_own_sentence():
    kinds = [
        value
        for name, value in vars(EventKind).items()
        if name.startswith(("PROJECT_", "MILESTONE_", "UPDATE_"))
    ]
    assert len(kinds) >= 12
    assert set(kinds) <= set(EVENT_SENTENCES)
    for kind in kinds:
        text = _sentence(kind, {"project": PROJECT, "milestone": MILESTONE, "update": UPDATE})
        assert "Blumen Berger" in text
        assert "changed" not in text


def test_a_moved_due_date_is_told_in_the_language_s_date_format():
    text = _sentence("milestone.updated", {"milestone": MILESTONE, "changed": ["due_date"]})
    with translation.override("en"):
        when = date_format(date(2026, 11, 29), "SHORT_DATE_FORMAT")
    assert text == f"Blumen Berger moved the milestone “Pick a tool” in “Online booking” to {when}."


def test_a_due_date_reads_as_a_german_date_in_german():
    text = _sentence("milestone.updated", {"milestone": MILESTONE, "changed": ["due_date"]}, "de")
    assert "29.11.2026" in text
