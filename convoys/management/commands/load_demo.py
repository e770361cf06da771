"""`python manage.py load_demo`: a living demo convoy for newcomers (used by `make run`).

Everything is created through the service functions, so memberships, projects, milestones and
updates come with their real Event log. The services stamp "now"; afterwards each step's rows
and events are moved back to the moment the story says they happened, so the dashboard shows
several weeks of progress, one company that has gone quiet, and one that asks for help.

Idempotent: when the demo convoy exists the command only prints the logins.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from accounts.services import user_register
from checkins.models import CheckIn, CheckInReport
from checkins.services import checkin_notes_post, checkin_schedule, report_file, rsvp_set
from comments.demo import demo_comments_add
from companies.models import Company, CompanyMember
from companies.services import company_create, company_member_add
from convoys.models import Convoy, ConvoyStatus, Event, Facilitator, Invitation, Membership
from convoys.services import convoy_create, invitation_accept, invitation_create
from notifications.models import Channel, Notification
from projects.models import Milestone, MilestoneStatus, Project, ProjectStatus, Update
from projects.services import (
    milestone_complete,
    milestone_create,
    milestone_update,
    project_create,
    project_update,
    update_post,
)

DEMO_CONVOY_NAME = "Digitalisierungs-Konvoi Hagen"
DEMO_PASSWORD = "konvoi-demo"  # printed on purpose: these are demo accounts
TZ = ZoneInfo("Europe/Berlin")

FACILITATOR = ("Dr. Jana Brandt", "jana.brandt@kompetenzzentrum-hagen.example")

CONVOY = {
    "name": DEMO_CONVOY_NAME,
    "topic": "Digitalisierung im Hagener Mittelstand",
    "description": (
        "Fünf Hagener Betriebe gehen ihre Digitalisierung gemeinsam an: Termine online, "
        "Warenwirtschaft, papierlose Kanzlei, ERP und IT-Sicherheit. Alle 14 Tage ein kurzes "
        "Update, alle vier Wochen ein Check-in. Begleitet vom Mittelstand-Digital "
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
    days_ago: int
    body: str
    next_steps: str = ""
    help_wanted: bool = False
    stuck_on: str = ""
    milestones: list[str] = field(default_factory=list)
    author: int = 0  # index into the company's people


@dataclass
class C:
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


def _when(days_ago: int, hour: int) -> datetime:
    """An aware moment `days_ago` days back, at a plausible office hour in Hagen."""
    day = timezone.localdate(timezone=TZ) - timedelta(days=days_ago)
    return datetime.combine(day, time(hour, 0), tzinfo=TZ)


def _due(days: int) -> date:
    return timezone.localdate(timezone=TZ) + timedelta(days=days)


def _stamp_event_data(value: Any, at: datetime) -> Any:
    # Event payloads carry the created_at/completed_at the service saw ("now"); keep the
    # log consistent with the backdated rows.
    if isinstance(value, dict):
        return {
            k: at.isoformat()
            if k in {"created_at", "completed_at"} and isinstance(v, str)
            else _stamp_event_data(v, at)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_stamp_event_data(v, at) for v in value]
    return value


class _Story:
    """Runs the demo's steps in chronological order and backdates what each step wrote."""

    def __init__(self) -> None:
        self.steps: list[tuple[datetime, int, Callable[[datetime], None]]] = []
        self.convoy: Convoy | None = None

    def add(self, at: datetime, step: Callable[[datetime], None]) -> None:
        self.steps.append((at, len(self.steps), step))  # the index keeps ties in order

    def run(self) -> None:
        for at, _index, step in sorted(self.steps, key=lambda s: (s[0], s[1])):
            before = self.convoy.last_event_seq if self.convoy else 0
            step(at)
            if self.convoy is None:
                continue
            self.convoy.refresh_from_db(fields=["last_event_seq"])
            for event in Event.objects.filter(convoy=self.convoy, seq__gt=before):
                event.at = at
                event.data = _stamp_event_data(event.data, at)
                event.save(update_fields=["at", "data"])


def demo_convoy() -> Convoy | None:
    return Convoy.objects.filter(name=DEMO_CONVOY_NAME, facilitators__email=FACILITATOR[1]).first()


def demo_logins() -> list[str]:
    """One line per demo account, for the command's and `make run`'s output."""
    if demo_convoy() is None:
        return []
    rows = [(FACILITATOR[1], f"{FACILITATOR[0]} (facilitator)")]
    for company in COMPANIES:
        rows += [
            (email, f"{name} ({role}, {company.name})") for name, email, role in company.people
        ]
    width = max(len(email) for email, _label in rows)
    return [f"{email:<{width}}  {label}" for email, label in rows] + [
        f"{'password':<{width}}  {DEMO_PASSWORD}"
    ]


