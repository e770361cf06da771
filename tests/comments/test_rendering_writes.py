"""A comment's Markdown is rendered before the write transaction opens (SQLite takes its write
lock at BEGIN, so rendering inside would block every other writer); mentions are resolved
inside against the convoy's people, and an edit reads the earlier mentions from the stored
HTML instead of rendering the old body again."""

from django.db import connection

import richtext.rendering
from comments import services
from comments.services import comment_create, comment_update
from tests.support.notifications import notifications_of


def test_rendering_happens_before_the_write_transaction(
    transactional_db, world, update, monkeypatch
):
    seen = []
    real = services.markdown_html

    def spy(body):
        seen.append(connection.in_atomic_block)
        return real(body)

    monkeypatch.setattr(services, "markdown_html", spy)
    comment = comment_create(
        actor=world.member, target_type="update", target_id=update.pk, body="*Hallo* @olaf"
    )
    comment_update(actor=world.member, comment=comment, body="*Hallo* @olaf und @frieda")
    assert seen == [False, False]
    comment.refresh_from_db()
    assert comment.body_html == (
        '<p><em>Hallo</em> <span class="mention">@olaf</span> und '
        '<span class="mention">@frieda</span></p>'
    )


def test_an_edit_renders_only_the_new_body(world, update, monkeypatch):
    comment = comment_create(
        actor=world.member, target_type="update", target_id=update.pk, body="@olaf schau mal"
    )
    rendered = []
    real = richtext.rendering.markdown_html

    def spy(body):
        rendered.append(body)
        return real(body)

    monkeypatch.setattr(services, "markdown_html", spy)
    comment_update(actor=world.member, comment=comment, body="@olaf und @frieda, schaut mal")
    assert rendered == ["@olaf und @frieda, schaut mal"]
    # Olaf was mentioned before: told once; Frieda is new: told now.
    assert [kind for kind, _key in notifications_of(world.owner)] == ["mention"]
    assert [kind for kind, _key in notifications_of(world.facilitator)] == ["mention"]
