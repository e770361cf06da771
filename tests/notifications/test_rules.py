"""The sweep is an engine: each reminder rule is registered by the app that owns it, and the
facilitator digest's e-mail content by the read-model app (notifications.rules)."""

from notifications.models import NotificationKind
from notifications.rules import email_content, registered_rules


def test_each_app_registers_the_rules_it_owns():
    rules = {rule.name: rule.querysets for rule in registered_rules()}
    assert rules["projects.update_due"].__module__ == "projects.reminders"
    assert rules["checkins.reminders"].__module__ == "checkins.reminders"
    assert rules["overview.facilitator_digest"].__module__ == "overview.digest"
    assert rules["checks"].__module__ == "checks.reminders"
    assert len(rules) == 4


def test_the_digest_email_content_comes_from_overview():
    content = email_content(NotificationKind.FACILITATOR_DIGEST)
    assert content is not None
    assert content.template == "facilitator_digest"
    assert content.context.__module__ == "overview.digest"
    assert email_content(NotificationKind.MENTION) is None
