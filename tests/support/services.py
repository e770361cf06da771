"""Which services the suite runs on, and the rule for tests that need one: skip locally when it
is missing, fail under CI=true, where it must be there."""

import os

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def uses_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def require_postgres() -> None:
    """Skip locally without PostgreSQL; fail in CI, where it must be there."""
    if uses_postgres():
        return
    message = "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)
