"""The admin as support uses it: delivery logs findable and read-only, the event log
untouchable; and the housekeeping beat runs (expired sessions)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from config.celery import app as celery_app
from convoys.events import event_record
from convoys.models import Event
from notifications.models import (
    Channel,
    ConvoyMute,
    DeliverySettings,
    DigestDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
    Nudge,
)
from tests.factories import ConvoyFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTIFICATION_MODELS = [
    Notification,
    DigestDelivery,
    NotificationPreference,
    DeliverySettings,
    ConvoyMute,
    Nudge,
]


@pytest.fixture
def delivery_log():
    person = UserFactory(email="reminded@example.com")
    other = UserFactory(email="someone-else@example.com")
    now = timezone.now()
    kind = NotificationKind.values[0]
    digest = DigestDelivery.objects.create(
        user=person, channel=Channel.DAILY, period="2026-11-21", created_at=now, sent_at=now
    )
    Notification.objects.create(
        recipient=person,
        kind=kind,
        channel=Channel.EMAIL,
        key="update_due:1:2026-11-21",
        created_at=now,
        emailed_at=now,
    )
    Notification.objects.create(
        recipient=person, kind=kind, channel=Channel.DAILY, created_at=now, digest=digest
    )
    Notification.objects.create(recipient=other, kind=kind, channel=Channel.EMAIL, created_at=now)
    return person


@pytest.mark.parametrize("model", NOTIFICATION_MODELS, ids=lambda m: m.__name__)
def test_notification_models_are_in_the_admin(model, admin_client, delivery_log):
    assert admin.site.is_registered(model)
    url = reverse(f"admin:notifications_{model._meta.model_name}_changelist")
    assert admin_client.get(url).status_code == 200


def test_support_finds_a_persons_reminders_and_their_email_state(admin_client, delivery_log):
    url = reverse("admin:notifications_notification_changelist")
    response = admin_client.get(url, {"q": "reminded@example.com"})
    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert {n.recipient.email for n in rows} == {"reminded@example.com"}
    assert len(rows) == 2
    page = response.content.decode()
    assert "E-mail state" in page or "E-Mail-Status" in page
    change = reverse("admin:notifications_notification_change", args=[rows[0].pk])
    assert admin_client.get(change).status_code == 200  # viewable

    digests = admin_client.get(
        reverse("admin:notifications_digestdelivery_changelist"), {"q": "reminded@"}
    )
    assert [d.user.email for d in digests.context["cl"].result_list] == ["reminded@example.com"]


@pytest.mark.parametrize("model", [Notification, DigestDelivery], ids=lambda m: m.__name__)
def test_delivery_logs_are_read_only(model, admin_user, delivery_log):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    obj = model.objects.first()
    assert model_admin.has_view_permission(request, obj)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, obj)
    assert not model_admin.has_delete_permission(request, obj)


def test_the_event_log_cannot_be_changed_or_deleted_in_the_admin(admin_client, admin_user):
    convoy = ConvoyFactory()
    event = event_record(convoy_id=convoy.pk, kind="convoy.updated", data={}, actor=None)
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[Event]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)
    assert "delete_selected" not in model_admin.get_actions(request)

    delete_url = reverse("admin:convoys_event_delete", args=[event.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Event.objects.filter(pk=event.pk).exists()
    assert admin_client.get(reverse("admin:convoys_event_changelist")).status_code == 200


def test_beat_clears_expired_sessions_daily():
    # Part of the daily retention purge (privacy.retention; tests/privacy/test_retention.py).
    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    celery_app.loader.import_default_modules()  # what a worker does at start (autodiscovery)
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == {settings.RETENTION_PURGE_HOUR}


def test_the_session_task_deletes_expired_sessions_only():
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - timedelta(1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + timedelta(1))
    entry = settings.CELERY_BEAT_SCHEDULE["retention-purge"]
    celery_app.loader.import_default_modules()
    celery_app.tasks[entry["task"]].delay()  # eager in tests
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


@pytest.mark.parametrize(
    "model_label", ["convoys.membership", "convoys.facilitator", "companies.companymember"]
)
def test_who_may_see_what_changes_only_through_the_services(model_label, admin_client, admin_user):
    """An admin edit of a membership would skip the event, the notifications and the closing
    of the live sockets of whoever loses access: support may look, not change."""
    from django.apps import apps

    from tests.factories import CompanyMemberFactory, FacilitatorFactory, MembershipFactory

    membership = MembershipFactory()
    FacilitatorFactory(convoy=membership.convoy)
    CompanyMemberFactory(company=membership.company)
    model = apps.get_model(model_label)
    row = model.objects.get()
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    app_label, model_name = model_label.split(".")
    assert (
        admin_client.get(reverse(f"admin:{app_label}_{model_name}_changelist")).status_code == 200
    )
    convoy_admin = admin.site._registry[apps.get_model("convoys.convoy")]
    for inline in convoy_admin.get_inline_instances(request, membership.convoy):
        assert not inline.has_change_permission(request, membership.convoy)
        assert not inline.has_delete_permission(request, membership.convoy)