def _load() -> Convoy:
    story = _Story()
    users: dict[str, User] = {}
    companies: dict[str, Company] = {}
    projects: dict[tuple[str, str], Project] = {}
    milestones: dict[tuple[str, str], Milestone] = {}
    updates: dict[tuple[str, int], Update] = {}

    def register(name: str, email: str, at: datetime) -> User:
        user = user_register(email=email, password=DEMO_PASSWORD, name=name)
        User.objects.filter(pk=user.pk).update(date_joined=at)
        users[email] = user
        return user

    def open_convoy(at: datetime) -> None:
        facilitator = register(*FACILITATOR, at)
        story.convoy = convoy_create(actor=facilitator, **CONVOY)
        Convoy.objects.filter(pk=story.convoy.pk).update(created_at=at)
        Facilitator.objects.filter(convoy=story.convoy).update(added_at=at)

    story.add(_when(CONVOY_CREATED, 9), open_convoy)

    for c in COMPANIES:

        def join(at: datetime, c: C = c) -> None:
            owner_name, owner_email, _role = c.people[0]
            owner = register(owner_name, owner_email, at - timedelta(hours=1))
            company = company_create(
                actor=owner,
                name=c.name,
                sector=c.sector,
                size=c.size,
                city=c.city,
                website=c.website,
            )
            companies[c.name] = company
            for name, email, role in c.people[1:]:
                register(name, email, at - timedelta(hours=1))
                company_member_add(actor=owner, company=company, email=email, role=role)
            Company.objects.filter(pk=company.pk).update(created_at=at - timedelta(hours=1))
            CompanyMember.objects.filter(company=company).update(joined_at=at - timedelta(hours=1))
            invitation, token = invitation_create(
                actor=users[FACILITATOR[1]], convoy=story.convoy, email=owner_email
            )
            membership = invitation_accept(actor=owner, token=token, company=company)
            Invitation.objects.filter(pk=invitation.pk).update(
                created_at=at - timedelta(days=2),
                expires_at=at + timedelta(days=12),
                accepted_at=at,
            )
            Membership.objects.filter(pk=membership.pk).update(joined_at=at)

        story.add(_when(c.joined, 11), join)

        for p in c.projects:

            def start(at: datetime, c: C = c, p: P = p) -> None:
                company = companies[c.name]
                owner = users[c.people[0][1]]
                project = project_create(
                    actor=owner,
                    company=company,
                    title=p.title,
                    category=p.category,
                    description=p.description,
                    status=p.status,
                    start_date=at.date(),
                    target_date=_due(p.target),
                    follow_up_of=projects[(c.name, p.follow_up_of)] if p.follow_up_of else None,
                    convoy_ids=[story.convoy.pk],
                )
                projects[(c.name, p.title)] = project
                for m in p.milestones:
                    milestones[(c.name, m.title)] = milestone_create(
                        actor=owner,
                        project=project,
                        title=m.title,
                        due_date=_due(m.due),
                        weight=m.weight,
                    )
                Project.objects.filter(pk=project.pk).update(created_at=at)
                Milestone.objects.filter(project=project).update(created_at=at)

            story.add(_when(p.started, 10), start)

            for m in p.milestones:
                if m.done is not None:

                    def complete(at: datetime, c: C = c, m: M = m) -> None:
                        milestone = milestone_complete(
                            actor=users[c.people[0][1]], milestone=milestones[(c.name, m.title)]
                        )
                        Milestone.objects.filter(pk=milestone.pk).update(completed_at=at)

                    story.add(_when(m.done, 15), complete)
                elif m.status is not None:

                    def change(at: datetime, c: C = c, m: M = m) -> None:
                        milestone_update(
                            actor=users[c.people[0][1]],
                            milestone=milestones[(c.name, m.title)],
                            status=m.status,
                        )

                    story.add(_when(m.status_day or 1, 14), change)

            if p.done is not None:

                def finish(at: datetime, c: C = c, p: P = p) -> None:
                    project_update(
                        actor=users[c.people[0][1]],
                        project=projects[(c.name, p.title)],
                        status=ProjectStatus.DONE,
                    )

                story.add(_when(p.done, 16), finish)

        for u in c.updates:

            def post(at: datetime, c: C = c, u: U = u) -> None:
                update = update_post(
                    actor=users[c.people[u.author][1]],
                    convoy=story.convoy,
                    company=companies[c.name],
                    body=u.body,
                    next_steps=u.next_steps,
                    help_wanted=u.help_wanted,
                    stuck_on=u.stuck_on,
                    milestone_ids=[milestones[(c.name, t)].pk for t in u.milestones],
                )
                Update.objects.filter(pk=update.pk).update(created_at=at)
                updates[(c.name, u.days_ago)] = update

            story.add(_when(u.days_ago, 17), post)

    _checkins(story, users, companies)
    demo_comments_add(
        add=story.add, when=_when, users=users, updates=updates, milestones=milestones
    )
    story.run()
    # The demo's history happened "in the past": its notifications are there to read, but
    # their e-mails are not sent again on every start (reminders that are due now still are).
    Notification.objects.filter(channel=Channel.EMAIL, emailed_at__isnull=True).update(
        emailed_at=F("created_at")
    )
    return story.convoy


