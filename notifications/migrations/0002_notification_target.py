"""Notifications store what they are about (target type, id, anchor), not a web-UI path.

The old rows' paths are parsed into targets; a path that names no known page keeps no target
(its link becomes the start page, as "/" was)."""

import re

from django.db import migrations, models

# The web-UI paths the domain used to store, and the target each names.
_PATHS = [
    (re.compile(r"^/convoys/(\d+)/"), "convoy"),
    (re.compile(r"^/projects/(\d+)/"), "project"),
    (re.compile(r"^/checkins/(\d+)/"), "checkin"),
]
_ANCHOR = re.compile(r"#([A-Za-z0-9_-]{1,64})$")


def target_from_url(url: str) -> tuple[str, int | None, str]:
    for pattern, target_type in _PATHS:
        match = pattern.match(url or "")
        if match:
            anchor = _ANCHOR.search(url)
            return target_type, int(match.group(1)), anchor.group(1) if anchor else ""
    return "", None, ""


def fill_targets(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    batch = []
    for notification in (
        Notification.objects.exclude(url="").only("pk", "url").iterator(chunk_size=2000)
    ):
        target_type, target_id, anchor = target_from_url(notification.url)
        if not target_type:
            continue
        notification.target_type, notification.target_id = target_type, target_id
        notification.anchor = anchor
        batch.append(notification)
        if len(batch) >= 2000:
            Notification.objects.bulk_update(batch, ["target_type", "target_id", "anchor"])
            batch = []
    if batch:
        Notification.objects.bulk_update(batch, ["target_type", "target_id", "anchor"])


def fill_urls(apps, schema_editor):
    """Backwards: the paths the web UI had when this migration was written."""
    Notification = apps.get_model("notifications", "Notification")
    paths = {"convoy": "/convoys/{}/", "project": "/projects/{}/", "checkin": "/checkins/{}/"}
    batch = []
    for notification in Notification.objects.exclude(target_type="").iterator(chunk_size=2000):
        path = paths.get(notification.target_type)
        if path is None:
            continue
        url = path.format(notification.target_id)
        if notification.target_type == "project" and notification.convoy_id:
            url += f"?convoy={notification.convoy_id}"
        notification.url = url + (f"#{notification.anchor}" if notification.anchor else "")
        batch.append(notification)
    Notification.objects.bulk_update(batch, ["url"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="target_type",
            field=models.CharField(
                blank=True,
                choices=[
                    ("convoy", "Convoy"),
                    ("project", "Project"),
                    ("checkin", "Check-in"),
                    ("invitation", "Invitation"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="target_id",
            field=models.PositiveBigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="notification",
            name="anchor",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.RunPython(fill_targets, fill_urls),
        migrations.RemoveField(
            model_name="notification",
            name="url",
        ),
    ]
