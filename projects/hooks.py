"""What the apps above must do when projects, milestones or updates are deleted: an explicit,
typed registry (the same pattern as companies.hooks).

Comments sit above projects in the layers and point at their targets by (type, id), with no
foreign key. So the comments app registers a listener here in its AppConfig.ready(), and the
delete services call every registered one inside their transaction, before the rows go: an
exception rolls the deletion back, and no comment is left pointing at nothing.
"""

from typing import Protocol

# A deleted thing as comments address it: ("project" | "milestone" | "update", id).
Target = tuple[str, int]


class TargetsDeletedListener(Protocol):
    def __call__(self, *, targets: list[Target]) -> None: ...


_targets_deleted: list[TargetsDeletedListener] = []


def targets_deleted_listen(listener: TargetsDeletedListener) -> TargetsDeletedListener:
    """Register `listener` for deletions (idempotent: ready() may run twice in tests)."""
    if listener not in _targets_deleted:
        _targets_deleted.append(listener)
    return listener


def targets_deleted_dispatch(*, targets: list[Target]) -> None:
    """Called by the delete services in their transaction, with everything that goes."""
    if not targets:
        return
    for listener in _targets_deleted:
        listener(targets=targets)
