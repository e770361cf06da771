# Agenda and notes are rendered once when written and stored; this renders the existing ones.

from django.db import migrations, models


def render_existing(apps, schema_editor):
    # The current renderer on purpose: stored HTML must be what a write would store now.
    from checkins.markdown import markdown_to_html

    CheckIn = apps.get_model("checkins", "CheckIn")
    batch = []
    rows = CheckIn.objects.exclude(agenda="", notes="").only("pk", "agenda", "notes")
    for checkin in rows.iterator(chunk_size=500):
        checkin.agenda_html = markdown_to_html(checkin.agenda)
        checkin.notes_html = markdown_to_html(checkin.notes)
        batch.append(checkin)
        if len(batch) == 500:
            CheckIn.objects.bulk_update(batch, ["agenda_html", "notes_html"])
            batch = []
    CheckIn.objects.bulk_update(batch, ["agenda_html", "notes_html"])


class Migration(migrations.Migration):
    dependencies = [
        ("checkins", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="agenda_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="checkin",
            name="notes_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop),
    ]
