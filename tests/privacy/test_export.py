"""'Download my data': the person's ZIP holds exactly what is theirs and nothing of others,
no secrets; the company's ZIP for its owners; the web page, the API, the commands, the audit
row, the rate limit, the query count."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import UserSession
from accounts.services import api_token_create
from audit.models import Action, AuditEntry
from audit.services import audit_record
from checkins.models import Rsvp
from checkins.services import calendar_feed_rotate, report_file, rsvp_set
from comments.models import Comment, Reaction
from comments.services import comment_create, comment_update, reaction_toggle
from notifications.models import ConvoyMute, Notification, NotificationPreference, Nudge
from privacy.export import company_data_export, personal_data_export
from projects.services import project_create, update_post
from tests.factories import (
    CheckInFactory,
    CommentFactory,
    CompanyInvitationFactory,
    UpdateFactory,
    UserFactory,
)

HUGE = 99999999999999999999


def unzip(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def all_bytes(files: dict[str, bytes]) -> bytes:
    # Names too: a file name could carry data.
    return b"\n".join(name.encode() + b"\n" + data for name, data in files.items())


def load(files: dict[str, bytes], name: str):
    return json.loads(files[name].decode("utf-8"))


@pytest.fixture
def two_people(world):
    """A (world.owner) and B (world.member): same company, same convoy; both write."""
    a, b = world.owner, world.member
    b.name, b.email = "Bettina Beispielperson", "bettina.privat@example.org"
    b.save(update_fields=["name", "email"])
    checkin = CheckInFactory(convoy=world.convoy, created_by=world.facilitator)
    project = project_create(
        actor=a,
        company=world.company,
        title="A-Projekt Webshop",
        category="ecommerce",
        convoy_ids=[world.convoy.pk],
        milestones=[{"title": "A-Meilenstein Shop wählen"}],
    )
    project_create(actor=b, company=world.company, title="B-Projekt Lager", category="inventory")
    a_update = update_post(
        actor=a,
        convoy=world.convoy,
        company=world.company,
        body="A-Update: Angebote liegen vor",
        next_steps="A-Next: Entscheiden",
        stuck_on="A-Stuck: Zahlungsanbieter",
        help_wanted=True,
    )
    b_update = update_post(
        actor=b, convoy=world.convoy, company=world.company, body="B-Update: Lager gezählt"
    )
    a_comment = comment_create(
        actor=a, body="A-Kommentar erste Fassung", target_type="update", target_id=b_update.pk
    )
    comment_update(actor=a, comment=a_comment, body="A-Kommentar zweite Fassung")
    # B answers A and mentions A: A is notified (the excerpt is B's words).
    b_reply = comment_create(actor=b, body="B-Antwort geheim @olaf", parent=a_comment)
    a_reply = comment_create(actor=a, body="A-Antwort auf B", parent=b_reply)
    b_comment = comment_create(
        actor=b, body="B-Kommentar zum A-Update", target_type="update", target_id=a_update.pk
    )
    reaction_toggle(actor=a, comment=b_comment, emoji="👍")
    reaction_toggle(actor=b, comment=a_comment, emoji="🎉")
    rsvp_set(actor=a, checkin=checkin, response="yes")
    rsvp_set(actor=b, checkin=checkin, response="no")
    a_report = report_file(
        actor=a,
        checkin=checkin,
        company=world.company,
        moved="A-Bericht: Shop läuft",
        help_needed="A-Hilfe: Versand",
    )
    token_row, token = api_token_create(user=a, name="A-Laptop")
    _feed, feed_token = calendar_feed_rotate(user=a)
    UserSession.objects.create(
        user=a, session_key="a" * 32, ip_address="203.0.113.7", user_agent="A-Browser/1.0"
    )
    UserSession.objects.create(
        user=b, session_key="b" * 32, ip_address="198.51.100.9", user_agent="B-Browser/2.0"
    )
    NotificationPreference.objects.create(user=a, kind="mention", channel="email")
    ConvoyMute.objects.create(user=a, convoy=world.other_convoy)
    CompanyInvitationFactory(
        company=world.company, email="eingeladen.von.a@example.net", invited_by=a
    )
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=a, name="A-Telefon", confirmed=True)
    # B changed something of A's account: the entry is A's, B's name is not.
    audit_record(
        action=Action.ROLE_GRANTED,
        user=a,
        actor=b,
        target=f"company:{world.company.pk}",
        data={"role": "owner"},
    )
    a.refresh_from_db()
    return {
        "a": a,
        "b": b,
        "checkin": checkin,
        "project": project,
        "a_update": a_update,
        "b_update": b_update,
        "a_comments": [a_comment, a_reply],
        "b_comments": [b_reply, b_comment],
        "a_report": a_report,
        "secrets": [
            token,
            token_row.digest,
            feed_token,
            _feed.token_hash,
            _feed.nonce,
            device.key,
            a.password,
            "a" * 32,
        ],
    }


def test_personal_export_holds_exactly_the_persons_items(world, two_people):
    a = two_people["a"]
    files = unzip(personal_data_export(a))
    for name in files:
        if name.endswith(".json"):
            load(files, name)  # every JSON parses

    profile = load(files, "profile.json")
    assert (profile["name"], profile["email"], profile["handle"]) == (a.name, a.email, a.handle)
    assert profile["two_factor"]["enabled"] is True
    assert profile["two_factor"]["devices"][0]["name"] == "A-Telefon"

    updates = load(files, "updates.json")
    assert [u["id"] for u in updates] == [two_people["a_update"].pk]
    assert updates[0]["body"] == "A-Update: Angebote liegen vor"
    assert updates[0]["convoy"] == {"id": world.convoy.pk, "name": world.convoy.name}

    comments = load(files, "comments.json")
    assert [c["id"] for c in comments["comments"]] == [c.pk for c in two_people["a_comments"]]
    first, reply = comments["comments"]
    assert first["body"] == "A-Kommentar zweite Fassung"
    assert [r["body"] for r in first["revisions"]] == ["A-Kommentar erste Fassung"]
    assert reply["parent"] == two_people["b_comments"][0].pk  # by id only
    assert [(r["comment"], r["emoji"]) for r in comments["reactions_given"]] == [
        (two_people["b_comments"][1].pk, "👍")
    ]

    projects = load(files, "projects.json")
    assert [p["title"] for p in projects] == ["A-Projekt Webshop"]
    assert [m["title"] for m in projects[0]["milestones"]] == ["A-Meilenstein Shop wählen"]

    checkins = load(files, "checkins.json")
    assert [(r["checkin"]["id"], r["response"]) for r in checkins["rsvps"]] == [
        (two_people["checkin"].pk, "yes")
    ]
    assert [r["id"] for r in checkins["reports"]] == [two_people["a_report"].pk]
    assert checkins["reports"][0]["moved"] == "A-Bericht: Shop läuft"

    notifications = load(files, "notifications.json")["notifications"]
    assert {n["id"] for n in notifications} == set(
        Notification.objects.filter(recipient=a).values_list("id", flat=True)
    )
    assert notifications  # the reply and the mention

    companies = load(files, "companies.json")
    assert [(c["company"]["id"], c["role"]) for c in companies] == [(world.company.pk, "owner")]
    assert load(files, "preferences.json")["notification_channels"] == {"mention": "email"}
    assert load(files, "preferences.json")["muted_convoys"][0]["convoy"]["id"] == (
        world.other_convoy.pk
    )
    tokens = load(files, "api_tokens.json")
    assert [(t["name"], len(t["starts_with"])) for t in tokens] == [("A-Laptop", 8)]
    feeds = load(files, "calendar_feeds.json")
    assert len(feeds) == 1 and feeds[0]["active"] is True
    sessions = load(files, "sessions.json")
    assert [(s["ip_address"], s["browser"]) for s in sessions] == [("203.0.113.7", "A-Browser/1.0")]
    audit = load(files, "audit_log.json")
    assert [(e["action"], e["by_self"]) for e in audit] == [
        ("token.created", True),
        ("role.granted", False),
    ]
    sent = load(files, "invitations.json")["sent_by_you"]
    assert [(i["kind"], i["company"]["id"]) for i in sent] == [("company", world.company.pk)]

    # The Markdown files: one per update, comment and report, with the body.
    update = two_people["a_update"]
    md = files[f"files/updates/{update.created_at.date().isoformat()}-{update.pk}.md"].decode()
    assert "A-Update: Angebote liegen vor" in md and "A-Stuck: Zahlungsanbieter" in md
    assert world.convoy.name in md
    for comment in two_people["a_comments"]:
        comment.refresh_from_db()
        name = f"files/comments/{comment.created_at.date().isoformat()}-{comment.pk}.md"
        assert comment.body in files[name].decode()
    report = two_people["a_report"]
    name = f"files/checkin-reports/{report.created_at.date().isoformat()}-{report.pk}.md"
    assert "A-Bericht: Shop läuft" in files[name].decode()
    assert len([n for n in files if n.startswith("files/")]) == 4


def test_personal_export_holds_nothing_of_others_and_no_secrets(world, two_people):
    files = unzip(personal_data_export(two_people["a"]))
    everything = all_bytes(files)
    b = two_people["b"]
    others = [
        b.name,
        b.email,
        "@" + b.handle,
        "B-Update",
        "B-Antwort",
        "B-Kommentar",
        "B-Projekt",
        "B-Browser",
        "198.51.100.9",
        "eingeladen.von.a@example.net",  # the invited person's address
        world.facilitator.name,
        world.facilitator.email,
    ]
    for text in others:
        assert text.encode() not in everything, text
    for secret in two_people["secrets"]:
        assert secret and secret.encode() not in everything, "a secret leaked"
    # and the sanity check that the search works: A's own text is there
    assert b"A-Kommentar zweite Fassung" in everything


def test_person_with_nothing_gets_a_valid_export(world):
    files = unzip(personal_data_export(world.outsider))
    assert load(files, "updates.json") == []
    assert load(files, "comments.json")["comments"] == []
    assert load(files, "profile.json")["two_factor"] == {"enabled": False, "devices": []}
    assert "README.txt" in files


def test_export_writes_an_audit_row(world):
    personal_data_export(world.member)
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert (entry.user_id, entry.actor_id, entry.target, entry.data) == (
        world.member.pk,
        world.member.pk,
        f"user:{world.member.pk}",
        {"format": "zip"},
    )


def _fill(world, person, n):
    checkin = CheckInFactory(convoy=world.convoy, created_by=person)
    for i in range(n):
        update = UpdateFactory(
            convoy=world.convoy, company=world.company, author=person, body=f"U{i}"
        )
        comment = CommentFactory(
            convoy=world.convoy,
            target_type="update",
            target_id=update.pk,
            author=person,
            company=world.company,
            body=f"C{i}",
        )
        comment.revisions.create(body=f"C{i} alt", written_at=timezone.now())
        Reaction.objects.create(comment=comment, user=person, emoji="👍")
        Notification.objects.create(
            recipient=person, kind="mention", created_at=timezone.now(), data={"i": i}
        )
        other = CheckInFactory(convoy=world.convoy)
        Rsvp.objects.create(checkin=other, user=person, response="no", status="declined")
        UserSession.objects.create(user=person, session_key=f"s{person.pk}-{i}")
    report_file(actor=person, checkin=checkin, company=world.company, moved="R")


def _count(callable_):
    with CaptureQueriesContext(connection) as ctx:
        callable_()
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_amount_of_data(world):
    small, large = world.owner, world.member
    _fill(world, small, 5)
    _fill(world, large, 50)
    assert Comment.objects.filter(author=large).count() == 50
    assert _count(lambda: personal_data_export(small)) == _count(
        lambda: personal_data_export(large)
    )


def test_company_query_count_does_not_grow(world):
    _fill(world, world.owner, 5)
    five = _count(lambda: company_data_export(world.company, actor=world.owner))
    _fill(world, world.member, 50)
    assert _count(lambda: company_data_export(world.company, actor=world.owner)) == five


def test_company_export_holds_the_companys_data(world, two_people):
    UpdateFactory(convoy=world.other_convoy, company=world.other_company, body="Fremd-Update")
    # The facilitator comments on the company's update: their comment, not the company's.
    comment_create(
        actor=world.facilitator,
        body="Moderation kommentiert",
        target_type="update",
        target_id=two_people["a_update"].pk,
    )
    Nudge.objects.create(
        convoy=world.convoy,
        company=world.company,
        day=timezone.localdate(),
        actor=world.facilitator,
        message="Wie läuft es?",
        created_at=timezone.now(),
    )
    files = unzip(company_data_export(world.company, actor=world.owner))
    for name in files:
        if name.endswith(".json"):
            load(files, name)
    assert load(files, "company.json")["name"] == world.company.name
    members = load(files, "members.json")["members"]
    assert {(m["email"], m["role"]) for m in members} == {
        (world.owner.email, "owner"),
        (two_people["b"].email, "member"),
    }
    assert {p["title"] for p in load(files, "company_projects.json")} == {
        "A-Projekt Webshop",
        "B-Projekt Lager",
    }
    updates = load(files, "company_updates.json")
    assert {(u["body"], u["author"]) for u in updates} == {
        ("A-Update: Angebote liegen vor", world.owner.name),
        ("B-Update: Lager gezählt", two_people["b"].name),
    }
    assert len(load(files, "company_comments.json")) == 4
    checkins = load(files, "company_checkins.json")
    assert {(r["person"], r["response"]) for r in checkins["rsvps"]} == {
        (world.owner.name, "yes"),
        (two_people["b"].name, "no"),
    }
    everything = all_bytes(files)
    assert checkins["nudges_received"][0]["message"] == "Wie läuft es?"
    assert b"Fremd-Update" not in everything
    assert b"Moderation kommentiert" not in everything
    assert world.other_member.email.encode() not in everything
    for secret in two_people["secrets"]:
        assert secret.encode() not in everything
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert (entry.user_id, entry.target) == (world.owner.pk, f"company:{world.company.pk}")


def test_company_export_refuses_a_member(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        company_data_export(world.company, actor=world.member)
    assert not AuditEntry.objects.filter(action=Action.DATA_EXPORTED).exists()


def test_readme_in_the_persons_language(world):
    world.owner.language = "en"
    world.owner.save(update_fields=["language"])
    UpdateFactory(convoy=world.convoy, company=world.company, author=world.owner, body="x")
    files = unzip(personal_data_export(world.owner))
    readme = files["README.txt"].decode()
    assert readme.startswith(f"Your data at Konvoi: {world.owner.name}")
    assert "/privacy/" in readme and "profile.json" in readme
    assert "Company:" in next(v.decode() for k, v in files.items() if k.startswith("files/"))

    world.member.language = "de"
    world.member.save(update_fields=["language"])
    UpdateFactory(convoy=world.convoy, company=world.company, author=world.member, body="y")
    files = unzip(personal_data_export(world.member))
    readme = files["README.txt"].decode()
    assert "/privacy/" in readme
    md = next(v.decode() for k, v in files.items() if k.startswith("files/"))
    assert "Unternehmen:" in md


def test_readme_sentences_in_german(world):
    # Passes once this part's translations (/tmp/konvoi-i18n/export.po) are in locale/.
    files = unzip(personal_data_export(world.member))  # language "de"
    readme = files["README.txt"].decode()
    assert readme.startswith(f"Ihre Daten bei Konvoi: {world.member.name}")
    assert "Datenschutzerklärung" in readme


# --- web ---------------------------------------------------------------------------------


def web(user):
    client = Client()
    client.force_login(user)
    return client


def test_web_page_and_download(world):
    client = web(world.member)
    page = client.get("/profile/data/")
    assert page.status_code == 200
    assert b'data-testid="data-export-submit"' in page.content
    response = client.post("/profile/data/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="Konvoi-Daten-{world.member.handle}-{today}.zip"'
    )
    assert "profile.json" in unzip(response.content)
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert entry.user_id == world.member.pk


def test_profile_links_to_the_data_page(world):
    assert b'href="/profile/data/"' in web(world.member).get("/profile/").content


def test_web_download_needs_login(world):
    response = Client().post("/profile/data/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_web_download_is_rate_limited(world, settings):
    settings.DATA_EXPORT_RATE_LIMIT = 2
    client = web(world.member)
    assert [client.post("/profile/data/").status_code for _ in range(3)] == [200, 200, 429]
    assert AuditEntry.objects.filter(action=Action.DATA_EXPORTED).count() == 2


@pytest.mark.parametrize(
    ("who", "expected"),
    [("owner", 200), ("member", 403), ("facilitator", 403), ("outsider", 404)],
)
def test_web_company_download(world, who, expected):
    response = web(getattr(world, who)).post(f"/companies/{world.company.pk}/data/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/zip"
        assert "company.json" in unzip(response.content)
    else:
        assert not AuditEntry.objects.filter(action=Action.DATA_EXPORTED).exists()


def test_web_company_page_shows_the_button_to_owners_only(world):
    url = f"/companies/{world.company.pk}/"
    assert b'data-testid="company-data-export"' in web(world.owner).get(url).content
    assert b'data-testid="company-data-export"' not in web(world.member).get(url).content


def test_web_company_download_huge_id_is_404(world):
    assert web(world.owner).post(f"/companies/{HUGE}/data/").status_code == 404


# --- API ---------------------------------------------------------------------------------


def test_api_me_export(world, client_for):
    response = client_for(world.owner).post("/api/v1/me/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="Konvoi-Daten-{world.owner.handle}-'
    )
    assert load(unzip(response.content), "profile.json")["id"] == world.owner.pk
    assert client_for(None).post("/api/v1/me/export/").status_code == 401
    assert client_for(world.owner).get("/api/v1/me/export/").status_code == 405


def test_api_me_export_rate_limited(world, client_for, settings):
    settings.DATA_EXPORT_RATE_LIMIT = 1
    api = client_for(world.owner)
    assert api.post("/api/v1/me/export/").status_code == 200
    refused = api.post("/api/v1/me/export/")
    assert refused.status_code == 429 and "detail" in refused.json()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("owner", 200),
        ("member", 403),
        ("facilitator", 403),
        ("other_member", 404),
        ("outsider", 404),
        ("staff", 404),
    ],
)
def test_api_company_export(world, client_for, who, expected):
    response = client_for(getattr(world, who)).post(f"/api/v1/companies/{world.company.pk}/export/")
    assert response.status_code == expected
    if expected == 200:
        assert response["Content-Type"] == "application/zip"
        assert load(unzip(response.content), "company.json")["id"] == world.company.pk
    else:
        assert not AuditEntry.objects.filter(action=Action.DATA_EXPORTED).exists()


def test_api_company_export_huge_id_is_404(world, client_for):
    assert client_for(world.owner).post(f"/api/v1/companies/{HUGE}/export/").status_code == 404


# --- operators ---------------------------------------------------------------------------


def test_command_export_personal_data(world, tmp_path):
    out = tmp_path / "a.zip"
    call_command("export_personal_data", "--email", world.member.email.upper(), "--output", out)
    assert load(unzip(out.read_bytes()), "profile.json")["id"] == world.member.pk
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert (entry.target, entry.data) == (
        f"user:{world.member.pk}",
        {"format": "zip", "by": "operator"},
    )
    with pytest.raises(CommandError):
        call_command("export_personal_data", "--email", "nobody@example.com", "--output", out)


def test_command_export_company_data(world, tmp_path):
    out = tmp_path / "c.zip"
    call_command("export_company_data", "--company", str(world.company.pk), "--output", out)
    assert load(unzip(out.read_bytes()), "company.json")["id"] == world.company.pk
    entry = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert (entry.actor_id, entry.target, entry.data) == (
        None,
        f"company:{world.company.pk}",
        {"format": "zip", "by": "operator"},
    )
    with pytest.raises(CommandError):
        call_command("export_company_data", "--company", "999999", "--output", out)


def test_deleted_author_shows_as_former_member_in_company_export(world):
    gone = UserFactory(name="Gelöschte Person")
    UpdateFactory(convoy=world.convoy, company=world.company, author=gone, body="Alt")
    gone.deleted_at = timezone.now() - timedelta(days=1)
    gone.save(update_fields=["deleted_at"])
    files = unzip(company_data_export(world.company, actor=world.owner))
    assert b"Gel\xc3\xb6schte Person" not in all_bytes(files)
