"""The register's write path: recording companies and services, recomputing a record when a
service goes, merging duplicates, and the duplicate suggestions."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from companies.models import Company
from programmes.models import CompanyRecord, Service, Stage, Touch, TouchKind
from programmes.selectors import company_name_key, duplicate_suggestions
from programmes.services import (
    company_record_create,
    company_record_recompute,
    company_record_update,
    company_records_merge,
    company_touch,
    service_delete,
    service_record,
    service_update,
)
from tests.factories import (
    CompanyFactory,
    CompanyMemberFactory,
    ConvoyFactory,
    MembershipFactory,
    ProjectFactory,
    UserFactory,
)
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    # The site's language is German; these tests read the English messages, whichever test
    # ran before (a page request leaves its language active in the thread).
    with translation.override("en"):
        yield


def _record(pw, **overrides):
    values = {
        "programme": pw.programme,
        "by": pw.coach,
        "name": "Bäckerei Sonnenschein",
        "sector": "craft",
        "size": "2-9",
        "city": "Hagen",
        "postcode": "58095",
    }
    return company_record_create(**{**values, **overrides})


def _noon(day):
    return datetime.combine(day, time(12), tzinfo=ZoneInfo("Europe/Berlin"))


# --- recording a company ---------------------------------------------------------------------


def test_record_creates_a_company_without_members_and_a_lead(programme_world):
    pw = programme_world
    record = _record(pw, contact_name="Berta Brot", contact_email="berta@sonnenschein.de")

    assert record.stage == Stage.LEAD
    assert record.company.name == "Bäckerei Sonnenschein"
    assert not record.company.members.exists()
    assert (record.contact_name, record.contact_email) == ("Berta Brot", "berta@sonnenschein.de")
    touch = Touch.objects.get(programme=pw.programme, company=record.company)
    assert (touch.kind, touch.source) == (TouchKind.RECORDED, f"record:{record.company.pk}")
    assert record.first_touch_kind == record.last_touch_kind == TouchKind.RECORDED


def test_record_refuses_same_normalised_name_and_postcode_naming_the_record(programme_world):
    """Named by its name and postcode, not by its internal id (pages link it)."""
    pw = programme_world
    first = _record(pw)
    before = domain_state()

    with pytest.raises(ValidationError) as exc:
        _record(pw, name="  BAECKEREI sonnenschein GmbH ")

    assert "name" in exc.value.message_dict
    assert exc.value.message_dict["name"] == [
        "This programme's register already has “Bäckerei Sonnenschein” (58095): add to that"
        " record instead."
    ]
    assert first.pk
    assert domain_state() == before


def test_record_allows_same_name_with_another_postcode_or_in_another_programme(programme_world):
    pw = programme_world
    _record(pw)
    _record(pw, postcode="58119")
    _record(pw, programme=pw.other_programme, by=pw.other_coach)
    assert Company.objects.filter(name="Bäckerei Sonnenschein").count() == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sector", "bakery"),
        ("size", "7"),
        ("name", ""),
        ("contact_email", "nope"),
        ("website", "x"),
    ],
)
def test_record_refuses_bad_input_naming_the_field(programme_world, field, value):
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        _record(programme_world, **{field: value})
    assert field in exc.value.message_dict
    assert domain_state() == before


def test_record_refuses_non_staff(programme_world):
    with pytest.raises(PermissionDenied):
        _record(programme_world, by=programme_world.other_coach)


def test_record_update_changes_facts_of_a_company_without_members(programme_world):
    pw = programme_world
    record = _record(pw)
    company_record_update(
        record=record, by=pw.coach, city="Iserlohn", size="10-49", contact_name="Berta"
    )
    record.refresh_from_db()
    record.company.refresh_from_db()
    assert (record.company.city, record.company.size, record.contact_name) == (
        "Iserlohn",
        "10-49",
        "Berta",
    )


def test_record_update_of_a_member_company_changes_only_contact(programme_world, world):
    pw = programme_world
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        company_record_update(record=pw.record, by=pw.coach, name="Anders", contact_name="X")
    assert "name" in exc.value.message_dict
    assert domain_state() == before

    company_record_update(record=pw.record, by=pw.coach, contact_name="Olaf Owner")
    pw.record.refresh_from_db()
    world.company.refresh_from_db()
    assert pw.record.contact_name == "Olaf Owner"
    assert world.company.name == "Sanitär Schulte"


def test_record_update_refuses_renaming_into_a_duplicate(programme_world):
    pw = programme_world
    _record(pw)
    other = _record(pw, name="Fleischerei Funke")
    with pytest.raises(ValidationError) as exc:
        company_record_update(record=other, by=pw.coach, name="Bäckerei Sonnenschein e.K.")
    assert "name" in exc.value.message_dict


# --- services and the funnel -----------------------------------------------------------------


def test_five_touches_make_one_record_with_the_furthest_stage(programme_world):
    pw = programme_world
    record = _record(pw)
    company = record.company
    now = timezone.now()
    service_record(
        programme=pw.programme,
        company=company,
        kind="visit",
        category="test_before_invest",
        date=timezone.localdate() - timedelta(days=20),
        by=pw.coach,
    )
    company_touch(
        programme=pw.programme,
        company=company,
        kind=TouchKind.EVENT_ATTENDED,
        source="event:1",
        at=now - timedelta(days=40),
        label="Infoabend",
    )
    company_touch(
        programme=pw.programme,
        company=company,
        kind=TouchKind.CONVOY_JOINED,
        source="convoy:9",
        at=now - timedelta(days=10),
    )
    company_touch(
        programme=pw.programme,
        company=company,
        kind=TouchKind.CHECK_SUBMITTED,
        source="check:5",
        at=now - timedelta(days=5),
        label="Check",
    )

    assert CompanyRecord.objects.filter(programme=pw.programme, company=company).count() == 1
    record.refresh_from_db()
    assert record.stage == Stage.ENROLLED  # convoy beats the later check
    assert (record.first_touch_kind, record.first_touch_label) == ("event_attended", "Infoabend")
    assert record.last_touch_kind == TouchKind.RECORDED  # recorded just now
    assert Touch.objects.filter(programme=pw.programme, company=company).count() == 5


def test_service_touches_at_noon_of_its_date_with_the_kind_label(programme_world):
    pw = programme_world
    record = _record(pw)
    day = timezone.localdate() - timedelta(days=3)
    service = service_record(
        programme=pw.programme,
        company=record.company.pk,
        kind="check_review",
        category="skills_training",
        date=day,
        minutes=45,
        by=pw.manager,
    )
    touch = Touch.objects.get(source=f"service:{service.pk}")
    assert touch.at == _noon(day)
    assert touch.label == "check_review"  # the wire value, translated where shown
    assert service.coach == pw.manager  # the recorder by default
    record.refresh_from_db()
    assert record.stage == Stage.QUALIFIED


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("date", {"date": "future"}),
        ("minutes", {"minutes": 0}),
        ("minutes", {"minutes": 10001}),
        ("coach", {"coach": "outsider"}),
        ("kind", {"kind": "dinner"}),
        ("category", {"category": "fun"}),
    ],
)
def test_service_refuses_bad_input(programme_world, field, overrides):
    pw = programme_world
    values = {
        "programme": pw.programme,
        "company": pw.record.company,
        "kind": "visit",
        "category": "test_before_invest",
        "date": timezone.localdate(),
        "by": pw.coach,
    }
    if overrides.get("date") == "future":
        overrides = {"date": timezone.localdate() + timedelta(days=2)}
    if overrides.get("coach") == "outsider":
        overrides = {"coach": pw.outsider}
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        service_record(**{**values, **overrides})
    assert field in exc.value.message_dict
    assert domain_state() == before


def test_service_allows_tomorrow_and_the_bounds(programme_world):
    pw = programme_world
    for minutes in (1, 10000):
        service_record(
            programme=pw.programme,
            company=pw.record.company,
            kind="visit",
            category="test_before_invest",
            date=timezone.localdate() + timedelta(days=1),
            minutes=minutes,
            by=pw.coach,
        )


def test_service_for_a_company_outside_the_register_says_the_same_whether_it_exists(
    programme_world, world
):
    pw = programme_world
    messages = []
    for company in (world.other_company.pk, 987654):
        with pytest.raises(ValidationError) as exc:
            service_record(
                programme=pw.programme,
                company=company,
                kind="visit",
                category="test_before_invest",
                date=timezone.localdate(),
                by=pw.coach,
            )
        messages.append(exc.value.message_dict["company"])
    assert messages[0] == messages[1]
    assert "not in this programme's register" in messages[0][0]


def test_service_of_another_programme_company_is_refused(programme_world):
    pw = programme_world
    elsewhere = _record(pw, programme=pw.other_programme, by=pw.other_coach)
    with pytest.raises(ValidationError):
        service_record(
            programme=pw.programme,
            company=elsewhere.company,
            kind="visit",
            category="test_before_invest",
            date=timezone.localdate(),
            by=pw.coach,
        )


def test_service_update_moves_its_touch_and_recomputes(programme_world):
    pw = programme_world
    record = _record(pw)
    service = service_record(
        programme=pw.programme,
        company=record.company,
        kind="voucher",
        category="access_to_finance",
        date=timezone.localdate(),
        by=pw.coach,
    )
    record.refresh_from_db()
    assert record.stage == Stage.QUALIFIED
    earlier = timezone.localdate() - timedelta(days=400)

    service_update(service=service, by=pw.coach, kind="consultation", date=earlier, notes=" n ")

    touch = Touch.objects.get(source=f"service:{service.pk}")
    assert (touch.at, touch.label, touch.stage) == (_noon(earlier), "consultation", "engaged")
    record.refresh_from_db()
    assert record.stage == Stage.ENGAGED  # the voucher is gone: the stage follows the touches
    assert record.first_touch_at == _noon(earlier)
    service.refresh_from_db()
    assert service.notes == "n"


def test_service_delete_removes_its_touch_and_recomputes(programme_world):
    pw = programme_world
    record = pw.record  # convoy_joined 30 days ago, visit 2 days ago
    convoy_touch_at = record.first_touch_at
    service_delete(service=pw.service, by=pw.coach)

    assert not Service.objects.filter(pk=pw.service.pk).exists()
    assert not Touch.objects.filter(source=f"service:{pw.service.pk}").exists()
    record.refresh_from_db()
    assert record.stage == Stage.ENROLLED
    assert record.last_touch_kind == TouchKind.CONVOY_JOINED
    assert record.last_touch_at == convoy_touch_at


def test_service_delete_lowers_the_stage_to_the_remaining_touches(programme_world):
    pw = programme_world
    record = _record(pw)
    service = service_record(
        programme=pw.programme,
        company=record.company,
        kind="convoy",
        category="ecosystem_networking",
        date=timezone.localdate(),
        by=pw.coach,
    )
    record.refresh_from_db()
    assert record.stage == Stage.ENROLLED
    service_delete(service=service, by=pw.coach)
    record.refresh_from_db()
    assert (record.stage, record.last_touch_kind) == (Stage.LEAD, TouchKind.RECORDED)


def test_recompute_of_a_record_without_touches_keeps_it_as_a_recorded_lead(programme_world):
    pw = programme_world
    record = pw.record
    first_at = record.first_touch_at
    Touch.objects.filter(programme=pw.programme, company=record.company).delete()

    company_record_recompute(record=record)

    record.refresh_from_db()
    assert record.stage == Stage.LEAD
    assert record.first_touch_at == record.last_touch_at == first_at
    touch = Touch.objects.get(programme=pw.programme, company=record.company)
    assert touch.kind == TouchKind.RECORDED


# --- merging ---------------------------------------------------------------------------------


def test_merge_moves_touches_and_services_and_deletes_a_bare_duplicate(programme_world):
    pw = programme_world
    duplicate = _record(pw, name="Sanitär Schulte GmbH", contact_email="info@schulte.de")
    service = service_record(
        programme=pw.programme,
        company=duplicate.company,
        kind="workshop",
        category="skills_training",
        date=timezone.localdate() - timedelta(days=60),
        by=pw.coach,
    )
    dup_company_id = duplicate.company_id

    keep = company_records_merge(
        programme=pw.programme, keep=pw.record, duplicate=duplicate, by=pw.coach
    )

    assert not CompanyRecord.objects.filter(pk=duplicate.pk).exists()
    assert not Company.objects.filter(pk=dup_company_id).exists()
    service.refresh_from_db()
    assert service.company_id == keep.company_id
    kinds = set(
        Touch.objects.filter(programme=pw.programme, company=keep.company).values_list(
            "kind", flat=True
        )
    )
    assert kinds == {"convoy_joined", "service", "recorded"}
    assert keep.stage == Stage.ENROLLED
    assert keep.first_touch_kind == TouchKind.SERVICE  # the workshop 60 days ago
    assert keep.contact_email == "info@schulte.de"


def test_merge_drops_touches_the_kept_record_already_has(programme_world):
    pw = programme_world
    duplicate = _record(pw, name="Schulte Sanitär")
    for company in (pw.record.company, duplicate.company):
        company_touch(
            programme=pw.programme,
            company=company,
            kind=TouchKind.EVENT_REGISTERED,
            source="registration:1",
            at=timezone.now(),
        )
    company_records_merge(programme=pw.programme, keep=pw.record, duplicate=duplicate, by=pw.coach)
    assert Touch.objects.filter(source="registration:1").count() == 1


def test_merge_keeps_a_duplicate_company_used_elsewhere(programme_world):
    pw = programme_world
    duplicate = _record(pw, name="Schulte")
    _record(pw, programme=pw.other_programme, by=pw.other_coach, name="Schulte")
    company_touch(
        programme=pw.other_programme,
        company=duplicate.company,
        kind=TouchKind.RECORDED,
        source="x",
        at=timezone.now(),
    )
    company_records_merge(programme=pw.programme, keep=pw.record, duplicate=duplicate, by=pw.coach)
    assert Company.objects.filter(pk=duplicate.company_id).exists()


@pytest.mark.parametrize("holds", ["convoy", "project"])
def test_merge_keeps_a_duplicate_company_with_a_convoy_or_project(programme_world, holds):
    pw = programme_world
    duplicate = _record(pw, name="Schulte")
    if holds == "convoy":
        MembershipFactory(convoy=ConvoyFactory(), company=duplicate.company)
    else:
        ProjectFactory(company=duplicate.company)
    company_records_merge(programme=pw.programme, keep=pw.record, duplicate=duplicate, by=pw.coach)
    assert Company.objects.filter(pk=duplicate.company_id).exists()
    assert not CompanyRecord.objects.filter(pk=duplicate.pk).exists()


def test_merge_refuses_two_companies_with_accounts(programme_world, world):
    pw = programme_world
    other = company_touch(
        programme=pw.programme,
        company=world.other_company,
        kind=TouchKind.RECORDED,
        source="r",
        at=timezone.now(),
    )
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        company_records_merge(programme=pw.programme, keep=pw.record, duplicate=other, by=pw.coach)
    assert "accounts" in exc.value.message_dict["duplicate"][0]
    assert domain_state() == before


def test_merge_refuses_a_duplicate_with_accounts_into_a_bare_record(programme_world):
    pw = programme_world
    bare = _record(pw, name="Schulte")
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        company_records_merge(programme=pw.programme, keep=bare, duplicate=pw.record, by=pw.coach)
    assert "duplicate" in exc.value.message_dict
    assert domain_state() == before


def test_merge_refuses_a_record_into_itself_and_other_programmes_records(programme_world):
    pw = programme_world
    elsewhere = _record(pw, programme=pw.other_programme, by=pw.other_coach)
    before = domain_state()
    with pytest.raises(ValidationError) as exc:
        company_records_merge(
            programme=pw.programme, keep=pw.record, duplicate=pw.record, by=pw.coach
        )
    assert "duplicate" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        company_records_merge(
            programme=pw.programme, keep=pw.record, duplicate=elsewhere, by=pw.coach
        )
    assert "duplicate" in exc.value.message_dict
    assert domain_state() == before


# --- duplicate suggestions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Bäckerei Sonnenschein GmbH", "baeckerei sonnenschein"),
        ("Müller & Söhne GmbH & Co. KG", "Mueller Soehne"),
        ("Schmidt e.K.", "SCHMIDT"),
        ("Holz-Bau UG (haftungsbeschränkt)", "Holz Bau"),
        ("Café Kranz KG", "Cafe Kranz"),
    ],
)
def test_name_key_folds_case_umlauts_punctuation_and_legal_forms(a, b):
    assert company_name_key(a) == company_name_key(b)


def test_name_key_keeps_different_names_apart():
    assert company_name_key("Schmidt Bau") != company_name_key("Schmidt Elektro")


def test_duplicates_by_name_and_postcode(programme_world):
    pw = programme_world
    a = _record(pw, name="Bäckerei Sonnenschein GmbH")
    b = _record(pw, name="Baeckerei Sonnenschein", postcode="58119")
    Company.objects.filter(pk=b.company_id).update(postcode="58095")  # as if edited later
    _record(pw, name="Bäckerei Sonnenschein", postcode="44135")  # elsewhere: not a pair

    pairs = duplicate_suggestions(programme=pw.programme)

    assert [(p.first.pk, p.second.pk, p.reason) for p in pairs] == [(a.pk, b.pk, "name_postcode")]


def test_duplicates_by_email_domain_of_contacts_and_owners_ignoring_freemail(
    programme_world, world
):
    pw = programme_world
    world.owner.email = "olaf@sanitaer-schulte.de"
    world.owner.save(update_fields=["email"])
    a = _record(pw, name="Schulte Haustechnik", contact_email="info@Sanitaer-Schulte.de")
    _record(pw, name="Irgendwer", contact_email="x@gmail.com")
    _record(pw, name="Noch wer", contact_email="y@gmail.com", postcode="1")
    _record(pw, name="Web", contact_email="z@web.de", postcode="2")

    pairs = duplicate_suggestions(programme=pw.programme)

    # Matched through the owner's account address: the domain itself is not shown.
    assert [(p.first.pk, p.second.pk, p.reason, p.domain) for p in pairs] == [
        (pw.record.pk, a.pk, "email_domain", "")
    ]
    assert duplicate_suggestions(programme=pw.programme, record=a)[0].second.pk == a.pk


def test_duplicates_take_constant_queries(programme_world, django_assert_num_queries):
    pw = programme_world
    for n in range(3):
        _record(pw, name=f"Firma {n}", contact_email=f"a{n}@firma{n % 2}.de", postcode=str(n))
    with django_assert_num_queries(2):
        small = duplicate_suggestions(programme=pw.programme)
    for n in range(3, 20):
        _record(pw, name=f"Firma {n}", contact_email=f"a{n}@firma{n % 2}.de", postcode=str(n))
        user = UserFactory(email=f"owner{n}@firma{n % 2}.de")
        company = CompanyFactory()
        CompanyMemberFactory(company=company, user=user, role="owner")
    with django_assert_num_queries(2):
        large = duplicate_suggestions(programme=pw.programme)
    assert len(large) > len(small)
