"""The demo convoy's story as data: who takes part, which companies join when, their projects,
milestones, updates, check-ins and conversations. No logic: `demo.loader` builds it through the
services. Times are relative to today (days ago, days from now), so the demo never gets old.
"""

from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from convoys.models import ConvoyStatus
from projects.models import MilestoneStatus, ProjectStatus

DEMO_CONVOY_NAME = "Digitalisierungs-Konvoi Hagen"
DEMO_PASSWORD = "konvoi-demo"  # printed on purpose: these are demo accounts
TZ = ZoneInfo("Europe/Berlin")

FACILITATOR = ("Dr. Jana Brandt", "jana.brandt@kompetenzzentrum-hagen.example")

# Keyword arguments of convoy_create.
CONVOY: dict[str, Any] = {
    "name": DEMO_CONVOY_NAME,
    "topic": "Digitalisierung im Hagener Mittelstand",
    "description": (
        "Fünf Hagener Betriebe gehen ihre Digitalisierung gemeinsam an: Termine online, "
        "Warenwirtschaft, papierlose Kanzlei, ERP und IT-Sicherheit. Alle 14 Tage ein kurzes "
        "Update, alle vier Wochen ein Treffen. Begleitet vom Mittelstand-Digital "
        "Kompetenzzentrum Hagen."
    ),
    "timezone": "Europe/Berlin",
    "language": "de",
    "update_cadence_days": 14,
    "status": ConvoyStatus.ACTIVE,
}
CONVOY_CREATED = 72  # days ago


@dataclass
class M:
    """A milestone: due in `due` days (negative: in the past); `done` days ago if set."""

    title: str
    due: int
    weight: int = 1
    done: int | None = None
    # A status other than done/planned, reached `status_day` days ago.
    status: str | None = None
    status_day: int | None = None


@dataclass
class P:
    """A company's project, shared with the demo convoy; `started` days ago."""

    title: str
    category: str
    description: str
    started: int  # days ago
    target: int  # days from today
    milestones: list[M]
    status: str = ProjectStatus.IN_PROGRESS
    done: int | None = None  # days ago the project was marked done
    follow_up_of: str | None = None  # title of an earlier project of the same company


@dataclass
class U:
    """An update the company posts `days_ago` days back, citing milestones by title."""

    days_ago: int
    body: str
    next_steps: str = ""
    help_wanted: bool = False
    stuck_on: str = ""
    milestones: list[str] = field(default_factory=list)
    author: int = 0  # index into the company's people


@dataclass
class C:
    """A company of the convoy: its people, when it joined, its projects and updates."""

    name: str
    sector: str
    size: str
    city: str
    website: str
    joined: int  # days ago
    people: list[tuple[str, str, str]]  # name, e-mail, role (the first is the owner)
    projects: list[P]
    updates: list[U]


