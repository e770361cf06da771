"""How companies hands a colleague's invitation over to whoever delivers it (the e-mail).

Companies is core and must not call delivery (notifications sits above it), yet the invitation
has to reach the colleague. So, as convoys/delivery.py does for convoy invitations, the
direction is inverted with an explicit, typed registry: the delivering app implements
`CompanyInvitationDelivery` and registers it in its AppConfig.ready()
(notifications/apps.py → notifications/company_invitations.py); the company services announce
each invitation they send through `company_invitation_announce`, inside their transaction.
A delivery leaves its side effects (sending e-mail) until after commit; the token is handed
over there and never stored.
"""

from typing import TYPE_CHECKING, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User
    from companies.models import CompanyInvitation


class CompanyInvitationDelivery(Protocol):
    def company_invitation_sent(
        self, *, invitation: "CompanyInvitation", token: str, actor: "User", resent: bool
    ) -> None:
        """`invitation` was created (or, `resent`, given the new one-time `token`) by `actor`.
        Called inside the transaction of that change."""


_deliveries: list[CompanyInvitationDelivery] = []


def register_company_invitation_delivery(delivery: CompanyInvitationDelivery) -> None:
    """Add a delivery (once; ready() may run more than once in tests and the shell)."""
    if delivery not in _deliveries:
        _deliveries.append(delivery)


def company_invitation_announce(
    *, invitation: "CompanyInvitation", token: str, actor: "User", resent: bool = False
) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("an invitation is announced inside the transaction of its change")
    for delivery in _deliveries:
        delivery.company_invitation_sent(
            invitation=invitation, token=token, actor=actor, resent=resent
        )
