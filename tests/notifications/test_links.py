"""Notifications store what they are about (target type, id, anchor); the interface builds
the link: the web UI's builder, the API's `target` and backwards-compatible `url`, e-mails
with SITE_URL, and the migration that turned the old stored paths into targets."""

import importlib

import pytest
from django.db import transaction

from notifications.links import Target, link_path, link_url, notification_path
from notifications.models import Notification
from notifications.services import notify

migration = importlib.import_module("notifications.migrations.0002_notification_target")


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/convoys/7/", ("convoy", 7, "")),
        ("/convoys/7/#comment-12", ("convoy", 7, "comment-12")),
        ("/projects/3/?convoy=7#comment-12", ("project", 3, "comment-12")),
        ("/checkins/5/", ("checkin", 5, "")),
        ("/checkins/5/#comment-9", ("checkin", 5, "comment-9")),
        ("/", ("", None, "")),
        ("", ("", None, "")),
    ],
)
def test_the_migration_reads_old_paths_as_targets(url, target):
    assert migration.target_from_url(url) == target


def test_the_web_ui_builds_the_links(settings):
    settings.SITE_URL = "https://konvoi.example"
    assert link_path(Target(type="convoy", id=7, anchor="comment-1")) == "/convoys/7/#comment-1"
    assert link_path(Target(type="project", id=3, convoy_id=7)) == "/projects/3/?convoy=7"
    assert link_path(Target(type="checkin", id=5)) == "/checkins/5/"
    assert link_path(Target(type="invitation", token="abc")) == "/invitations/abc/"
    assert link_path(Target(type="invitation", id=4)) == "/"  # no token: no link
    assert link_path(None) == "/"
    assert link_url(Target(type="preferences")) == "https://konvoi.example/notifications/settings/"


@pytest.mark.django_db
def test_the_api_returns_the_target_and_the_web_link(world, client_for):
    with transaction.atomic():
        notify(
            recipient_ids=[world.owner.pk],
            kind="mention",
            actor=world.member,
            convoy_id=world.convoy.pk,
            target_type="convoy",
            target_id=world.convoy.pk,
            anchor="comment-3",
            data={"excerpt": "Hallo", "target_title": "Update"},
        )
    row = client_for(world.owner).get("/api/v1/notifications/").json()["results"][0]
    assert row["target"] == {"type": "convoy", "id": world.convoy.pk, "anchor": "comment-3"}
    assert row["url"] == f"/convoys/{world.convoy.pk}/#comment-3"
    stored = Notification.objects.get(recipient=world.owner)
    assert notification_path(stored) == row["url"]


def test_an_unknown_target_is_refused(world):
    with pytest.raises(ValueError), transaction.atomic():
        notify(
            recipient_ids=[world.owner.pk],
            kind="mention",
            actor=world.member,
            convoy_id=None,
            target_type="elsewhere",
            data={},
        )


@pytest.mark.django_db(transaction=True)
def test_the_migration_moves_old_rows_to_targets(world):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("notifications", "0001_initial")]
    after = [("notifications", "0002_notification_target")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps.get_model("notifications", "Notification")
    rows = {
        url: old.objects.create(
            recipient_id=world.owner.pk,
            kind="mention",
            convoy_id=world.convoy.pk,
            url=url,
            created_at=world.convoy.created_at,
        ).pk
        for url in (f"/convoys/{world.convoy.pk}/#comment-4", "/checkins/9/", "/")
    }
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())  # back to now
    moved = {
        url: Notification.objects.values_list("target_type", "target_id", "anchor").get(pk=pk)
        for url, pk in rows.items()
    }
    assert moved == {
        f"/convoys/{world.convoy.pk}/#comment-4": ("convoy", world.convoy.pk, "comment-4"),
        "/checkins/9/": ("checkin", 9, ""),
        "/": ("", None, ""),
    }
