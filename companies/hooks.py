"""What the apps above must do when a company changes: an explicit, typed registry.

companies sits below convoys in the layers, yet a company's new name must reach the live
feed of every convoy it is in. So convoys registers a function here in its
AppConfig.ready(), and `company_update` calls every registered one inside its transaction,
after the change is saved. Unlike a signal the contract is written down: a listener takes
keyword arguments of a fixed type, runs in registration order, and an exception rolls the
change back (the event is part of the change, as the outbox wants).
"""

from typing import Protocol

from accounts.models import User
from companies.models import Company


class CompanyUpdatedListener(Protocol):
    def __call__(self, *, company: Company, actor: User, changed: list[str]) -> None: ...


_company_updated: list[CompanyUpdatedListener] = []


def company_updated_listen(listener: CompanyUpdatedListener) -> CompanyUpdatedListener:
    """Register `listener` for company updates (idempotent: ready() may run twice in tests)."""
    if listener not in _company_updated:
        _company_updated.append(listener)
    return listener


def company_updated_dispatch(*, company: Company, actor: User, changed: list[str]) -> None:
    """Called by `company_update` in its transaction, with the fields that changed."""
    for listener in _company_updated:
        listener(company=company, actor=actor, changed=changed)