COMPANIES = [
    C(
        name="Sanitär Schulte GmbH",
        sector="craft",
        size="10-49",
        city="Hagen",
        website="https://sanitaer-schulte.example",
        joined=70,
        people=[("Markus Schulte", "markus@sanitaer-schulte.example", "owner")],
        projects=[
            P(
                "Online-Terminbuchung",
                "appointments",
                "Kundinnen und Kunden buchen Wartungs- und Reparaturtermine selbst, rund um "
                "die Uhr; das Büro telefoniert weniger hinterher.",
                started=66,
                target=20,
                milestones=[
                    M("Buchungstool auswählen", due=-52, weight=2, done=55),
                    M("Leistungen und Zeitfenster festlegen", due=-38, weight=2, done=41),
                    M("Buchung auf der Website einbinden", due=-24, weight=3, done=22),
                    M(
                        "Erinnerung per SMS einrichten",
                        due=9,
                        status=MilestoneStatus.IN_PROGRESS,
                        status_day=6,
                    ),
                ],
            ),
            P(
                "Tourenplanung für die Monteure",
                "route_planning",
                "Termine aus der Online-Buchung fließen in eine Tourenplanung: weniger "
                "Leerfahrten quer durch Hagen, verlässliche Ankunftszeiten.",
                started=20,
                target=60,
                status=ProjectStatus.PLANNED,
                milestones=[
                    M("Anforderungen mit den Monteuren sammeln", due=-10, done=9),
                    M("Zwei Programme im Testbetrieb", due=21, weight=2),
                    M("Rollout an acht Monteure", due=45, weight=3),
                ],
            ),
        ],
        updates=[
            U(
                40,
                "Das Buchungstool ist ausgewählt, die Leistungen mit festen Zeitfenstern sind "
                "angelegt.",
                next_steps="Einbindung auf der Website.",
                milestones=["Leistungen und Zeitfenster festlegen"],
            ),
            U(
                21,
                "Online-Buchung ist live! In der ersten Woche kamen 23 Buchungen online rein.",
                next_steps="SMS-Erinnerung gegen vergessene Termine.",
                milestones=["Buchung auf der Website einbinden"],
            ),
            U(
                8,
                "Mit den Monteuren die Anforderungen an die Tourenplanung gesammelt: Material "
                "im Wagen und Notdienst müssen mit rein.",
                next_steps="Zwei Programme testen.",
                milestones=["Anforderungen mit den Monteuren sammeln"],
            ),
        ],
    ),
    C(
        name="Modehaus Kramer",
        sector="retail",
        size="2-9",
        city="Hagen",
        website="https://modehaus-kramer.example",
        joined=69,
        people=[("Sabine Kramer", "sabine@modehaus-kramer.example", "owner")],
        projects=[
            P(
                "Webshop",
                "ecommerce",
                "Die Kollektion auch online verkaufen, mit Abholung im Laden.",
                started=68,
                target=-30,
                done=30,
                milestones=[
                    M("Shopsystem auswählen", due=-58, weight=2, done=60),
                    M("Produktfotos der Herbstkollektion", due=-45, weight=2, done=43),
                    M("Zahlungsarten einrichten", due=-36, done=35),
                    M("Go-live", due=-30, weight=3, done=30),
                ],
                status=ProjectStatus.IN_PROGRESS,
            ),
            P(
                "Digitale Warenwirtschaft",
                "inventory",
                "Der Webshop hat es gezeigt: Bestände müssen digital und aktuell sein, sonst "
                "wird online verkauft, was im Laden schon weg ist.",
                started=28,
                target=50,
                follow_up_of="Webshop",
                milestones=[
                    M("Bestand mit Scanner erfassen", due=-14, weight=2, done=12),
                    M(
                        "Kasse und Webshop synchronisieren",
                        due=-2,
                        weight=3,
                        status=MilestoneStatus.BLOCKED,
                        status_day=5,
                    ),
                    M("Erste digitale Inventur", due=30, weight=2),
                ],
            ),
        ],
        updates=[
            U(
                29,
                "Der Webshop ist online. Die ersten Bestellungen zur Abholung im Laden sind da.",
                next_steps="Bestände digital führen, damit Shop und Laden zusammenpassen.",
                milestones=["Go-live"],
            ),
            U(
                4,
                "Alle Artikel sind mit dem Scanner erfasst. Aber Kasse und Webshop zeigen "
                "unterschiedliche Bestände.",
                next_steps="Schnittstelle zwischen Kasse und Shop klären.",
                help_wanted=True,
                stuck_on="Die Kasse exportiert nur CSV, der Shop will eine API. Hat jemand so "
                "eine Anbindung schon gebaut oder kennt einen Dienstleister?",
                milestones=["Bestand mit Scanner erfassen"],
            ),
        ],
    ),
    C(
        name="Steuerkanzlei Vogt & Partner",
        sector="services",
        size="10-49",
        city="Hagen",
        website="https://kanzlei-vogt.example",
        joined=68,
        people=[("Thomas Vogt", "thomas@kanzlei-vogt.example", "owner")],
        projects=[
            P(
                "Papierlose Kanzlei",
                "cloud",
                "Belege kommen digital, werden in der Cloud abgelegt und mit Freigabe-"
                "Workflows bearbeitet statt in Ordnern.",
                started=64,
                target=60,
                milestones=[
                    M("Dokumentenmanagement auswählen", due=-50, weight=2, done=54),
                    M("Upload-Portal für Mandanten", due=-36, weight=2, done=38),
                    M("Papierarchiv scannen", due=-5, weight=3),
                    M("Freigabe-Workflows einrichten", due=25, weight=2),
                ],
            ),
        ],
        updates=[
            U(
                36,
                "Das Upload-Portal läuft, die ersten zwanzig Mandanten laden ihre Belege "
                "digital hoch.",
                next_steps="Das Papierarchiv scannen lassen.",
                milestones=["Upload-Portal für Mandanten"],
            ),
        ],
    ),
    C(
        name="Dreherei Lindner GmbH",
        sector="industry",
        size="50-249",
        city="Hagen-Haspe",
        website="https://dreherei-lindner.example",
        joined=67,
        people=[
            ("Frank Lindner", "frank@dreherei-lindner.example", "owner"),
            ("Aylin Demir", "aylin@dreherei-lindner.example", "member"),
        ],
        projects=[
            P(
                "ERP-Einführung",
                "accounting",
                "Aufträge, Material und Maschinenzeiten in einem System statt in Excel-Listen.",
                started=65,
                target=60,
                milestones=[
                    M("Lastenheft schreiben", due=-55, weight=2, done=57),
                    M("Anbieter auswählen", due=-38, weight=2, done=39),
                    M("Stammdaten migrieren", due=-16, weight=3, done=15),
                    M("Testbetrieb in der Fertigung", due=14, weight=3),
                    M("Go-live", due=40, weight=4),
                ],
            ),
            P(
                "IT-Sicherheit",
                "security",
                "Backups, Schulungen und ein Notfallplan, bevor die Fertigung vernetzt wird.",
                started=45,
                target=30,
                milestones=[
                    M("Backup-Konzept umsetzen", due=-28, weight=2, done=26),
                    M("Phishing-Schulung für alle", due=-7, done=6),
                    M("Notfallplan aufschreiben", due=25, weight=2),
                ],
            ),
        ],
        updates=[
            U(
                38,
                "Anbieter für das ERP steht fest, der Vertrag ist unterschrieben.",
                next_steps="Stammdaten aufbereiten.",
                milestones=["Anbieter auswählen"],
            ),
            U(
                25,
                "Backups laufen jetzt täglich außer Haus, der Wiederherstellungstest hat geklappt.",
                milestones=["Backup-Konzept umsetzen"],
                author=1,
            ),
            U(
                3,
                "Stammdaten sind im ERP, und 84 von 90 Leuten haben die Phishing-Schulung gemacht.",
                next_steps="Testbetrieb in der Fertigung.",
                milestones=["Stammdaten migrieren", "Phishing-Schulung für alle"],
                author=1,
            ),
        ],
    ),
    C(
        name="Bäckerei Brinkmann",
        sector="craft",
        size="10-49",
        city="Hagen-Hohenlimburg",
        website="https://baeckerei-brinkmann.example",
        joined=24,
        people=[("Petra Brinkmann", "petra@baeckerei-brinkmann.example", "owner")],
        projects=[
            P(
                "Neue Website mit Vorbestellung",
                "website",
                "Eine Website, die auf dem Handy funktioniert, und Vorbestellungen für "
                "Feiertage und Feste.",
                started=22,
                target=35,
                milestones=[
                    M("Texte und Fotos", due=-12, done=12),
                    M("Website live", due=7, weight=2),
                    M("Vorbestellung freischalten", due=30, weight=2),
                ],
            ),
        ],
        updates=[
            U(
                11,
                "Texte und Fotos sind fertig, die Website wird gerade gebaut.",
                next_steps="Website live vor dem Martinsmarkt.",
                milestones=["Texte und Fotos"],
            ),
        ],
    ),
]


