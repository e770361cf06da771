"""The platform's live transport (live/): group names, sending after commit, and that it
knows no domain app. Plain unit tests: no server, no Redis."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

import live.publish
from accounts.events import token_group
from convoys.events import convoy_group
from live.groups import access_group, group_name, user_group

ROOT = Path(__file__).resolve().parents[2]


def test_group_names_are_built_by_the_one_helper():
    assert convoy_group(7) == "convoy.7"
    assert user_group(7) == "user.7"
    assert access_group(7) == "user.7.access"
    assert token_group(7) == "token.7"


@pytest.mark.parametrize("parts", [(), ("convoy", "a b"), ("user", "ä"), ("x" * 100,)])
def test_a_name_channels_would_refuse_fails_where_it_is_built(parts):
    with pytest.raises(ValueError):
        group_name(*parts)


@pytest.fixture
def sent(monkeypatch):
    sent = []
    monkeypatch.setattr(live.publish, "group_send_safely", lambda g, m: sent.append((g, m)))
    return sent


@pytest.mark.django_db
def test_group_send_on_commit_waits_for_the_commit(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        live.publish.group_send_on_commit("user.1", {"type": "x"})
        assert sent == []
    assert sent == [("user.1", {"type": "x"})]


@pytest.mark.django_db
def test_group_send_on_commit_sends_nothing_after_a_rollback(
    sent, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        live.publish.access_changed_on_commit(user_id=1)
        raise RuntimeError
    assert sent == []


@pytest.mark.django_db
def test_access_changed_goes_to_the_persons_access_group(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        live.publish.access_changed_on_commit(user_id=5)
    assert sent == [("user.5.access", {"type": "access.changed"})]


def test_a_failing_channel_layer_never_raises(monkeypatch):
    def broken_layer():
        raise ConnectionError("redis is down")

    monkeypatch.setattr(live.publish, "get_channel_layer", broken_layer)
    live.publish.group_send_safely("user.1", {"type": "x"})


def test_live_imports_no_domain_app():
    # The platform layer (import-linter checks it too): importing all of live loads none of
    # the apps above it. Django is not set up, so nothing but live's own imports runs.
    code = (
        "import sys; import live.groups, live.publish; "
        "apps = ('accounts', 'companies', 'convoys', 'projects', 'checkins', 'comments', "
        "'notifications', 'frontend', 'config'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in apps))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert result.stdout.strip() == "[]"
