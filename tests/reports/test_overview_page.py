"""The page /programmes/<id>/convoys/: who may open it, what it shows (figures, badges, the
link for the convoys one moderates) and what it never shows (a convoy's content)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import ConvoyFactory, FacilitatorFactory, UpdateFactory
from tests.reports.test_overview_api import SECRETS, add_secrets
from tests.support.domain import domain_state


@pytest.fixture
def secrets(world, programme_world) -> None:
    add_secrets(world)


def page_url(programme_id: int) -> str:
    return reverse("frontend:programme_convoys", args=[programme_id])


def client_as(user, language: str = "en") -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    if user is not None:
        client.force_login(user)
    return client


def test_the_path_is_fixed(programme_world):
    assert page_url(programme_world.programme.pk) == (
        f"/programmes/{programme_world.programme.pk}/convoys/"
    )


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 302),
        ("outsider", 404),
        ("member", 404),
        ("outside_facilitator", 404),
        ("other_coach", 404),
        ("coach", 200),
        ("manager", 200),
    ],
)
def test_staff_of_the_programme_see_the_page_everyone_else_gets_404(
    world, programme_world, role, status
):
    user = None if role == "anonymous" else getattr(programme_world, role)
    client = client_as(user)  # logging in stamps last_login: before the snapshot
    before = domain_state()

    response = client.get(page_url(programme_world.programme.pk))

    assert response.status_code == status
    assert domain_state() == before
    if role == "anonymous":
        assert response["Location"].startswith(reverse("frontend:login"))
    if status == 200:
        assert world.convoy.name in response.content.decode()


def test_a_post_is_refused(programme_world):
    response = client_as(programme_world.manager).post(page_url(programme_world.programme.pk))
    assert response.status_code == 405


@pytest.mark.parametrize("role", ["coach", "manager"])
def test_staff_who_do_not_facilitate_see_figures_without_content_or_link(
    world,
    programme_world,
    secrets,
    role,
):
    page = (
        client_as(getattr(programme_world, role))
        .get(page_url(programme_world.programme.pk))
        .content.decode()
    )

    for secret in SECRETS:
        assert secret not in page
    assert world.convoy.name in page
    assert "Frieda Facil" in page
    assert "1 milestone blocked" in page
    assert "1 in progress, 0 done" in page
    assert reverse("frontend:convoy", args=[world.convoy.pk]) not in page
    assert 'data-testid="moderates-badge"' not in page


def test_a_facilitating_coach_gets_the_badge_and_the_link_but_no_content(
    world,
    programme_world,
    secrets,
):
    FacilitatorFactory(convoy=world.convoy, user=programme_world.coach)

    page = (
        client_as(programme_world.coach)
        .get(page_url(programme_world.programme.pk))
        .content.decode()
    )

    assert "You moderate this convoy" in page
    assert reverse("frontend:convoy", args=[world.convoy.pk]) in page
    for secret in SECRETS:
        assert secret not in page


def test_totals_filters_and_the_attendance_rule(world, programme_world):
    UpdateFactory(convoy=world.convoy, company=world.company, help_wanted=True)
    calm = ConvoyFactory(
        name="Ruhiger Konvoi", status="closed", programme=programme_world.programme
    )
    client = client_as(programme_world.manager)
    base = page_url(programme_world.programme.pk)

    page = client.get(base).content.decode()
    attention_only = client.get(base + "?attention=1").content.decode()
    closed_only = client.get(base + "?status=closed").content.decode()
    unknown = client.get(base + "?status=sunk").content.decode()

    assert 'data-testid="total-convoys">2<' in page
    assert 'data-testid="total-companies">1<' in page
    assert 'data-testid="total-attention">1<' in page
    assert "1 asks for help" in page
    assert 'data-testid="attendance-rule"' in page
    assert world.convoy.name in attention_only and calm.name not in attention_only
    assert calm.name in closed_only and world.convoy.name not in closed_only
    assert 'data-testid="total-convoys">2<' in closed_only  # totals stay programme-wide
    assert world.convoy.name in unknown and calm.name in unknown  # no filter


def test_an_empty_programme_says_so(programme_world):
    page = (
        client_as(programme_world.other_coach)
        .get(page_url(programme_world.other_programme.pk))
        .content.decode()
    )
    assert "This programme runs no convoys yet." in page


def test_the_page_is_in_german(world, programme_world):
    page = (
        client_as(programme_world.manager, "de")
        .get(page_url(programme_world.programme.pk))
        .content.decode()
    )
    assert "Nächstes Treffen" in page and "Letzte Aktivität" in page
    assert "Next check-in" not in page