def _checkins(story: _Story, users: dict[str, User], companies: dict[str, Company]) -> None:
    """A past check-in with notes (done) and the next one, with answers and a report."""
    jana = FACILITATOR[1]
    markus, sabine = "markus@sanitaer-schulte.example", "sabine@modehaus-kramer.example"
    thomas, frank = "thomas@kanzlei-vogt.example", "frank@dreherei-lindner.example"
    aylin, petra = "aylin@dreherei-lindner.example", "petra@baeckerei-brinkmann.example"
    checkins: dict[str, CheckIn] = {}

    def meeting(days: int) -> tuple[datetime, datetime]:
        day = timezone.localdate(timezone=TZ) + timedelta(days=days)
        return (
            datetime.combine(day, time(17, 0), tzinfo=TZ),
            datetime.combine(day, time(19, 0), tzinfo=TZ),
        )

    def schedule(at: datetime, key: str, days: int, **fields: Any) -> None:
        starts_at, ends_at = meeting(days)
        checkin = checkin_schedule(
            actor=users[jana],
            convoy=story.convoy,
            starts_at=starts_at,
            ends_at=ends_at,
            rsvp_deadline=starts_at - timedelta(days=2),
            **fields,
        )
        CheckIn.objects.filter(pk=checkin.pk).update(created_at=at, updated_at=at)
        checkins[key] = checkin

    def answer(at: datetime, key: str, email: str, response: str) -> None:
        rsvp_set(actor=users[email], checkin=checkins[key], response=response, now=at)

    def report(at: datetime, key: str, email: str, company: str, **text: str) -> None:
        filed = report_file(
            actor=users[email], checkin=checkins[key], company=companies[company], **text
        )
        CheckInReport.objects.filter(pk=filed.pk).update(created_at=at, updated_at=at)

    story.add(
        _when(34, 10),
        lambda at: schedule(
            at,
            "past",
            -20,
            title="Check-in Oktober: IT-Sicherheit im Betrieb",
            location="Mittelstand-Digital Kompetenzzentrum Hagen, Raum 2.14",
            agenda="- Runde: Was hat sich bewegt?\n- Impuls: Backups und Zwei-Faktor-Anmeldung\n"
            "- Fragen an die Runde",
            capacity=10,
        ),
    )
    for days, email in ((30, markus), (29, sabine), (29, frank), (28, aylin), (27, thomas)):
        story.add(_when(days, 12), lambda at, email=email: answer(at, "past", email, "yes"))

    def notes(at: datetime) -> None:
        checkin_notes_post(
            actor=users[jana],
            checkin=checkins["past"],
            now=at,
            notes=(
                "**Beschlüsse**\n\n"
                "- Dreherei Lindner stellt im nächsten Check-in ihr Backup-Konzept vor.\n"
                "- Modehaus Kramer und Sanitär Schulte tauschen sich zur Warenwirtschaft aus.\n"
                "- Nächster Check-in in vier Wochen, Schwerpunkt Online-Termine."
            ),
        )

    story.add(_when(20, 20), notes)

    story.add(
        _when(3, 10),
        lambda at: schedule(
            at,
            "next",
            9,
            title="Check-in November: Online-Termine und Warenwirtschaft",
            location="Mittelstand-Digital Kompetenzzentrum Hagen, Raum 2.14",
            video_url="https://meet.example/konvoi-hagen",
            agenda="- Runde: Was hat sich bewegt?\n"
            "- Sanitär Schulte zeigt die Online-Terminbuchung\n"
            "- Modehaus Kramer: Hilfe bei der Warenwirtschaft",
            capacity=6,
        ),
    )
    for hours, email, response in (
        (50, markus, "yes"),
        (48, sabine, "yes"),
        (30, frank, "yes"),
        (28, petra, "maybe"),
        (26, thomas, "no"),
    ):
        story.add(
            _when(2, 9) + timedelta(hours=50 - hours),
            lambda at, email=email, response=response: answer(at, "next", email, response),
        )
    story.add(
        _when(1, 12),
        lambda at: report(
            at,
            "next",
            sabine,
            "Modehaus Kramer",
            moved="Der Webshop zeigt jetzt den echten Lagerbestand; die Inventur ging doppelt so "
            "schnell.",
            next_steps="Retouren im Warenwirtschaftssystem abbilden.",
            help_needed="Wer hat Erfahrung mit der Schnittstelle zwischen Kasse und Webshop?",
        ),
    )


class Command(BaseCommand):
    help = "Load the demo convoy (idempotent: does nothing if it exists) and print the logins."

    def handle(self, *args: Any, **options: Any) -> None:
        if demo_convoy() is not None:
            self.stdout.write(f"Demo convoy “{DEMO_CONVOY_NAME}” already exists.")
        else:
            # One transaction: a failure halfway leaves no half demo behind, and the
            # events are published (on commit) only once everything is in place.
            with transaction.atomic():
                convoy = _load()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Loaded demo convoy “{convoy.name}”: {len(COMPANIES)} companies, "
                    f"{convoy.last_event_seq} events."
                )
            )
        self.stdout.write("Demo logins:")
        for line in demo_logins():
            self.stdout.write(f"  {line}")
