"""The project pages: one-screen creation with first milestones and sharing by default, edit,
archive, restore, delete after a confirmation page, "mark the project as done", weights shown
when unequal, milestone and update edit/delete; outsiders get 404, peers 403."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from convoys.models import Event
from projects.models import Milestone, Project, Update
from tests.factories import (
    CommentFactory,
    MembershipFactory,
    MilestoneFactory,
    ProjectFactory,
    UpdateFactory,
)
from tests.support.domain import domain_state


def client_as(user: User | None, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def _kinds(convoy):
    return list(Event.objects.filter(convoy=convoy).order_by("seq").values_list("kind", flat=True))


@pytest.fixture
def project(world):
    return ProjectFactory(
        company=world.company, convoys=[world.convoy], title="Webshop", status="in_progress"
    )


# --- create ---


def test_create_form_one_convoy_shows_one_ticked_box_and_no_preselected_category(world):
    page = text(
        client_as(world.member).get(reverse("frontend:project_create", args=[world.company.pk]))
    )
    assert 'name="share"' in page
    assert re.search(r'<input type="checkbox" name="share"[^>]* checked', page)
    assert 'name="convoys"' not in page
    assert world.convoy.name in page
    assert '<option value="" selected>' in page  # "Please choose", nothing silently chosen
    assert 'name="milestone_3_title"' in page


def test_create_form_several_convoys_ticks_them_all(world):
    second = MembershipFactory(company=world.company).convoy
    page = text(
        client_as(world.member).get(reverse("frontend:project_create", args=[world.company.pk]))
    )
    for convoy in (world.convoy, second):
        assert re.search(rf'name="convoys" value="{convoy.pk}"[^>]* checked', page)
    assert page.count('name="convoys"') == 2


def test_create_with_first_milestones_in_one_screen(world):
    response = client_as(world.member).post(
        reverse("frontend:project_create", args=[world.company.pk]),
        {
            "title": "Online-Termine",
            "category": "appointments",
            "status": "in_progress",
            "share": "on",
            "milestone_1_title": "Tool wählen",
            "milestone_1_due_date": "2027-01-15",
            "milestone_2_title": "",
            "milestone_3_title": "Live gehen",
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("frontend:project", args=[project.pk])
    assert [m.title for m in project.milestones.order_by("id")] == ["Tool wählen", "Live gehen"]
    assert str(project.milestones.order_by("id")[0].due_date) == "2027-01-15"
    assert list(project.convoys.all()) == [world.convoy]
    assert _kinds(world.convoy) == ["project.created", "milestone.created", "milestone.created"]


def test_create_requires_a_category(world):
    response = client_as(world.member).post(
        reverse("frontend:project_create", args=[world.company.pk]),
        {"title": "X", "category": "", "status": "planned", "share": "on"},
    )
    assert response.status_code == 200
    assert not Project.objects.exists()


def test_create_unticked_keeps_it_private(world):
    client_as(world.member).post(
        reverse("frontend:project_create", args=[world.company.pk]),
        {"title": "Intern", "category": "cloud", "status": "planned"},
    )
    assert list(Project.objects.get().convoys.all()) == []
    assert Event.objects.count() == 0


def test_a_due_date_without_title_is_an_error_and_creates_nothing(world):
    client = client_as(world.member)
    before = domain_state()
    response = client.post(
        reverse("frontend:project_create", args=[world.company.pk]),
        {
            "title": "X",
            "category": "cloud",
            "status": "planned",
            "share": "on",
            "milestone_2_due_date": "2027-01-01",
        },
    )
    assert response.status_code == 200
    assert 'id="id_milestone_2_title_error"' in text(response)
    assert domain_state() == before


# --- edit and sharing ---


def test_edit_changes_fields_and_unshares(world, project):
    client = client_as(world.member)
    url = reverse("frontend:project_edit", args=[project.pk])
    page = text(client.get(url))
    assert 'value="Webshop"' in page
    response = client.post(
        url,
        {
            "title": "Shop",
            "category": project.category,
            "status": "paused",
            "description": "",
            "start_date": "",
            "target_date": "",
            # "share" unticked: the project leaves the convoy
        },
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.title, project.status) == ("Shop", "paused")
    assert list(project.convoys.all()) == []
    assert _kinds(world.convoy) == ["project.unshared"]


def test_edit_shares_with_a_second_convoy(world, project):
    second = MembershipFactory(company=world.company).convoy
    client_as(world.owner).post(
        reverse("frontend:project_edit", args=[project.pk]),
        {
            "title": "Webshop",
            "category": project.category,
            "status": project.status,
            "convoys": [world.convoy.pk, second.pk],
        },
    )
    assert set(project.convoys.all()) == {world.convoy, second}
    assert _kinds(second) == ["project.shared"]
    assert _kinds(world.convoy) == []


@pytest.mark.parametrize(
    ("name", "method", "expected"),
    [
        ("project_edit", "get", 403),
        ("project_archive", "post", 403),
        ("project_delete", "get", 403),
        ("project_delete", "post", 403),
        ("project_complete", "post", 403),
    ],
)
def test_a_peer_may_look_but_not_change(world, project, name, method, expected):
    # The facilitator sees the project (shared with the convoy) but is not of the company.
    peer, outsider = client_as(world.facilitator), client_as(world.outsider)
    before = domain_state()
    url = reverse(f"frontend:{name}", args=[project.pk])
    assert getattr(peer, method)(url).status_code == expected
    assert getattr(outsider, method)(url).status_code == 404
    assert domain_state() == before


# --- done, archive, delete ---


def test_mark_done_is_offered_when_all_milestones_are_done(world, project):
    client = client_as(world.member)
    url = reverse("frontend:project", args=[project.pk])
    milestone = MilestoneFactory(project=project, status="in_progress")
    assert 'data-testid="offer-done"' not in text(client.get(url))
    Milestone.objects.filter(pk=milestone.pk).update(
        status="done", completed_at="2026-11-01T10:00Z"
    )
    page = text(client.get(url))
    assert 'data-testid="offer-done"' in page
    project.refresh_from_db()
    assert project.status == "in_progress"  # never set automatically
    assert 'data-testid="offer-done"' not in text(client_as(world.facilitator).get(url))
    response = client.post(reverse("frontend:project_complete", args=[project.pk]))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == "done"
    assert 'data-testid="offer-done"' not in text(client.get(url))


def test_archive_and_restore(world, project):
    client = client_as(world.owner)
    client.post(reverse("frontend:project_archive", args=[project.pk]))
    project.refresh_from_db()
    assert project.archived_at is not None
    page = text(client.get(reverse("frontend:project", args=[project.pk])))
    assert 'data-testid="project-archived"' in page
    assert 'data-testid="project-restore"' in page
    client.post(reverse("frontend:project_restore", args=[project.pk]))
    project.refresh_from_db()
    assert project.archived_at is None
    assert _kinds(world.convoy) == ["project.archived", "project.updated"]


def test_delete_asks_first_and_says_what_goes(world, project):
    milestone = MilestoneFactory(project=project)
    MilestoneFactory(project=project)
    CommentFactory(convoy=world.convoy, target_type="milestone", target_id=milestone.pk)
    client = client_as(world.member)
    url = reverse("frontend:project_delete", args=[project.pk])
    page = text(client.get(url))
    assert "its 2 milestones and the comments on them" in page
    assert Project.objects.exists()  # the GET deleted nothing
    response = client.post(url)
    assert response["Location"] == reverse("frontend:company", args=[world.company.pk])
    assert not Project.objects.exists()
    assert not Milestone.objects.exists()
    assert _kinds(world.convoy) == ["project.deleted"]


def test_delete_page_in_german(world, project):
    page = text(
        client_as(world.member, "de").get(reverse("frontend:project_delete", args=[project.pk]))
    )
    assert "Webshop" in page
    assert 'lang="de"' in page


# --- weights ---


def test_weights_are_shown_only_when_unequal(world, project):
    client = client_as(world.member)
    url = reverse("frontend:project", args=[project.pk])
    MilestoneFactory(project=project, weight=1, status="done", completed_at="2026-11-01T10:00Z")
    MilestoneFactory(project=project, weight=1)
    assert 'data-testid="milestone-weight"' not in text(client.get(url))
    MilestoneFactory(project=project, weight=3)
    page = text(client.get(url))
    assert "weight 3" in page
    assert "20 % by weight" in page  # 1 of 5


# --- milestones ---


def test_milestone_edit_and_delete(world, project):
    milestone = MilestoneFactory(project=project, title="Alt")
    client = client_as(world.member)
    response = client.post(
        reverse("frontend:milestone_edit", args=[milestone.pk]),
        {"title": "Neu", "due_date": "2027-02-01", "status": "blocked", "weight": 2},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.status, milestone.weight) == ("Neu", "blocked", 2)
    url = reverse("frontend:milestone_delete", args=[milestone.pk])
    assert "the comments on it" in text(client.get(url))
    client.post(url)
    assert not Milestone.objects.exists()
    assert _kinds(world.convoy) == ["milestone.updated", "milestone.deleted"]


def test_milestone_edit_refused_for_peers_and_outsiders(world, project):
    milestone = MilestoneFactory(project=project)
    url = reverse("frontend:milestone_edit", args=[milestone.pk])
    assert client_as(world.facilitator).get(url).status_code == 403
    assert client_as(world.outsider).get(url).status_code == 404
    assert (
        client_as(world.outsider)
        .post(reverse("frontend:milestone_delete", args=[milestone.pk]))
        .status_code
        == 404
    )


# --- updates ---


def test_update_edit_and_delete_by_its_author(world):
    update = UpdateFactory(
        convoy=world.convoy, company=world.company, author=world.member, body="Alt"
    )
    client = client_as(world.member)
    url = reverse("frontend:update_edit", args=[update.pk])
    assert "Alt" in text(client.get(url))
    response = client.post(url, {"body": "Neu", "next_steps": "", "stuck_on": ""})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.body == "Neu"
    client.post(reverse("frontend:update_delete", args=[update.pk]))
    assert not Update.objects.exists()
    assert _kinds(world.convoy) == ["update.edited", "update.deleted"]


def test_update_edit_refused_for_a_colleague_and_404_for_outsiders(world):
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    url = reverse("frontend:update_edit", args=[update.pk])
    colleague, outsider = client_as(world.member), client_as(world.outsider)
    other = client_as(world.other_member)
    before = domain_state()
    assert colleague.post(url, {"body": "x"}).status_code == 403
    assert outsider.post(url, {"body": "x"}).status_code == 404
    assert other.get(url).status_code == 404
    assert domain_state() == before
    # A company owner may edit a colleague's update.
    colleagues = UpdateFactory(convoy=world.convoy, company=world.company, author=world.member)
    assert (
        client_as(world.owner)
        .get(reverse("frontend:update_edit", args=[colleagues.pk]))
        .status_code
        == 200
    )


def test_update_edit_shows_an_empty_body_as_an_error(world):
    update = UpdateFactory(convoy=world.convoy, company=world.company, author=world.member)
    response = client_as(world.member).post(
        reverse("frontend:update_edit", args=[update.pk]), {"body": "   "}
    )
    assert response.status_code == 200
    assert Event.objects.count() == 0


# --- queries ---


def test_project_page_queries_do_not_grow(world):
    client = client_as(world.member)

    def count(size: int) -> int:
        project = ProjectFactory(company=world.company, convoys=[world.convoy])
        for n in range(size):
            milestone = MilestoneFactory(project=project, weight=1 + n % 3)
            CommentFactory(convoy=world.convoy, target_type="milestone", target_id=milestone.pk)
        url = reverse("frontend:project", args=[project.pk])
        client.get(url)  # warm the session and the caches
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(2) == count(12)


def test_an_archived_project_leaves_the_company_page_list(world, project):
    ProjectFactory(company=world.company, convoys=[world.convoy], title="Kasse")
    project.archived_at = "2026-11-01T10:00Z"
    project.save()
    url = reverse("frontend:company", args=[world.company.pk])
    page = text(client_as(world.member).get(url))
    listed = page.split('data-testid="company-projects"')[1].split("</ul>")[0]
    assert "Kasse" in listed
    assert "Webshop" not in listed
    archived = page.split('data-testid="archived-projects"')[1].split("</details>")[0]
    assert "Webshop" in archived
    facilitator_page = text(client_as(world.facilitator).get(url))
    assert "Webshop" not in facilitator_page
    assert "Kasse" in facilitator_page


def test_the_dashboard_offers_the_author_to_edit_their_update(world):
    mine = UpdateFactory(convoy=world.convoy, company=world.company, author=world.member)
    theirs = UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner)
    page = text(client_as(world.member).get(reverse("frontend:convoy", args=[world.convoy.pk])))
    assert reverse("frontend:update_edit", args=[mine.pk]) in page
    assert reverse("frontend:update_edit", args=[theirs.pk]) not in page


def test_the_delete_page_says_the_convoy_is_told_only_when_it_is(world, project):
    client = client_as(world.member)
    told = "The convoy is told that it was deleted."
    assert told in text(client.get(reverse("frontend:project_delete", args=[project.pk])))
    private = ProjectFactory(company=world.company, convoys=[])
    assert told not in text(client.get(reverse("frontend:project_delete", args=[private.pk])))
