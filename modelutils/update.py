"""Partial updates that write only what changed.

`model_update` is the one way services change some fields of an existing row: it compares,
sets, validates and saves with `update_fields`, so that a concurrent write to another column
is not overwritten with a stale value, and it reports what changed so that the caller can skip
the event and the notifications of an update that changed nothing (the no-op rule).
"""

from collections.abc import Callable, Mapping
from typing import Any

from django.db import models


def _auto_now_fields(instance: models.Model) -> list[str]:
    # save(update_fields=...) only refreshes the auto_now columns it is told about.
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, models.DateField) and getattr(field, "auto_now", False)
    ]


def model_update(
    instance: models.Model,
    *,
    data: Mapping[str, Any],
    also: Callable[[list[str]], Mapping[str, Any]] | None = None,
    touch: bool = False,
    clean: bool = True,
) -> list[str]:
    """Set the fields of `data` that differ, validate (`full_clean`) and save only those.

    Returns the names of the changed fields of `data`, in its order; none changed means no
    write (unless `touch`: then the auto_now columns are still refreshed).
    `also(changed)`: fields that follow from the change (a counter, a rendered copy, a
    timestamp); they are set and saved with it but are not reported as changed.
    A row that is not in the database yet is saved whole.
    """
    changed = [name for name, value in data.items() if getattr(instance, name) != value]
    if not changed and not touch and not instance._state.adding:
        return []
    for name in changed:
        setattr(instance, name, data[name])
    derived = dict(also(changed)) if also and changed else {}
    for name, value in derived.items():
        setattr(instance, name, value)
    if clean:
        instance.full_clean()
    if instance._state.adding:
        instance.save()
        return changed
    names = [*changed, *(name for name in derived if name not in changed)]
    names += [name for name in _auto_now_fields(instance) if name not in names]
    instance.save(update_fields=names)
    return changed
