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
    """A company of a convoy: its people, when it joined, its projects and updates."""

    name: str
    sector: str
    size: str
    city: str
    website: str
    joined: int  # days ago
    people: list[tuple[str, str, str]]  # name, e-mail, role (the first is the owner)
    projects: list[P]
    updates: list[U]
    region: str = ""
    convoy: str = DEMO_CONVOY_NAME  # the convoy it joins (and shares its projects with)


COMPANIES = [
    C(
        name="Sanitär Schulte GmbH",
        sector="craft",
        size="10-49",
        city="Hagen",
        region="Hagen",
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
        region="Hagen",
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
        region="Hagen",
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
        region="Hagen",
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
        region="Hagen",
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


# The programme the demo convoy belongs to: a Mittelstand-Digital centre with Jana as its
# manager and a coach, a second convoy the coach runs, companies without Konvoi accounts that
# the staff recorded, and the services the centre delivered over the last ten months.

# Keyword arguments of programme_create (Jana creates it and so becomes its manager).
PROGRAMME: dict[str, Any] = {
    "name": "Mittelstand-Digital Zentrum Hagen",
    "slug": "zentrum-hagen",
    "region": "Südwestfalen",
    "description": (
        "Das Zentrum begleitet kleine und mittlere Betriebe in Hagen und im Märkischen Kreis "
        "bei der Digitalisierung: Besuche vor Ort, Workshops, Förderberatung und Konvois, in "
        "denen Betriebe ihre Projekte gemeinsam umsetzen."
    ),
    "contact_email": "kontakt@kompetenzzentrum-hagen.example",
    "contact_phone": "02331 987650",
    "website": "https://kompetenzzentrum-hagen.example",
    "imprint_url": "https://kompetenzzentrum-hagen.example/impressum",
    "privacy_contact": "datenschutz@kompetenzzentrum-hagen.example",
}
PROGRAMME_CREATED = 320  # days ago
COACH = ("Lukas Yilmaz", "lukas.yilmaz@kompetenzzentrum-hagen.example")
COACH_ADDED = 300  # days ago
LUKAS = COACH[1]

# The coach's convoy (keyword arguments of convoy_create): small, a few weeks old.
ISERLOHN_CONVOY_NAME = "Konvoi Handel Iserlohn"
ISERLOHN_CONVOY: dict[str, Any] = {
    "name": ISERLOHN_CONVOY_NAME,
    "topic": "Sichtbar und buchbar: Läden und Werkstätten in der Iserlohner Innenstadt",
    "description": (
        "Drei Iserlohner Geschäfte werden online sichtbar: Bestellen mit Abholung, "
        "Werkstatttermine online, eine neue Website. Alle 14 Tage ein kurzes Update."
    ),
    "timezone": "Europe/Berlin",
    "language": "de",
    "update_cadence_days": 14,
    "status": ConvoyStatus.ACTIVE,
}
ISERLOHN_CREATED = 45  # days ago

ISERLOHN_COMPANIES = [
    C(
        name="Buchhandlung Lesezeichen",
        sector="retail",
        size="2-9",
        city="Iserlohn",
        region="Märkischer Kreis",
        website="https://lesezeichen-iserlohn.example",
        joined=41,
        convoy=ISERLOHN_CONVOY_NAME,
        people=[("Claudia Becker", "claudia@lesezeichen-iserlohn.example", "owner")],
        projects=[
            P(
                "Online bestellen, im Laden abholen",
                "ecommerce",
                "Bücher online reservieren und am nächsten Tag im Laden abholen.",
                started=36,
                target=40,
                milestones=[
                    M("Anbindung an den Großhandel klären", due=-25, done=24),
                    M("Bestellseite einrichten", due=20, weight=2),
                ],
            ),
        ],
        updates=[
            U(
                23,
                "Der Großhändler liefert die Titeldaten, die Bestellseite ist in Arbeit.",
                next_steps="Bestellseite testen lassen.",
                milestones=["Anbindung an den Großhandel klären"],
            ),
        ],
    ),
    C(
        name="Fahrradladen Wiegand",
        sector="retail",
        size="2-9",
        city="Iserlohn",
        region="Märkischer Kreis",
        website="https://fahrrad-wiegand.example",
        joined=40,
        convoy=ISERLOHN_CONVOY_NAME,
        people=[("Jonas Wiegand", "jonas@fahrrad-wiegand.example", "owner")],
        projects=[
            P(
                "Werkstatttermine online",
                "appointments",
                "Reparaturen und Inspektionen online buchen statt am Telefon.",
                started=35,
                target=-6,
                done=6,
                milestones=[
                    M("Buchungstool einrichten", due=-20, done=19),
                    M("Termine auf der Website", due=-8, weight=2, done=7),
                ],
            ),
        ],
        updates=[
            U(
                5,
                "Werkstatttermine lassen sich jetzt online buchen, die ersten zwölf sind da.",
                milestones=["Termine auf der Website"],
            ),
        ],
    ),
    C(
        name="Goldschmiede Arslan",
        sector="craft",
        size="1",
        city="Iserlohn",
        region="Märkischer Kreis",
        website="https://goldschmiede-arslan.example",
        joined=38,
        convoy=ISERLOHN_CONVOY_NAME,
        people=[("Elif Arslan", "elif@goldschmiede-arslan.example", "owner")],
        projects=[
            P(
                "Neue Website mit Galerie",
                "website",
                "Eine Website, die die Stücke zeigt und Anfragen für Anfertigungen annimmt.",
                started=30,
                target=45,
                status=ProjectStatus.PLANNED,
                milestones=[M("Fotos der Stücke", due=10)],
            ),
        ],
        updates=[],
    ),
]


@dataclass
class S:
    """A service the programme delivered `days_ago` days back (recorded that day by the
    coach who delivered it)."""

    days_ago: int
    kind: str
    category: str
    minutes: int
    coach: str  # e-mail of Jana or Lukas
    notes: str


@dataclass
class R:
    """A company without Konvoi accounts that staff recorded `recorded` days ago."""

    name: str
    sector: str
    size: str
    city: str
    postcode: str
    region: str
    contact_name: str
    contact_email: str
    recorded: int  # days ago
    by: str  # e-mail of the staff member who recorded it
    services: list[S]


RECORDED = [
    R(
        "Bäckerei Hoffmann",
        "craft",
        "10-49",
        "Hagen",
        "58095",
        "Hagen",
        "Ingrid Hoffmann",
        "ingrid@baeckerei-hoffmann.example",
        recorded=290,
        by=LUKAS,
        services=[
            S(
                290,
                "visit",
                "test_before_invest",
                90,
                LUKAS,
                "Vor-Ort-Termin in der Backstube: Kasse und Vorbestellungen angeschaut.",
            ),
            S(
                200,
                "workshop",
                "skills_training",
                180,
                LUKAS,
                "Workshop Social Media für Handwerksbetriebe, zwei Leute aus dem Verkauf.",
            ),
            S(
                150,
                "voucher",
                "access_to_finance",
                60,
                JANA,
                "Antrag go-digital (Online-Marketing) gemeinsam vorbereitet.",
            ),
        ],
    ),
    R(
        "Autohaus Demir",
        "retail",
        "10-49",
        "Lüdenscheid",
        "58507",
        "Märkischer Kreis",
        "Murat Demir",
        "murat@autohaus-demir.example",
        recorded=240,
        by=JANA,
        services=[
            S(
                240,
                "consultation",
                "ecosystem_networking",
                60,
                JANA,
                "Erstgespräch digitale Fahrzeugannahme; Kontakt zu einem Anbieter vermittelt.",
            ),
            S(
                180,
                "visit",
                "test_before_invest",
                120,
                JANA,
                "Werkstatt besucht: Terminplanung und Teilelager.",
            ),
            S(
                95,
                "check_review",
                "test_before_invest",
                45,
                LUKAS,
                "Digitalisierungs-Check besprochen: Daten schwach, Website gut.",
            ),
        ],
    ),
    R(
        "Physiotherapie am Markt",
        "health",
        "2-9",
        "Iserlohn",
        "58636",
        "Märkischer Kreis",
        "Julia Krüger",
        "julia@physio-am-markt.example",
        recorded=60,
        by=LUKAS,
        services=[
            S(
                60,
                "consultation",
                "test_before_invest",
                45,
                LUKAS,
                "Beratung zu Online-Terminvergabe und Datenschutz in der Praxis.",
            ),
            S(
                25,
                "workshop",
                "skills_training",
                120,
                LUKAS,
                "Workshop IT-Sicherheit für Praxen.",
            ),
        ],
    ),
    R(
        "Elektro Sauer GmbH",
        "construction",
        "50-249",
        "Hagen",
        "58089",
        "Hagen",
        "Klaus Sauer",
        "k.sauer@elektro-sauer.example",
        recorded=170,
        by=JANA,
        services=[
            S(
                170,
                "visit",
                "test_before_invest",
                150,
                JANA,
                "Betriebsrundgang: mobile Auftragserfassung auf der Baustelle.",
            ),
            S(
                110,
                "voucher",
                "access_to_finance",
                90,
                JANA,
                "Förderantrag für die mobile Auftragserfassung vorbereitet.",
            ),
            S(
                35,
                "consultation",
                "ecosystem_networking",
                60,
                JANA,
                "Mit der Dreherei Lindner zum Thema ERP vernetzt.",
            ),
        ],
    ),
    # The same company again, recorded by the coach at an info evening without its postcode:
    # the register's duplicate suggestions pair it with the one above (same e-mail domain).
    # Left unmerged on purpose, so the duplicates page has something to show.
    R(
        "Elektro Sauer",
        "construction",
        "50-249",
        "Hagen",
        "",
        "Hagen",
        "Sandra Sauer",
        "info@elektro-sauer.example",
        recorded=20,
        by=LUKAS,
        services=[
            S(
                20,
                "workshop",
                "skills_training",
                90,
                LUKAS,
                "Infoabend KI im Handwerk, zwei Personen aus dem Betrieb.",
            ),
        ],
    ),
]

# A convoy company the centre knew before it joined: Jana visited Sanitär Schulte and
# recorded it (no Konvoi account yet); when Markus joined the convoy, she merged that record
# into his company's, so the register keeps one entry with the visit as first contact.
EARLY_RECORD = R(
    "Sanitär Schulte",
    "craft",
    "10-49",
    "Hagen",
    "58097",
    "Hagen",
    "Markus Schulte",
    MARKUS,
    recorded=130,
    by=JANA,
    services=[
        S(
            130,
            "visit",
            "test_before_invest",
            90,
            JANA,
            "Vor-Ort-Termin: Terminvergabe per Telefon kostet das Büro täglich Stunden.",
        ),
    ],
)
EARLY_RECORD_MERGED = 69  # days ago, the day after Sanitär Schulte joined the convoy

# Services for companies of the convoys, by company name (recorded once they are in the
# register).
CONVOY_SERVICES: list[tuple[str, S]] = [
    (
        "Dreherei Lindner GmbH",
        S(
            50,
            "workshop",
            "skills_training",
            240,
            JANA,
            "Workshop Phishing erkennen für die Verwaltung.",
        ),
    ),
    (
        "Dreherei Lindner GmbH",
        S(
            15,
            "visit",
            "test_before_invest",
            120,
            JANA,
            "Fertigung besucht: Testbetrieb des ERP vorbereitet.",
        ),
    ),
    (
        "Steuerkanzlei Vogt & Partner",
        S(
            10,
            "consultation",
            "access_to_finance",
            60,
            JANA,
            "Nachgefragt: Das Scanprojekt wartet auf die Förderzusage.",
        ),
    ),
    (
        "Modehaus Kramer",
        S(
            2,
            "consultation",
            "ecosystem_networking",
            45,
            JANA,
            "Anbieter für die Schnittstelle zwischen Kasse und Webshop vermittelt.",
        ),
    ),
    (
        "Buchhandlung Lesezeichen",
        S(
            30,
            "visit",
            "test_before_invest",
            60,
            LUKAS,
            "Laden besucht: Warenwirtschaft und Bestellwege angeschaut.",
        ),
    ),
]


# Open events of the programme (issue 15): an info afternoon three weeks ago, with people who
# came, no-shows, a cancellation and a walk-in, their companies matched to the register
# afterwards; and a workshop in two weeks with seats left.


@dataclass
class Registrant:
    """A person who registered for an open event (without an account) `days_ago` days back.
    `came`: checked in at the door; `cancelled_days_ago`: cancelled themselves; `walk_in`:
    registered at the door. `match`: after the event, staff match the company to the
    register: "record" (an entry already there, by the company's name) or "create" (a new
    entry in `city`); None: left unmatched."""

    name: str
    email: str
    company_name: str
    postcode: str
    size: str
    sector: str
    days_ago: int
    contact_consent: bool = False
    came: bool = False
    walk_in: bool = False
    cancelled_days_ago: int | None = None
    match: str | None = None
    city: str = "Hagen"
    answers: dict[str, str] = field(default_factory=dict)


@dataclass
class DemoEvent:
    """An open event: `days` from today (negative: past), local start hour and length."""

    title: str
    format: str
    description: str
    location: str
    days: int
    hour: int
    hours: int
    capacity: int
    created_days_ago: int
    by: str  # e-mail of the staff member who created it
    registrants: list[Registrant]
    max_per_company: int | None = None
    questions: list[dict[str, Any]] = field(default_factory=list)


PAST_EVENT = DemoEvent(
    title="Infonachmittag: Digitalisierung im Handwerk",
    format="info_event",
    description=(
        "Kurze Vorträge und ein Podium mit Hagener Betrieben: Termine online, digitale "
        "Auftragsmappe, Förderprogramme. Danach Gespräche an Thementischen und Kaffee."
    ),
    location="Kantine der Stadtwerke Hagen, Hohenzollernstraße 8, 58095 Hagen",
    days=-24,
    hour=14,
    hours=5,
    capacity=25,
    created_days_ago=45,
    by=LUKAS,
    registrants=[
        Registrant(
            "Ingrid Hoffmann",
            "ingrid@baeckerei-hoffmann.example",
            "Bäckerei Hoffmann",
            "58095",
            "10-49",
            "craft",
            days_ago=38,
            contact_consent=True,
            came=True,
            match="record",
        ),
        Registrant(
            "Stefan Vollmer",
            "stefan@schreinerei-vollmer.example",
            "Schreinerei Vollmer",
            "58093",
            "2-9",
            "craft",
            days_ago=36,
            contact_consent=True,
            came=True,
            match="create",
        ),
        Registrant(
            "Nadine Kaya",
            "nadine@metallbau-kaya.example",
            "Metallbau Kaya GmbH",
            "58099",
            "10-49",
            "industry",
            days_ago=33,
            came=True,
            match="create",
        ),
        Registrant(
            "Peter Brandes",
            "peter@dachdeckerei-brandes.example",
            "Dachdeckerei Brandes",
            "58091",
            "2-9",
            "construction",
            days_ago=31,
            contact_consent=True,
        ),
        Registrant(
            "Monika Heuer",
            "monika@friseur-heuer.example",
            "Friseursalon Heuer",
            "58095",
            "2-9",
            "services",
            days_ago=29,
        ),
        Registrant(
            "Jörg Lenz",
            "joerg@elektro-lenz.example",
            "Elektro Lenz",
            "58097",
            "2-9",
            "craft",
            days_ago=30,
            cancelled_days_ago=26,
        ),
        Registrant(
            "Murat Demir",
            "",
            "Autohaus Demir",
            "58507",
            "10-49",
            "retail",
            days_ago=24,
            walk_in=True,
            came=True,
            match="record",
        ),
    ],
)

NEXT_EVENT = DemoEvent(
    title="Werkstatt: KI im Büroalltag",
    format="workshop",
    description=(
        "Drei Stunden zum Ausprobieren: Texte, Angebote und Protokolle mit KI-Werkzeugen, "
        "und was dabei mit Kundendaten zu beachten ist. Bitte einen Laptop mitbringen."
    ),
    location="Mittelstand-Digital Zentrum Hagen, Seminarraum 2",
    days=12,
    hour=10,
    hours=3,
    capacity=16,
    max_per_company=2,
    questions=[
        {
            "key": "vorkenntnisse",
            "label": "Welche KI-Werkzeuge nutzen Sie schon?",
            "required": False,
        }
    ],
    created_days_ago=9,
    by=JANA,
    registrants=[
        Registrant(
            "Thomas Vogt",
            "thomas@kanzlei-vogt.example",
            "Steuerkanzlei Vogt & Partner",
            "58095",
            "10-49",
            "services",
            days_ago=7,
            contact_consent=True,
            answers={"vorkenntnisse": "Übersetzungen, ab und zu ein Chatbot"},
        ),
        Registrant(
            "Lea Hoffmann",
            "lea@baeckerei-hoffmann.example",
            "Bäckerei Hoffmann",
            "58095",
            "10-49",
            "craft",
            days_ago=5,
        ),
        Registrant(
            "Jan Reuter",
            "jan@physio-am-markt.example",
            "Physiotherapie am Markt",
            "58636",
            "2-9",
            "health",
            days_ago=3,
            contact_consent=True,
        ),
    ],
)


# The Digitalisierungs-Check: every demo company's owner takes it at T0 when it joins its
# convoy (so the convoy's median shows to its facilitator and to every member: four other
# companies with a check of their own at a stage), two of them again (T1) after their projects
# moved the dimensions they touch, the machine shop once more ad hoc with the programme's
# coach, and one person from the programme's public page without an account, who leaves an
# address and lets the programme see the result.

_AREAS = [
    "product_development",
    "job_planning",
    "operations",
    "partners",
    "warehouse",
    "marketing_sales",
    "delivery",
    "administration",
    "purchasing",
    "security_privacy",
]
_ADVANCED = [
    "simulation",
    "vr_ar",
    "cad_cam",
    "production_control",
    "sensors",
    "blockchain",
    "additive_manufacturing",
]
_AI = ["text_assistants", "image_recognition", "speech", "robots", "forecasts", "office_automation"]
_IMPACT = ["in_planning", "certification", "purchasing_criteria", "it_energy", "reuse_devices"]


def check_answers(
    *,
    already: tuple[str, ...] = (),
    planned: tuple[str, ...] = (),
    readiness: tuple[str, ...] = (),
    plan: int | None = None,
    basics: tuple[str, ...] = (),
    advanced: dict[str, int] | None = None,
    skills: tuple[str, ...] = (),
    engagement: tuple[str, ...] = (),
    confidence: int | None = None,
    data: tuple[str, ...] = (),
    security: tuple[str, ...] = (),
    ai: dict[str, int] | None = None,
    green: tuple[str, ...] = (),
    impact: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A complete set of answers in the questionnaire's wire format (checks/questionnaires/
    2026-1.json): every row of the row questions given, the rest "none", 0 or "no"."""
    return {
        "strategy_areas": {
            area: "already" if area in already else "planned" if area in planned else "none"
            for area in _AREAS
        },
        "strategy_readiness": list(readiness),
        "strategy_plan": plan,
        "readiness_basics": list(basics),
        "readiness_advanced": {row: (advanced or {}).get(row, 0) for row in _ADVANCED},
        "human_skills": list(skills),
        "human_engagement": list(engagement),
        "human_confidence": confidence,
        "data_management": list(data),
        "data_security": list(security),
        "automation_ai": {row: (ai or {}).get(row, 0) for row in _AI},
        "green_tech": list(green),
        "green_impact": {row: (impact or {}).get(row, "no") for row in _IMPACT},
    }


@dataclass
class DemoCheck:
    """A check the company's owner takes `days_ago` (at 14:00), or the coach with them."""

    company: str
    stage: str
    days_ago: int
    answers: dict[str, Any]
    with_coach: bool = False


# The plumber: no web shop, appointments by phone, paper job sheets; then online booking and
# route planning (T1: readiness and data up).
_SCHULTE_T0 = check_answers(
    already=("administration",),
    planned=("job_planning", "marketing_sales", "delivery"),
    readiness=("needs_known", "management"),
    plan=2,
    basics=("internet_cloud", "website", "e_government"),
    skills=("apprentices",),
    engagement=("explain_why",),
    confidence=3,
    data=("not_digital",),
    security=("offsite_backup",),
    green=("fewer_trips",),
)
_SCHULTE_T1 = check_answers(
    already=("administration", "job_planning", "marketing_sales"),
    planned=("delivery", "security_privacy"),
    readiness=("needs_known", "management", "budget", "it_basics", "support_known"),
    plan=4,
    basics=("internet_cloud", "website", "web_forms", "e_government", "business_software"),
    skills=("apprentices", "short_courses"),
    engagement=("explain_why", "involve_staff", "open_communication"),
    confidence=4,
    data=("stored_digitally", "connected", "realtime_access"),
    security=("offsite_backup", "customer_data_protected"),
    ai={"office_automation": 2},
    green=("fewer_trips", "route_optimisation", "paperless"),
    impact={"in_planning": "partly"},
)
# The fashion shop: a website and social media, no shop; then a web shop and a stock system.
_KRAMER_T0 = check_answers(
    already=("marketing_sales",),
    planned=("warehouse", "purchasing"),
    readiness=("needs_known", "budget"),
    plan=3,
    basics=("internet_cloud", "website", "chat_social", "online_marketing"),
    skills=("short_courses",),
    engagement=("explain_why", "open_communication"),
    confidence=3,
    data=("stored_digitally",),
    security=("customer_data_protected",),
    green=("paperless",),
    impact={"reuse_devices": "partly"},
)
_KRAMER_T1 = check_answers(
    already=("marketing_sales", "warehouse", "purchasing", "delivery"),
    planned=("administration",),
    readiness=("needs_known", "budget", "it_basics", "management"),
    plan=4,
    basics=(
        "internet_cloud",
        "website",
        "chat_social",
        "online_shop",
        "online_marketing",
        "business_software",
    ),
    skills=("short_courses", "peer_learning"),
    engagement=("explain_why", "open_communication", "involve_staff"),
    confidence=4,
    data=("stored_digitally", "connected", "realtime_access", "dashboards"),
    security=("customer_data_protected", "offsite_backup"),
    ai={"forecasts": 2, "text_assistants": 3},
    green=("paperless", "less_material"),
    impact={"reuse_devices": "partly", "purchasing_criteria": "partly"},
)

_LINDNER_T0 = check_answers(
    already=("product_development", "operations", "purchasing", "administration"),
    planned=("warehouse", "security_privacy"),
    readiness=("needs_known", "budget", "it_basics", "management"),
    plan=3,
    basics=("internet_cloud", "website", "e_government", "business_software"),
    advanced={"cad_cam": 5, "production_control": 3, "sensors": 2, "simulation": 1},
    skills=("apprentices", "peer_learning"),
    engagement=("explain_why",),
    confidence=2,
    data=("stored_digitally", "analysed"),
    security=("offsite_backup",),
    ai={"robots": 3, "forecasts": 1},
    green=("energy_monitoring", "less_waste", "repair_reuse"),
    impact={"it_energy": "partly", "certification": "partly"},
)

CHECKS = [
    DemoCheck("Sanitär Schulte GmbH", "T0", 70, _SCHULTE_T0),
    DemoCheck("Sanitär Schulte GmbH", "T1", 4, _SCHULTE_T1),
    DemoCheck("Modehaus Kramer", "T0", 69, _KRAMER_T0),
    DemoCheck("Modehaus Kramer", "T1", 3, _KRAMER_T1),
    # The tax office: paperless already, data and security strong, little on the shop floor.
    DemoCheck(
        "Steuerkanzlei Vogt & Partner",
        "T0",
        68,
        check_answers(
            already=("administration", "security_privacy", "partners", "operations"),
            planned=("marketing_sales",),
            readiness=("needs_known", "budget", "it_basics", "it_people", "management", "risks"),
            plan=4,
            basics=(
                "internet_cloud",
                "website",
                "web_forms",
                "e_government",
                "remote_work",
                "intranet",
                "business_software",
            ),
            skills=("skills_check", "training_plan", "paid_training"),
            engagement=("explain_why", "open_communication", "flexible_work", "tools_freedom"),
            confidence=4,
            data=("data_rules", "stored_digitally", "connected", "realtime_access"),
            security=(
                "security_rules",
                "customer_data_protected",
                "staff_trained",
                "offsite_backup",
                "emergency_plan",
            ),
            ai={"text_assistants": 2, "office_automation": 3},
            green=("paperless", "fewer_trips", "auto_switch_off"),
            impact={"it_energy": "partly", "reuse_devices": "yes"},
        ),
    ),
    # The machine shop: CAD/CAM and machine data, an old ERP, staff who learn on the job.
    DemoCheck("Dreherei Lindner GmbH", "T0", 67, _LINDNER_T0),
    # Taken again with the programme's coach on a visit, after the backups (ad hoc: in the
    # company's history, no comparison counts it).
    DemoCheck(
        "Dreherei Lindner GmbH",
        "adhoc",
        20,
        {**_LINDNER_T0, "data_security": ["offsite_backup", "security_rules", "staff_trained"]},
        with_coach=True,
    ),
    # The bakery: a till and a website from the agency, everything else on paper.
    DemoCheck(
        "Bäckerei Brinkmann",
        "T0",
        24,
        check_answers(
            planned=("marketing_sales", "warehouse"),
            readiness=("needs_known",),
            plan=2,
            basics=("internet_cloud", "website", "chat_social"),
            skills=("apprentices",),
            engagement=("explain_why",),
            confidence=3,
            data=("not_digital",),
            security=(),
            green=("less_waste", "auto_switch_off"),
            impact={"purchasing_criteria": "partly"},
        ),
    ),
    # The bookshop: orders by phone and e-mail, a social media page.
    DemoCheck(
        "Buchhandlung Lesezeichen",
        "T0",
        41,
        check_answers(
            already=("purchasing",),
            planned=("marketing_sales", "delivery"),
            readiness=("needs_known", "support_known"),
            plan=3,
            basics=("internet_cloud", "chat_social", "business_software"),
            skills=("short_courses",),
            engagement=("explain_why", "open_communication"),
            confidence=4,
            data=("stored_digitally",),
            security=("offsite_backup",),
            green=("paperless",),
        ),
    ),
    # The bicycle shop: a workshop booked by phone, stock in a spreadsheet.
    DemoCheck(
        "Fahrradladen Wiegand",
        "T0",
        40,
        check_answers(
            already=("warehouse",),
            planned=("job_planning", "marketing_sales"),
            readiness=("needs_known", "budget"),
            plan=3,
            basics=("internet_cloud", "website", "online_shop", "chat_social"),
            skills=("peer_learning",),
            engagement=("tools_freedom",),
            confidence=3,
            data=("stored_digitally", "connected"),
            security=("customer_data_protected",),
            green=("repair_reuse", "fewer_trips"),
            impact={"reuse_devices": "yes"},
        ),
    ),
    # The goldsmith: one person, a phone and an old website.
    DemoCheck(
        "Goldschmiede Arslan",
        "T0",
        38,
        check_answers(
            planned=("marketing_sales",),
            readiness=("needs_known",),
            plan=1,
            basics=("website",),
            confidence=2,
            data=(),
            security=(),
            green=("repair_reuse",),
            impact={"reuse_devices": "yes"},
        ),
    ),
]

# Someone from a painter's business takes the check on the programme's public page, leaves an
# address for the full report and lets the programme see it (confirmed from the e-mail): the
# register then holds the business, engaged through its check.


@dataclass
class DemoPublicCheck:
    """An anonymous check taken `days_ago` (19:00), confirmed from its e-mail an hour later."""

    days_ago: int
    sector: str
    size: str
    email: str
    contact_name: str
    company_name: str
    postcode: str
    city: str  # not asked by the check: the coach adds it to the register entry
    answers: dict[str, Any]


PUBLIC_CHECK = DemoPublicCheck(
    days_ago=12,
    sector="craft",
    size="2-9",
    email="sabine@malerbetrieb-roth.example",
    contact_name="Sabine Roth",
    company_name="Malerbetrieb Roth",
    postcode="58089",
    city="Hagen",
    answers=check_answers(
        already=("administration",),
        planned=("marketing_sales", "job_planning"),
        readiness=("needs_known",),
        plan=2,
        basics=("internet_cloud", "website", "e_government"),
        skills=("apprentices",),
        engagement=("explain_why",),
        confidence=3,
        data=("stored_digitally",),
        security=("offsite_backup",),
        green=("fewer_trips",),
    ),
)
