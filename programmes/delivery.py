"""How programmes hands its staff e-mails over to whoever delivers them.

Programmes sits below notifications (which writes e-mail), yet an invitation to a programme's
staff must reach the person (everyone is invited, accounts or not: nobody is added unasked).
As companies/delivery.py and convoys/delivery.py do, the direction is inverted with an
explicit, typed registry: the delivering app implements `StaffDelivery` and registers it in
its AppConfig.ready() (notifications/apps.py → notifications/programme_staff.py); the
programme services announce through `staff_invitation_announce`, inside their transaction. A
delivery leaves its side effects (sending e-mail) until after commit; the token is handed over
there and never stored.
"""

from typing import TYPE_CHECKING, Protocol

from django.db import transaction

if TYPE_CHECKING:
    from accounts.models import User
    from programmes.models import StaffInvitation


class StaffDelivery(Protocol):
    def staff_invitation_sent(
        self, *, invitation: "StaffInvitation", token: str, actor: "User", resent: bool
    ) -> None:
        """`invitation` was created (or, `resent`, given the new one-time `token`) by `actor`.
        Called inside the transaction of that change."""


_deliveries: list[StaffDelivery] = []


def register_staff_delivery(delivery: StaffDelivery) -> None:
    """Add a delivery (once; ready() may run more than once in tests and the shell)."""
    if delivery not in _deliveries:
        _deliveries.append(delivery)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("staff e-mails are announced inside the transaction of their change")


def staff_invitation_announce(
    *, invitation: "StaffInvitation", token: str, actor: "User", resent: bool = False
) -> None:
    _require_transaction()
    for delivery in _deliveries:
        delivery.staff_invitation_sent(
            invitation=invitation, token=token, actor=actor, resent=resent
        )
