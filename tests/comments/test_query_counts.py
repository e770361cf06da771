"""Threads do not make pages or lists grow in queries: the convoy page with its update feed
and threads, the project page with milestone threads, and the comments list are pinned to the
same count with 3 and with 30 companies / comments (replies and reactions included)."""

import pytest
from django.test import Client

from comments.models import Comment, Reaction
from comments.selectors import facilitated_convoy_ids
from projects.models import Milestone, Project, Update
from tests.factories import (
    CommentFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    FacilitatorFactory,
    UserFactory,
    populate_convoy,
)

# The fast loop (`make test-fast`) runs the small size only; the suite runs both.
SIZES = [3, pytest.param(30, marks=pytest.mark.slow)]


def _comment_on(convoy, target_type, target_id, people, size):
    """`size` comments, every other one a reply, each with two reactions."""
    previous = None
    for i in range(size):
        comment = CommentFactory(
            convoy=convoy,
            target_type=target_type,
            target_id=target_id,
            author=people[i % len(people)],
            parent=previous if i % 2 else None,
            body=f"Kommentar {i} @x",
            body_html=f'<p>Kommentar {i} <span class="mention">@x</span></p>',
        )
        for person in people[:2]:
            Reaction.objects.create(comment=comment, user=person, emoji="👍")
        previous = comment


@pytest.fixture(params=SIZES, ids=lambda n: f"{n} companies and comments")
def sized(request, db):
    size = request.param
    viewer = UserFactory(name="Vera Viewer")
    convoy = ConvoyFactory(name="Großer Konvoi")
    FacilitatorFactory(convoy=convoy, user=viewer)
    companies = populate_convoy(convoy, companies=size)
    CompanyMemberFactory(company=companies[0], user=viewer, role="member")
    people = [UserFactory() for _ in range(3)]
    for update in Update.objects.filter(convoy=convoy):
        _comment_on(convoy, "update", update.pk, people, size)
    project = Project.objects.filter(company=companies[0]).order_by("id").first()
    _comment_on(convoy, "project", project.pk, people, size)
    for milestone in Milestone.objects.filter(project=project):
        _comment_on(convoy, "milestone", milestone.pk, people, size)
    return {"size": size, "viewer": viewer, "convoy": convoy, "project": project}


def test_convoy_page_with_threads(sized, django_assert_num_queries):
    client = Client()
    client.force_login(sized["viewer"])
    client.get(f"/convoys/{sized['convoy'].pk}/")  # the dashboard payload is cached per seq
    # session · user · convoy (+ role) · recent events · my companies · upcoming check-ins ·
    # updates with company and author · comments · reactions · unread notifications (badge);
    # since issue 12 also the first-steps guide of the viewer's company (my companies again,
    # its people, its shared projects, their milestones, whether it posted: 5) and the
    # companies the facilitator already nudged today (1); since issue 16 the convoy's
    # Digitalisierungs-Check median (1). The same at both sizes.
    with django_assert_num_queries(17):
        response = client.get(f"/convoys/{sized['convoy'].pk}/")
    assert response.status_code == 200
    assert (
        response.content.decode().count('data-testid="comment"')
        == min(10, 2 * sized["size"]) * sized["size"]
    )


def test_project_page_with_threads(sized, django_assert_num_queries):
    client = Client()
    client.force_login(sized["viewer"])
    # session · user · project with progress · milestones · convoys · role · visible convoys ·
    # comments of project and milestones · reactions · moderator · unread notifications;
    # since issue 12 also the first-steps guide of the viewer's company (5, as on the
    # dashboard). The same at both sizes. Measured warm: the header's programmes entry asks
    # once per person and keeps the answer in the cache (frontend/templatetags/programme_nav).
    client.get("/")
    with django_assert_num_queries(16):
        response = client.get(f"/projects/{sized['project'].pk}/")
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="comment"') == 4 * sized["size"]


def test_comments_list(sized, client_for, django_assert_num_queries):
    update = Update.objects.filter(convoy=sized["convoy"]).order_by("id").first()
    client = client_for(sized["viewer"])
    # target · convoys where the viewer sees it · facilitated convoys · count · page · reactions
    with django_assert_num_queries(6):
        response = client.get(
            "/api/v1/comments/", {"target_type": "update", "target_id": update.pk}
        )
    assert response.json()["count"] == sized["size"]
    assert all(row["reactions"] == {"👍": 2} for row in response.json()["results"])


def test_thread_selector_is_two_queries(sized, django_assert_num_queries):
    from comments.selectors import threads_for_targets

    updates = list(Update.objects.filter(convoy=sized["convoy"]).values_list("pk", flat=True))
    with django_assert_num_queries(2):
        threads = threads_for_targets(
            user=sized["viewer"],
            convoy_id=sized["convoy"].pk,
            targets=[("update", pk) for pk in updates],
        )
    assert (
        sum(len(t) for t in threads.values())
        == Comment.objects.filter(target_type="update").count()
    )
    assert facilitated_convoy_ids(user=sized["viewer"]) == {sized["convoy"].pk}