# The people by e-mail, for the check-ins and conversations below.
JANA = FACILITATOR[1]
MARKUS = "markus@sanitaer-schulte.example"
SABINE = "sabine@modehaus-kramer.example"
THOMAS = "thomas@kanzlei-vogt.example"
FRANK = "frank@dreherei-lindner.example"
AYLIN = "aylin@dreherei-lindner.example"
PETRA = "petra@baeckerei-brinkmann.example"


# The check-ins: a past one (done, with notes) and the next one (answers and a report), the
# first of a series every four weeks.


@dataclass
class Meeting:
    """A check-in scheduled `scheduled` days ago at 10:00, held `held` days from today
    (negative: in the past), 17:00 to 19:00; the RSVP deadline is two days before."""

    scheduled: int
    held: int
    title: str
    location: str
    agenda: str
    capacity: int
    video_url: str = ""
    # A series: every `repeat_weeks` weeks, `repeat_count` meetings in all (0: a single one).
    repeat_weeks: int = 0
    repeat_count: int = 0


@dataclass
class Report:
    """A company's check-in report, filed `days_ago` days back at noon."""

    days_ago: int
    author: str  # e-mail
    company: str  # name
    moved: str
    next_steps: str
    help_needed: str


PAST_CHECKIN = Meeting(
    scheduled=34,
    held=-20,
    title="Treffen im Oktober: IT-Sicherheit im Betrieb",
    location="Mittelstand-Digital Kompetenzzentrum Hagen, Raum 2.14",
    agenda="- Runde: Was hat sich bewegt?\n- Impuls: Backups und Zwei-Faktor-Anmeldung\n"
    "- Fragen an die Runde",
    capacity=10,
)
# (days ago, at noon; who): everyone who came said yes.
PAST_CHECKIN_RSVPS = [(30, MARKUS), (29, SABINE), (29, FRANK), (28, AYLIN), (27, THOMAS)]
PAST_CHECKIN_NOTES_DAYS_AGO = 20
PAST_CHECKIN_NOTES = (
    "**Beschlüsse**\n\n"
    "- Dreherei Lindner stellt beim nächsten Treffen ihr Backup-Konzept vor.\n"
    "- Modehaus Kramer und Sanitär Schulte tauschen sich zur Warenwirtschaft aus.\n"
    "- Nächstes Treffen in vier Wochen, Schwerpunkt Online-Termine."
)

