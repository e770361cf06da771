"""Channel-layer group names, built in one place so that every name stays valid.

Channels accepts ASCII letters, digits, hyphens, underscores and periods, under 100
characters. Each app names its own groups with `group_name` (`convoy.<id>` in
convoys.events, `token.<id>` in accounts.events); the groups of one person are the
platform's, as every layer above may address a person.
"""

import re

_GROUP_NAME = re.compile(r"[A-Za-z0-9._-]{1,99}")


def group_name(*parts: str | int) -> str:
    """`group_name("convoy", 7)` → `"convoy.7"`; raises ValueError on a name Channels refuses
    (at the call that builds it, not deep inside a send after commit)."""
    name = ".".join(str(part) for part in parts)
    if not parts or not _GROUP_NAME.fullmatch(name):
        raise ValueError(f"invalid channel-layer group name: {name!r}")
    return name


def user_group(user_id: int) -> str:
    """Channel-layer group of one person's sockets (notifications, membership changes)."""
    return group_name("user", user_id)


def access_group(user_id: int) -> str:
    """Group of one person's convoy sockets, told when their access may have changed."""
    return group_name("user", user_id, "access")
