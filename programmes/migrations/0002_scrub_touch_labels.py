"""Scrub free text that should never have been in the register's touch labels: the titles of
projects (convoy content, visible to every programme staff member, and kept after the project
was unshared or deleted) and the names of staff members who recorded a company (kept after
their account was deleted). Project and `recorded` touches now carry no label; the kind says
what happened. Service touches carried their kind's label in the language of whoever recorded
them; they now carry the kind's wire value ("voucher"), translated where shown."""

from django.conf import settings
from django.db import migrations
from django.utils import translation

SCRUBBED_KINDS = ("project_started", "project_completed", "recorded")
SERVICE_KINDS = {
    "visit": "On-site visit",
    "consultation": "Consultation",
    "workshop": "Workshop",
    "check_review": "Check review",
    "convoy": "Convoy",
    "voucher": "Voucher",
    "other": "Other",
}


def _service_kind_of_label() -> dict[str, str]:
    """Every language's label of a service kind → the kind's wire value."""
    labels: dict[str, str] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in SERVICE_KINDS.items():
                labels[translation.gettext(label)] = value
    return labels


def scrub(apps, schema_editor):
    Touch = apps.get_model("programmes", "Touch")
    CompanyRecord = apps.get_model("programmes", "CompanyRecord")
    Touch.objects.filter(kind__in=SCRUBBED_KINDS).exclude(label="").update(label="")
    CompanyRecord.objects.filter(first_touch_kind__in=SCRUBBED_KINDS).exclude(
        first_touch_label=""
    ).update(first_touch_label="")
    CompanyRecord.objects.filter(last_touch_kind__in=SCRUBBED_KINDS).exclude(
        last_touch_label=""
    ).update(last_touch_label="")
    for label, value in _service_kind_of_label().items():
        if label == value:
            continue
        Touch.objects.filter(kind="service", label=label).update(label=value)
        CompanyRecord.objects.filter(first_touch_kind="service", first_touch_label=label).update(
            first_touch_label=value
        )
        CompanyRecord.objects.filter(last_touch_kind="service", last_touch_label=label).update(
            last_touch_label=value
        )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
