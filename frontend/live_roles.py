"""One render of a live fragment for both roles: what differs between facilitators and members
is rendered side by side, between markers, and each reader's role is chosen afterwards by a
string operation (`role_select`), microseconds instead of a second render.

A template marks what depends on the role with `{% if_facilitator convoy.is_facilitator %} …
{% else %} … {% endif_facilitator %}` (frontend.templatetags.live_roles). On a page (no split in
the context) that is an `{% if %}`. In a split render (`live_roles` in the context, a
`RoleSplit`) both branches are rendered, each with the context of its role (`convoy`,
`comment_moderator` …), between markers that carry the render's random nonce: a name, a
comment or any other text people write cannot forge one (it would have to guess the nonce, and
`<` is escaped or sanitised away anyway). Branches do not nest: inside one the role is known,
so an inner tag is a plain `{% if %}`.

The split HTML never leaves the server as it is: `role_select` keeps one branch of every
marked pair and drops the other, so the facilitator's controls and what only they may read
(hidden comments) never reach a member.
"""

import re
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

FACILITATOR = "facilitator"
MEMBER = "member"
ROLES = (FACILITATOR, MEMBER)


def role_of(convoy: Any) -> str:
    return FACILITATOR if getattr(convoy, "is_facilitator", False) else MEMBER


@dataclass
class RoleSplit:
    """The context values each role renders with; the markers of one render."""

    roles: dict[str, dict[str, Any]]
    nonce: str = field(default_factory=lambda: secrets.token_hex(8))

    def mark(self, part: str) -> str:
        return f"<!--role:{self.nonce}:{part}-->"


@lru_cache(maxsize=256)
def _pattern(nonce: str) -> re.Pattern[str]:
    return re.compile(
        f"<!--role:{nonce}:f-->(.*?)<!--role:{nonce}:m-->(.*?)<!--role:{nonce}:e-->", re.DOTALL
    )


def role_select(html: str, nonce: str, role: str) -> str:
    """The fragment as `role` sees it: of every marked pair, that role's branch."""
    if role not in ROLES:
        raise ValueError(role)
    group = 1 if role == FACILITATOR else 2
    chosen = _pattern(nonce).sub(lambda m: m.group(group), html)
    if nonce in chosen:  # a marker without its pair: never send what might be the other role's
        raise ValueError("unpaired role marker")
    return chosen