NEXT_CHECKIN = Meeting(
    scheduled=3,
    held=9,
    title="Konvoi-Treffen Hagen",
    location="Mittelstand-Digital Kompetenzzentrum Hagen, Raum 2.14",
    video_url="https://meet.example/konvoi-hagen",
    agenda="- Runde: Was hat sich bewegt?\n"
    "- Sanitär Schulte zeigt die Online-Terminbuchung\n"
    "- Modehaus Kramer: Hilfe bei der Warenwirtschaft",
    capacity=6,
    repeat_weeks=4,
    repeat_count=3,
)
# (hours after two days ago at 9:00, who, answer): the answers trickle in over a day.
NEXT_CHECKIN_RSVPS = [
    (0, MARKUS, "yes"),
    (2, SABINE, "yes"),
    (20, FRANK, "yes"),
    (22, PETRA, "maybe"),
    (24, THOMAS, "no"),
]
NEXT_CHECKIN_REPORT = Report(
    days_ago=1,
    author=SABINE,
    company="Modehaus Kramer",
    moved="Der Webshop zeigt jetzt den echten Lagerbestand; die Inventur ging doppelt so schnell.",
    next_steps="Retouren im Warenwirtschaftssystem abbilden.",
    help_needed="Wer hat Erfahrung mit der Schnittstelle zwischen Kasse und Webshop?",
)


# The conversations: peers answering the fashion shop's call for help, a reply with a
# mention, reactions, and a comment on a blocked milestone.


@dataclass
class DemoComment:
    """A comment `days_ago` days back at `hour`: on an update, on a milestone or a reply."""

    key: str
    days_ago: int
    hour: int
    author: str  # e-mail of a demo person
    body: str  # {handle:e-mail} is replaced by that person's @handle
    on_update: tuple[str, int] | None = None  # (company name, the update's days_ago)
    on_milestone: tuple[str, str] | None = None  # (company name, milestone title)
    parent: str | None = None  # key of the comment it answers
    reactions: list[tuple[str, str]] = field(default_factory=list)  # (e-mail, emoji)


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
        "Kasse, Shop und ERP* als Thema für das nächste Treffen auf.",
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
