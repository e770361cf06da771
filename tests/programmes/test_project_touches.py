"""A project's status stamps started_at/completed_at and touches the register of every
programme running one of its convoys."""

import pytest

from programmes.models import CompanyRecord, Stage, Touch, TouchKind
from projects.services import project_create, project_update
from tests.factories import ConvoyFactory, MembershipFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _touches(programme, project):
    return set(
        Touch.objects.filter(programme=programme, source=f"project:{project.pk}").values_list(
            "kind", flat=True
        )
    )


def _create(world, status):
    return project_create(
        actor=world.owner,
        company=world.company,
        title="Online-Terminbuchung",
        category="appointments",
        status=status,
    )


def test_planned_project_stamps_nothing_and_touches_nobody(programme_world, world):
    project = _create(world, "planned")
    assert (project.started_at, project.completed_at) == (None, None)
    assert _touches(programme_world.programme, project) == set()


def test_in_progress_start_stamps_and_touches(programme_world, world):
    pw = programme_world
    project = _create(world, "in_progress")
    assert project.started_at is not None and project.completed_at is None
    assert _touches(pw.programme, project) == {TouchKind.PROJECT_STARTED}
    pw.record.refresh_from_db()
    assert pw.record.stage == Stage.PROJECT_STARTED
    # The project's title is convoy content: the register keeps only the kind.
    assert (pw.record.last_touch_kind, pw.record.last_touch_label) == ("project_started", "")
    assert _touches(pw.other_programme, project) == set()


def test_done_directly_stamps_both(programme_world, world):
    pw = programme_world
    project = _create(world, "done")
    assert project.started_at is not None and project.completed_at is not None
    assert _touches(pw.programme, project) == {"project_started", "project_completed"}
    pw.record.refresh_from_db()
    assert pw.record.stage == Stage.PROJECT_COMPLETED


def test_update_through_the_statuses(programme_world, world):
    pw = programme_world
    project = _create(world, "idea")
    project_update(actor=world.owner, project=project, status="in_progress")
    started = project.started_at
    assert started is not None
    project_update(actor=world.owner, project=project, status="paused")
    project_update(actor=world.owner, project=project, status="in_progress")
    assert project.started_at == started  # only the first time

    project_update(actor=world.owner, project=project, status="done")
    project.refresh_from_db()
    assert project.completed_at is not None
    assert _touches(pw.programme, project) == {"project_started", "project_completed"}
    started_touch = Touch.objects.get(source=f"project:{project.pk}", kind="project_started")
    assert started_touch.at == started

    project_update(actor=world.owner, project=project, status="in_progress")
    project.refresh_from_db()
    assert project.completed_at is None
    assert project.started_at == started
    # What happened stays in the register; the funnel only moves on.
    assert _touches(pw.programme, project) == {"project_started", "project_completed"}


def test_each_programme_of_the_project_convoys_is_touched(programme_world, world):
    pw = programme_world
    second = ConvoyFactory(programme=pw.other_programme)
    MembershipFactory(convoy=second, company=world.company)
    third_programme = ProgrammeFactory()
    project = project_create(
        actor=world.owner,
        company=world.company,
        title="Webshop",
        category="ecommerce",
        status="in_progress",
        convoy_ids=[world.convoy.pk],
    )
    assert _touches(pw.other_programme, project) == set()

    project_update(actor=world.owner, project=project, convoy_ids=[world.convoy.pk, second.pk])

    assert _touches(pw.programme, project) == {"project_started"}
    assert _touches(pw.other_programme, project) == {"project_started"}
    assert CompanyRecord.objects.filter(
        programme=pw.other_programme, company=world.company
    ).exists()
    assert not Touch.objects.filter(programme=third_programme).exists()


def test_project_outside_programme_convoys_touches_nothing(world):
    project = _create(world, "done")
    assert not Touch.objects.filter(source=f"project:{project.pk}").exists()
