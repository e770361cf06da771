"""Live messages about accounts: the group of the sockets opened with one API token, and the
group of every socket of one person that re-checks its credentials when told.

A socket authenticated by an API token joins `token.<id>`; revoking the token sends
`token.revoked` there after commit, and the sockets close. Every socket also joins
`user.<id>.credentials`; a password change or reset sends `credentials.changed` there after
commit, and each socket re-checks its login at once (the periodic re-check's rule): the
sockets of the other sessions, whose session hash no longer matches, close.
"""

from django.db import transaction

from live.groups import group_name
from live.publish import group_send_safely


def token_group(token_id: int) -> str:
    """Channel-layer group of the sockets opened with one API token."""
    return group_name("token", token_id)


def credentials_group(user_id: int) -> str:
    """Channel-layer group of all sockets of one person, told when their credentials changed."""
    return group_name("user", user_id, "credentials")


def credentials_changed_on_commit(*, user_id: int) -> None:
    """After commit, make every socket of the person re-check its credentials now."""
    transaction.on_commit(
        lambda: group_send_safely(credentials_group(user_id), {"type": "credentials.changed"})
    )


def tokens_revoked_on_commit(*, token_ids: list[int]) -> None:
    """After commit, close every socket opened with one of these tokens."""

    def publish() -> None:
        for token_id in token_ids:
            group_send_safely(token_group(token_id), {"type": "token.revoked"})

    if token_ids:
        transaction.on_commit(publish)
