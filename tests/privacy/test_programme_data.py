"""Programme staff and the register in the data-protection features: a person's export holds
their programme roles and the services they recorded; the last manager of a programme others
work in must hand over before deleting the account; a deleted company leaves the programmes'
counts intact but not the contact person they noted down."""

import io
import json
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from privacy.erasure import account_delete, account_delete_plan, company_delete
from privacy.export import personal_data_export
from programmes.models import CompanyRecord, Service, Staff
from programmes.services import company_record_create
from tests.factories import StaffFactory


def _programmes_json(user) -> dict:
    with zipfile.ZipFile(io.BytesIO(personal_data_export(user))) as archive:
        assert "programmes.json" in archive.read("README.txt").decode()
        return json.loads(archive.read("programmes.json"))


def test_export_holds_the_persons_programme_roles_and_services(world, programme_world):
    pw = programme_world
    pw.service.notes = "Warenwirtschaft besprochen, Angebot folgt"
    pw.service.created_by = pw.coach
    pw.service.save(update_fields=["notes", "created_by"])

    data = _programmes_json(pw.coach)

    assert data["staff"] == [
        {
            "programme": {"id": pw.programme.pk, "name": "Kompetenzzentrum Hagen"},
            "role": "coach",
            "added_at": data["staff"][0]["added_at"],
        }
    ]
    assert [(s["id"], s["you_delivered"], s["notes"]) for s in data["services"]] == [
        (pw.service.pk, True, "Warenwirtschaft besprochen, Angebot folgt")
    ]
    # Credited as the coach of a service someone else recorded: no notes (they are the
    # recorder's writing).
    pw.service.created_by = pw.manager
    pw.service.save(update_fields=["created_by"])
    assert "notes" not in _programmes_json(pw.coach)["services"][0]
    # The manager invited an address: the invitation is listed, the address is not.
    sent = _programmes_json(pw.manager)["staff_invitations_sent"]
    assert [(i["role"], i["state"]) for i in sent] == [("coach", "open")]
    assert "neuer-coach@example.com" not in json.dumps(sent)


def test_someone_outside_programmes_gets_empty_lists(world):
    assert _programmes_json(world.outsider) == {
        "staff": [],
        "staff_invitations_sent": [],
        "services": [],
        "contact_person_of": [],
    }


def test_a_contact_person_finds_and_loses_their_entry(world, programme_world):
    pw = programme_world
    CompanyRecord.objects.filter(pk=pw.record.pk).update(
        contact_name="Oskar Outsider", contact_email=world.outsider.email.upper()
    )
    entries = _programmes_json(world.outsider)["contact_person_of"]
    assert [(e["company"]["id"], e["contact_name"]) for e in entries] == [
        (world.company.pk, "Oskar Outsider")
    ]

    account_delete(world.outsider, actor=world.outsider)

    pw.record.refresh_from_db()
    assert (pw.record.contact_name, pw.record.contact_email) == ("", "")


def test_the_last_manager_of_a_programme_others_work_in_must_hand_over(world, programme_world):
    pw = programme_world
    plan = account_delete_plan(user=pw.manager)
    assert [(b.code, b.programme_id) for b in plan.blockers] == [("last_manager", pw.programme.pk)]
    with translation.override("en"), pytest.raises(ValidationError) as exc:
        account_delete(pw.manager, actor=pw.manager)
    assert "last manager" in str(exc.value)
    assert Staff.objects.filter(user=pw.manager).exists()

    # With a second manager the way is free.
    StaffFactory(programme=pw.programme, role="manager")
    assert account_delete_plan(user=pw.manager).blockers == []


def test_someone_alone_in_a_programme_may_delete_the_account(world):
    from tests.factories import ProgrammeFactory, UserFactory

    alone = UserFactory()
    StaffFactory(programme=ProgrammeFactory(), user=alone, role="manager")
    assert account_delete_plan(user=alone).blockers == []
    account_delete(alone, actor=alone)
    assert not Staff.objects.filter(user=alone).exists()


def test_a_coach_is_no_blocker(world, programme_world):
    assert account_delete_plan(user=programme_world.coach).blockers == []


def test_the_delete_page_links_the_staff_page(world, programme_world):
    client = Client()
    client.force_login(programme_world.manager)
    page = client.get("/profile/delete/").content.decode()
    assert 'data-code="last_manager"' in page
    assert f"/programmes/{programme_world.programme.pk}/staff/" in page


def test_a_deleted_company_keeps_its_services_but_not_the_contact(world, programme_world):
    pw = programme_world
    record = company_record_create(
        programme=pw.programme,
        by=pw.coach,
        name="Bäckerei Hoffmann",
        sector="craft",
        size="10-49",
        city="Hagen",
        postcode="58095",
        contact_name="Hanna Hoffmann",
        contact_email="hanna@baeckerei-hoffmann.example",
    )
    CompanyRecord.objects.filter(company=world.company).update(
        contact_name="Olaf Owner", contact_email="olaf@example.com"
    )

    company_delete(world.company, actor=world.owner)

    kept = CompanyRecord.objects.get(programme=pw.programme, company=world.company)
    assert (kept.contact_name, kept.contact_email) == ("", "")
    assert kept.stage == pw.record.stage
    assert Service.objects.filter(company=world.company).count() == 1
    world.company.refresh_from_db()
    assert world.company.postcode == ""
    # Other companies' records are untouched.
    record.refresh_from_db()
    assert record.contact_name == "Hanna Hoffmann"
