"""Live messages about accounts: the group of the sockets opened with one API token.

A socket authenticated by an API token joins `token.<id>`; revoking the token sends
`token.revoked` there after commit, and the sockets close.
"""

from django.db import transaction

from live.groups import group_name
from live.publish import group_send_safely


def token_group(token_id: int) -> str:
    """Channel-layer group of the sockets opened with one API token."""
    return group_name("token", token_id)


def tokens_revoked_on_commit(*, token_ids: list[int]) -> None:
    """After commit, close every socket opened with one of these tokens."""

    def publish() -> None:
        for token_id in token_ids:
            group_send_safely(token_group(token_id), {"type": "token.revoked"})

    if token_ids:
        transaction.on_commit(publish)
