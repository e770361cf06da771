"""How convoys hands an invitation over to whoever delivers it (e-mail, in-app notification).

Convoys is core and must not call delivery (notifications sits above it), yet an invitation
has to reach the invited person. So the direction is inverted with an explicit, typed
registry rather than a Django signal: the delivering app implements `InvitationDelivery` and
registers it in its AppConfig.ready() (notifications/apps.py → notifications/invitations.py);
the convoy services announce each invitation they send through `invitation_announce`.

An announcement is made inside the service's transaction, so that what the delivery writes
(an in-app notification) commits or rolls back with the invitation. A delivery must leave its
side effects (sending e-mail, pushing to sockets) until after commit, e.g. with
`delay_on_commit`; the token is handed over there and never stored.
"""

from typing import TYPE_CHECKING, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User
    from convoys.models import Invitation


class InvitationDelivery(Protocol):
    def invitation_sent(
        self, *, invitation: "Invitation", token: str, actor: "User", resent: bool
    ) -> None:
        """`invitation` was created (or, `resent`, given the new one-time `token`) by `actor`.
        Called inside the transaction of that change."""


_deliveries: list[InvitationDelivery] = []


def register_invitation_delivery(delivery: InvitationDelivery) -> None:
    """Add a delivery (once; ready() may run more than once in tests and the shell)."""
    if delivery not in _deliveries:
        _deliveries.append(delivery)


def invitation_announce(
    *, invitation: "Invitation", token: str, actor: "User", resent: bool = False
) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("an invitation is announced inside the transaction of its change")
    for delivery in _deliveries:
        delivery.invitation_sent(invitation=invitation, token=token, actor=actor, resent=resent)
