"""The demo convoy's conversations (used by `manage.py load_demo`): peers answering the
fashion shop's call for help, a reply with a mention, reactions, and a comment on a blocked
milestone. Written through the services, so events and notifications are real."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from comments.models import Comment
from comments.services import comment_create, reaction_toggle
from notifications.models import Notification


@dataclass
class DemoComment:
    key: str
    days_ago: int
    hour: int
    author: str  # e-mail of a demo person
    body: str  # {handle:e-mail} is replaced by that person's @handle
    on_update: tuple[str, int] | None = None  # (company name, the update's days_ago)
    on_milestone: tuple[str, str] | None = None  # (company name, milestone title)
    parent: str | None = None  # key of the comment it answers
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, emoji)


MARKUS = "markus@sanitaer-schulte.example"
SABINE = "sabine@modehaus-kramer.example"
FRANK = "frank@dreherei-lindner.example"
AYLIN = "aylin@dreherei-lindner.example"
PETRA = "petra@baeckerei-brinkmann.example"
JANA = "jana.brandt@kompetenzzentrum-hagen.example"

THREADS = [
    DemoComment(
        "booking-live",
        20,
        8,
        PETRA,
        "Glückwunsch! Wie viele Buchungen kommen übers Handy? Für unsere Vorbestellungen "
        "wäre das spannend.",
        on_update=("Sanitär Schulte GmbH", 21),
        reactions=[(MARKUS, "🎉")],
    ),
    DemoComment(
        "booking-mobile",
        20,
        12,
        MARKUS,
        "Gut zwei Drittel! Die mobile Ansicht war deshalb das Wichtigste.",
        parent="booking-live",
        reactions=[(PETRA, "💡")],
    ),
    DemoComment(
        "csv-call",
        3,
        9,
        MARKUS,
        "Das kennen wir! Unser Buchungstool konnte anfangs auch nur CSV. Ein kleiner "
        "Import-Job, der die Datei jede Nacht abholt, hat bei uns gereicht. **Rufen Sie mich "
        "gern an**, dann zeige ich Ihnen das.",
        on_update=("Modehaus Kramer", 4),
        reactions=[(SABINE, "🙏"), (JANA, "👍")],
    ),
    DemoComment(
        "csv-thanks",
        3,
        11,
        SABINE,
        "{handle:" + MARKUS + "} Danke, das wäre super! Passt Ihnen Donnerstagvormittag?",
        parent="csv-call",
    ),
    DemoComment(
        "erp-connector",
        2,
        10,
        FRANK,
        "Unser ERP-Anbieter hat einen fertigen Connector für gängige Kassensysteme. "
        "{handle:" + SABINE + "} ich schicke Ihnen den Kontakt per Mail.",
        on_update=("Modehaus Kramer", 4),
        reactions=[(SABINE, "💡")],
    ),
    DemoComment(
        "checkin-topic",
        2,
        14,
        JANA,
        "Ein schönes Beispiel dafür, wie der Konvoi hilft. Ich nehme *Schnittstellen zwischen "
        "Kasse, Shop und ERP* als Thema für den nächsten Check-in auf.",
        on_update=("Modehaus Kramer", 4),
        reactions=[(MARKUS, "👍"), (FRANK, "👍")],
    ),
    DemoComment(
        "variants",
        4,
        18,
        AYLIN,
        "Bei uns lagen die Fallstricke bei den Varianten (bei Ihnen: Größen und Farben). "
        "Gleichen Sie zuerst die Artikelnummern ab, dann klappt der Rest.",
        on_milestone=("Modehaus Kramer", "Kasse und Webshop synchronisieren"),
    ),
]


def demo_comments_add(
    *,
    add: Callable[[datetime, Callable[[datetime], None]], None],
    when: Callable[[int, int], datetime],
    users: dict[str, Any],
    updates: dict[tuple[str, int], Any],
    milestones: dict[tuple[str, str], Any],
) -> None:
    """Schedule the conversations as steps of the demo story (backdated to `when`)."""
    made: dict[str, Comment] = {}

    def body_of(text: str) -> str:
        for email, user in users.items():
            text = text.replace("{handle:" + email + "}", f"@{user.handle}")
        return text

    for demo in THREADS:

        def step(at: datetime, demo: DemoComment = demo) -> None:
            target: dict[str, Any] = {}
            if demo.parent:
                target["parent"] = made[demo.parent]
            elif demo.on_update:
                target.update(target_type="update", target_id=updates[demo.on_update].pk)
            elif demo.on_milestone:
                target.update(target_type="milestone", target_id=milestones[demo.on_milestone].pk)
            comment = comment_create(actor=users[demo.author], body=body_of(demo.body), **target)
            for email, emoji in demo.reactions:
                reaction_toggle(actor=users[email], comment=comment, emoji=emoji)
            Comment.objects.filter(pk=comment.pk).update(created_at=at)
            Notification.objects.filter(key=f"comment:{comment.pk}").update(created_at=at)
            made[demo.key] = comment

        add(when(demo.days_ago, demo.hour), step)
