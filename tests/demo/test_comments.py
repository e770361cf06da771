"""The demo convoy has conversations: comments, a reply with a mention, reactions, all
through the services (so with events and notifications), dated as the story says."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from comments.models import Comment, Reaction
from convoys.models import Event
from notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_demo_has_threads_with_a_mention():
    call_command("load_demo", stdout=StringIO())
    comments = Comment.objects.select_related("author")
    assert comments.count() == 7
    reply = comments.get(body__startswith="@markus_schulte")
    assert reply.parent.author.email == "markus@sanitaer-schulte.example"
    assert '<span class="mention">@markus_schulte</span>' in reply.body_html
    mention = Notification.objects.get(key=f"comment:{reply.pk}")
    assert (mention.kind, mention.recipient.email) == ("mention", "markus@sanitaer-schulte.example")
    assert Reaction.objects.count() == 7
    assert Event.objects.filter(kind="comment.created").count() == 7
    # Backdated with the story: nothing claims to have been written just now.
    assert all((timezone.now() - c.created_at).days >= 1 for c in comments)
    assert comments.filter(target_type="milestone").count() == 1
