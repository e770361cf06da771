"""Open events in the admin: view-only, registrants' e-mail addresses for superusers only,
the token's nonce for nobody."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.urls import reverse

from events.models import OpenEvent, Registration
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _support(client):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_registration", "view_openevent"])
    )
    client.force_login(user)
    return user


def test_registrations_are_view_only(programme_world, rf):
    for model in (OpenEvent, Registration):
        model_admin = admin.site._registry[model]
        request = rf.get("/")
        request.user = UserFactory(is_superuser=True, is_staff=True)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)


def test_email_for_superusers_only_and_never_the_nonce(programme_world, client):
    registration = programme_world.registration
    url = reverse("admin:events_registration_change", args=[registration.pk])
    _support(client)
    page = client.get(url).content.decode()
    assert "Rita Registrant" in page
    assert "rita@holzwurm.example" not in page
    assert registration.token_nonce not in page
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(url).content.decode()
    assert "rita@holzwurm.example" in page
    assert registration.token_nonce not in page and registration.token_hash not in page
