"""Account services: registration (normalised e-mail, password rules, unique @handle),
profile changes, API tokens."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import HANDLE_PATTERN, User
from accounts.services import user_register, user_update
from tests.factories import UserFactory

PASSWORD = "S3cure-enough!"


def _register(name="Anna Schmidt", email=None, **kwargs):
    email = email or f"person{User.objects.count()}@example.com"
    return user_register(email=email, password=PASSWORD, name=name, **kwargs)


def test_register_normalises_the_address_and_hashes_the_password(db):
    user = user_register(email="  Anna@Example.COM ", password=PASSWORD, name=" Anna ")
    assert user.email == "anna@example.com"
    assert user.name == "Anna"
    assert user.check_password(PASSWORD)
    assert user.password != PASSWORD


def test_register_refuses_a_known_address_in_any_case(db):
    _register(email="anna@example.com")
    with pytest.raises(ValidationError) as exc:
        _register(email="ANNA@example.com")
    assert "email" in exc.value.message_dict
    assert User.objects.count() == 1


@pytest.mark.parametrize("password", ["12345678", "password", "short", "anna.schmidt"])
def test_register_refuses_weak_passwords(db, password):
    with pytest.raises(ValidationError) as exc:
        user_register(email="anna.schmidt@example.com", password=password, name="Anna Schmidt")
    assert "password" in exc.value.message_dict
    assert not User.objects.exists()


def test_register_refuses_an_unknown_time_zone(db):
    with pytest.raises(ValidationError) as exc:
        _register(timezone="Mars/Olympus")
    assert "timezone" in exc.value.message_dict


def test_handles_are_allocated_uniquely(db):
    handles = [_register("Anna Schmidt").handle for _ in range(4)]
    assert handles == ["anna_schmidt", "anna_schmidt2", "anna_schmidt3", "anna_schmidt4"]


def test_a_handle_prefix_does_not_block_the_shorter_handle(db):
    UserFactory(handle="anna_schmidt2")
    UserFactory(handle="anna_schmidtke")
    assert User.objects.handle_allocate(name="Anna Schmidt") == "anna_schmidt"


def test_gaps_in_numbered_handles_are_reused(db):
    UserFactory(handle="anna")
    UserFactory(handle="anna3")
    assert User.objects.handle_allocate(name="Anna") == "anna2"


@pytest.mark.parametrize(
    ("name", "handle"),
    [
        ("Jürgen Müller-Lüdenscheidt", "jurgen_muller_ludenscheidt"),
        ("李小龙", "user"),
        ("A", "a_x"),
        ("  --Ölbaum GmbH & Co. KG--  ", "olbaum_gmbh_co_kg"),
        ("x" * 80, "x" * 26),
    ],
)
def test_handles_are_valid_for_any_name(db, name, handle):
    allocated = User.objects.handle_allocate(name=name)
    assert allocated == handle
    assert re.fullmatch(HANDLE_PATTERN, allocated)


def test_the_database_refuses_a_duplicate_handle(db):
    UserFactory(handle="anna")
    with pytest.raises(IntegrityError):
        UserFactory(handle="anna")


def test_user_update_changes_only_what_is_given(db):
    user = UserFactory(name="Alt", language="de", timezone="Europe/Berlin")
    user_update(user=user, language="en")
    user.refresh_from_db()
    assert (user.name, user.language, user.timezone) == ("Alt", "en", "Europe/Berlin")
    with pytest.raises(ValidationError) as exc:
        user_update(user=user, timezone="Berlin")
    assert "timezone" in exc.value.message_dict
    with pytest.raises(ValidationError):
        user_update(user=user, name="  ")


def test_sign_up_and_createsuperuser_write_through_the_one_manager_method(db, monkeypatch):
    from accounts.models import UserManager

    calls = []
    create_user = UserManager.create_user

    def spy(self, email, password=None, **fields):
        calls.append(email)
        return create_user(self, email, password, **fields)

    monkeypatch.setattr(UserManager, "create_user", spy)
    user = _register(name="Anna Schmidt", email="Anna@Example.com")
    admin = User.objects.create_superuser("Root@Example.com", PASSWORD, name="Anna Schmidt")
    assert calls == ["anna@example.com", "Root@Example.com"]
    assert (user.handle, admin.handle) == ("anna_schmidt", "anna_schmidt2")
    assert admin.email == "root@example.com" and admin.is_superuser and admin.is_staff
