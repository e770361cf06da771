"""Agenda and notes are rendered once, when written, before the write transaction opens, and
stored; reading a check-in (API or page) never renders Markdown."""

from datetime import timedelta

import cmarkgfm
from django.apps import apps
from django.db import connection
from django.test import Client
from django.utils import timezone

import checkins.api.views
import checkins.markdown
import richtext.rendering
from checkins import services
from checkins.models import CheckIn
from checkins.services import checkin_notes_post, checkin_schedule, checkin_update


def _schedule(world, agenda="**Runde** <script>alert(1)</script>"):
    starts = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    return checkin_schedule(
        actor=world.facilitator,
        convoy=world.convoy,
        title="Check-in Oktober",
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        agenda=agenda,
    )


def test_agenda_and_notes_are_stored_rendered_when_written(world):
    checkin = _schedule(world)
    checkin.refresh_from_db()
    assert (
        checkin.agenda_html == "<p><strong>Runde</strong> &lt;script&gt;alert(1)&lt;/script&gt;</p>"
    )

    checkin_update(actor=world.facilitator, checkin=checkin, agenda="- eins\n- zwei")
    checkin.refresh_from_db()
    assert checkin.agenda_html == "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>"

    checkin_notes_post(
        actor=world.facilitator, checkin=checkin, notes=" [x](javascript:1) *Danke* "
    )
    checkin.refresh_from_db()
    assert "javascript" not in checkin.notes_html and "<em>Danke</em>" in checkin.notes_html


def _refuse_rendering(monkeypatch) -> None:
    """Any Markdown rendering from here on fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("Markdown rendered on a read")

    monkeypatch.setattr(cmarkgfm, "markdown_to_html", refuse)
    monkeypatch.setattr(richtext.rendering, "markdown_html", refuse)
    monkeypatch.setattr(richtext.rendering, "render", refuse)
    monkeypatch.setattr(checkins.markdown, "render", refuse)


def test_reads_never_render(world, client_for, monkeypatch):
    checkin = _schedule(world, agenda="*stored*")
    CheckIn.objects.filter(pk=checkin.pk).update(notes="notes", notes_html="<p>notes</p>")
    _refuse_rendering(monkeypatch)
    api = client_for(world.member).get(f"/api/v1/checkins/{checkin.pk}/")
    assert api.status_code == 200, api.content
    assert api.json()["agenda_html"] == "<p><em>stored</em></p>"
    assert api.json()["notes_html"] == "<p>notes</p>"
    listed = client_for(world.member).get(f"/api/v1/convoys/{world.convoy.pk}/checkins/")
    assert listed.json()["results"][0]["agenda_html"] == "<p><em>stored</em></p>"
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(world.member)
    page = web.get(f"/checkins/{checkin.pk}/")
    assert page.status_code == 200
    assert "<p><em>stored</em></p>" in page.content.decode()


def test_rendering_happens_before_the_write_transaction(transactional_db, world, monkeypatch):
    # SQLite (transaction_mode IMMEDIATE) takes its write lock at BEGIN: rendering inside the
    # transaction would block every other writer for as long as it takes.
    seen = []
    real = services.markdown_to_html

    def spy(text):
        seen.append(connection.in_atomic_block)
        return real(text)

    monkeypatch.setattr(services, "markdown_to_html", spy)
    checkin = _schedule(world)
    checkin_update(actor=world.facilitator, checkin=checkin, agenda="*neu*")
    checkin_notes_post(actor=world.facilitator, checkin=checkin, notes="*Danke*")
    assert seen == [False, False, False]
    checkin.refresh_from_db()
    assert checkin.agenda_html == "<p><em>neu</em></p>"
    assert checkin.notes_html == "<p><em>Danke</em></p>"


def test_the_migration_renders_existing_check_ins(world):
    from importlib import import_module

    migration = import_module("checkins.migrations.0002_checkin_rendered_html")
    checkin = _schedule(world, agenda="**alt**")
    CheckIn.objects.filter(pk=checkin.pk).update(agenda_html="", notes="*n*", notes_html="")
    migration.render_existing(apps, None)
    checkin.refresh_from_db()
    assert checkin.agenda_html == "<p><strong>alt</strong></p>"
    assert checkin.notes_html == "<p><em>n</em></p>"


def test_the_api_renders_before_its_own_transaction(
    transactional_db, world, client_for, monkeypatch
):
    # PATCH holds a transaction around change + cancellation: the agenda is rendered first.
    checkin = _schedule(world)
    seen = []
    real = services.markdown_to_html

    def spy(text):
        seen.append(connection.in_atomic_block)
        return real(text)

    monkeypatch.setattr(services, "markdown_to_html", spy)
    monkeypatch.setattr(checkins.api.views, "markdown_to_html", spy)
    response = client_for(world.facilitator).patch(
        f"/api/v1/checkins/{checkin.pk}/", {"agenda": "**neu**"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["agenda_html"] == "<p><strong>neu</strong></p>"
    assert seen == [False]
