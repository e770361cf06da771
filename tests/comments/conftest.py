import pytest

from comments.services import comment_create
from projects.models import Update
from tests.factories import UpdateFactory


@pytest.fixture
def update(world) -> Update:
    return UpdateFactory(
        convoy=world.convoy, company=world.company, author=world.owner, body="Webshop ist live"
    )


@pytest.fixture
def comment(world, update):
    """Mia's comment on Olaf's update (both of world.company)."""
    return comment_create(
        actor=world.member, target_type="update", target_id=update.pk, body="Glückwunsch!"
    )
