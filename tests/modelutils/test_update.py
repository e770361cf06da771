"""model_update: only the changed columns are written, and nothing when nothing changed; the
partial updates of the services go through it, so a stale copy does not overwrite a column
somebody else changed meanwhile."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from checkins.models import CheckIn, CheckInReport
from checkins.services import checkin_update, report_file
from modelutils.update import model_update
from notifications.models import DeliverySettings
from notifications.services import preferences_update
from projects.models import Milestone, Project
from projects.services import milestone_update, project_update
from tests.factories import CheckInFactory, MilestoneFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def _updates(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]


def test_model_update_writes_only_changed_columns_and_auto_now(world):
    project = ProjectFactory(
        created_by=world.owner, company=world.company, title="Alt", description="D"
    )
    with CaptureQueriesContext(connection) as ctx:
        changed = model_update(project, data={"title": "Neu", "description": "D"})
    assert changed == ["title"]
    [sql] = _updates(ctx.captured_queries)
    assert '"title"' in sql and '"updated_at"' in sql and '"description"' not in sql
    project.refresh_from_db()
    assert project.title == "Neu"


def test_model_update_nothing_changed_writes_nothing(world):
    project = ProjectFactory(created_by=world.owner, company=world.company, title="Alt")
    with CaptureQueriesContext(connection) as ctx:
        assert model_update(project, data={"title": "Alt"}) == []
    assert ctx.captured_queries == []


def test_model_update_derived_fields_are_saved_but_not_reported(world):
    milestone = MilestoneFactory(
        project=ProjectFactory(created_by=world.owner, company=world.company), weight=1
    )
    changed = model_update(milestone, data={"weight": 2}, also=lambda c: {"title": "Folge"})
    assert changed == ["weight"]
    milestone.refresh_from_db()
    assert (milestone.weight, milestone.title) == (2, "Folge")


def test_project_update_keeps_a_column_changed_meanwhile(world):
    project = ProjectFactory(
        created_by=world.owner, company=world.company, title="Alt", description="alt"
    )
    stale = Project.objects.get(pk=project.pk)
    Project.objects.filter(pk=project.pk).update(description="neu von nebenan")
    project_update(actor=world.owner, project=stale, title="Neu")
    project.refresh_from_db()
    assert (project.title, project.description) == ("Neu", "neu von nebenan")


def test_milestone_update_keeps_a_column_changed_meanwhile(world):
    milestone = MilestoneFactory(
        project=ProjectFactory(created_by=world.owner, company=world.company), title="Alt"
    )
    stale = Milestone.objects.get(pk=milestone.pk)
    Milestone.objects.filter(pk=milestone.pk).update(weight=5)
    with CaptureQueriesContext(connection) as ctx:
        milestone_update(actor=world.owner, milestone=stale, title="Neu")
    [sql] = [s for s in _updates(ctx.captured_queries) if "projects_milestone" in s]
    assert '"weight"' not in sql
    milestone.refresh_from_db()
    assert (milestone.title, milestone.weight) == ("Neu", 5)


def test_checkin_update_writes_only_what_changed(world):
    checkin = CheckInFactory(convoy=world.convoy, location="Hagen")
    with CaptureQueriesContext(connection) as ctx:
        checkin_update(actor=world.facilitator, checkin=checkin, title="Neuer Titel")
    [sql] = [s for s in _updates(ctx.captured_queries) if "checkins_checkin" in s.split("SET")[0]]
    assert '"title"' in sql and '"sequence"' in sql and '"updated_at"' in sql
    assert '"location"' not in sql and '"agenda_html"' not in sql
    assert CheckIn.objects.get(pk=checkin.pk).sequence == checkin.sequence + 1


def test_report_filed_again_writes_only_the_report_columns(world):
    checkin = CheckInFactory(convoy=world.convoy)
    report_file(actor=world.owner, checkin=checkin, company=world.company, moved="Erstens")
    with CaptureQueriesContext(connection) as ctx:
        report_file(actor=world.member, checkin=checkin, company=world.company, moved="Zweitens")
    [sql] = [s for s in _updates(ctx.captured_queries) if "checkins_checkinreport" in s]
    assert '"checkin_id"' not in sql and '"company_id"' not in sql
    report = CheckInReport.objects.get(checkin=checkin)
    assert (report.author, report.moved) == (world.member, "Zweitens")


def test_delivery_settings_write_only_what_was_given(world):
    DeliverySettings.objects.create(user=world.owner, weekends=False)
    with CaptureQueriesContext(connection) as ctx:
        preferences_update(user=world.owner, weekends=True)
    [sql] = [s for s in _updates(ctx.captured_queries) if "deliverysettings" in s]
    assert '"quiet_from"' not in sql
    assert DeliverySettings.objects.get(user=world.owner).weekends is True
