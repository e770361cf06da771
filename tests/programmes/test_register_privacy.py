"""Register privacy and the fixes of the register pages: no convoy content and no person's
name in touch labels (and the data migration scrubbing old ones), service dates from 2000 on,
no owner's e-mail domain in duplicate suggestions, no internal id in the duplicate refusal,
ISO dates in the service forms, umlaut-folding search, the region on the cards."""

import importlib
import re
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation

from programmes.models import CompanyRecord, Service, Touch
from programmes.selectors import company_register, duplicate_suggestions
from programmes.services import company_record_create, company_touch, service_record
from projects.services import project_create
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db

SECRET = "GEHEIM Insolvenzplan"


@pytest.fixture(autouse=True)
def _in_english():
    # The site's language is German; these tests read the English messages, whichever test
    # ran before (a page request leaves its language active in the thread).
    with translation.override("en"):
        yield


def _client(user, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


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


# --- 1. project titles never reach the register ---------------------------------------------


def test_a_project_title_never_reaches_the_register_api_or_pages(
    programme_world, world, client_for
):
    pw = programme_world
    project = project_create(
        actor=world.owner, company=world.company, title=SECRET, category="other", status="done"
    )
    touches = Touch.objects.filter(source=f"project:{project.pk}")
    assert {t.kind for t in touches} == {"project_started", "project_completed"}
    assert {t.label for t in touches} == {""}
    pw.record.refresh_from_db()
    assert pw.record.last_touch_kind == "project_completed"
    assert pw.record.last_touch_label == ""

    api = client_for(pw.coach)
    page = _client(pw.coach)
    base = f"/programmes/{pw.programme.pk}/companies/"
    for body in (
        api.get(f"/api/v1/programmes/{pw.programme.pk}/companies/").content.decode(),
        api.get(f"/api/v1/programmes/{pw.programme.pk}/companies/{pw.record.pk}/").content.decode(),
        page.get(base).content.decode(),
        page.get(f"{base}{pw.record.pk}/").content.decode(),
    ):
        assert "GEHEIM" not in body
    # The kind still says what happened.
    assert "Project completed" in page.get(f"{base}{pw.record.pk}/").content.decode()


def test_recording_a_company_stores_no_name_of_the_staff_member(programme_world):
    pw = programme_world
    record = _record(pw)
    assert record.first_touch_label == record.last_touch_label == ""
    assert Touch.objects.get(company=record.company, kind="recorded").label == ""


def test_the_migration_scrubs_project_and_recorded_labels_and_keeps_the_others(
    programme_world, world
):
    pw = programme_world
    company_touch(
        programme=pw.programme,
        company=world.company,
        kind="project_started",
        source="project:999",
        at=timezone.now(),
        label=SECRET,
    )
    bakery = _record(pw)
    Touch.objects.filter(company=bakery.company, kind="recorded").update(label="Conrad Coach")
    CompanyRecord.objects.filter(pk=bakery.pk).update(
        first_touch_label="Conrad Coach", last_touch_label="Conrad Coach"
    )
    migration = importlib.import_module("programmes.migrations.0002_scrub_touch_labels")

    migration.scrub(apps, None)

    assert not Touch.objects.filter(label__in=[SECRET, "Conrad Coach"]).exists()
    assert not CompanyRecord.objects.filter(first_touch_label__in=[SECRET, "Conrad Coach"])
    assert not CompanyRecord.objects.filter(last_touch_label__in=[SECRET, "Conrad Coach"])
    # A convoy's name stays: it is the programme's own convoy.
    assert Touch.objects.get(kind="convoy_joined", company=world.company).label == world.convoy.name


# --- 3. service dates from 2000 on ----------------------------------------------------------


def test_a_service_before_2000_is_refused_on_date_and_changes_nothing(programme_world, client_for):
    pw = programme_world
    before = domain_state()
    response = client_for(pw.coach).post(
        f"/api/v1/programmes/{pw.programme.pk}/services/",
        {
            "company": pw.record.company_id,
            "kind": "visit",
            "category": "test_before_invest",
            "date": "0001-01-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "2000" in response.json()["date"][0]
    assert domain_state() == before
    with pytest.raises(ValidationError) as exc:
        service_record(
            programme=pw.programme,
            company=pw.record.company_id,
            kind="visit",
            category="test_before_invest",
            date=date(1999, 12, 31),
            by=pw.coach,
        )
    assert "date" in exc.value.message_dict
    with translation.override("de"):
        response = client_for(pw.coach).post(
            f"/api/v1/programmes/{pw.programme.pk}/services/",
            {
                "company": pw.record.company_id,
                "kind": "visit",
                "category": "test_before_invest",
                "date": "1999-12-31",
            },
            format="json",
        )
    assert response.status_code == 400 and "2000" in response.json()["date"][0]
    service = service_record(
        programme=pw.programme,
        company=pw.record.company_id,
        kind="visit",
        category="test_before_invest",
        date=date(2000, 1, 1),
        by=pw.coach,
    )
    assert service.date == date(2000, 1, 1)


# --- 4. no owner's e-mail domain in duplicates -----------------------------------------------


def test_duplicates_by_an_owners_domain_do_not_show_the_domain(programme_world, world, client_for):
    pw = programme_world
    world.owner.email = "olaf@privat-schulte.de"
    world.owner.save(update_fields=["email"])
    other = _record(pw, name="Schulte Haustechnik", contact_email="info@privat-schulte.de")
    response = client_for(pw.coach).get(
        f"/api/v1/programmes/{pw.programme.pk}/companies/duplicates/"
    )
    pairs = response.json()
    assert [(p["first"]["id"], p["second"]["id"], p["reason"]) for p in pairs] == [
        (pw.record.pk, other.pk, "email_domain")
    ]
    assert pairs[0]["domain"] == ""
    assert "privat-schulte.de" not in _client(pw.coach).get(
        f"/programmes/{pw.programme.pk}/companies/duplicates/"
    ).content.decode().replace("info@privat-schulte.de", "")


def test_duplicates_by_both_contact_e_mails_show_the_domain(programme_world):
    pw = programme_world
    first = _record(pw, contact_email="a@sonnenschein.de")
    second = _record(pw, name="Backstube", contact_email="b@sonnenschein.de")
    pairs = duplicate_suggestions(programme=pw.programme)
    assert [(p.first.pk, p.second.pk, p.domain) for p in pairs] == [
        (first.pk, second.pk, "sonnenschein.de")
    ]


# --- 9. the duplicate refusal names the record, not its id ------------------------------------


def test_duplicate_refusal_has_no_internal_id_and_the_page_links_the_record(programme_world):
    pw = programme_world
    existing = _record(pw)
    with pytest.raises(ValidationError) as exc:
        _record(pw, name="Baeckerei Sonnenschein GmbH")
    message = exc.value.message_dict["name"][0]
    assert "Bäckerei Sonnenschein" in message and "58095" in message
    assert str(existing.pk) not in re.sub(r"58095", "", message)

    client = _client(pw.coach)
    before = domain_state()
    response = client.post(
        f"/programmes/{pw.programme.pk}/companies/new/",
        {
            "name": "Bäckerei Sonnenschein",
            "sector": "craft",
            "size": "2-9",
            "city": "Hagen",
            "postcode": "58095",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-testid="existing-record"' in html
    assert f'href="/programmes/{pw.programme.pk}/companies/{existing.pk}/"' in html
    assert domain_state() == before


# --- 5. ISO dates in the service forms -------------------------------------------------------


def test_service_forms_render_iso_dates_and_an_unchanged_edit_saves(programme_world):
    pw = programme_world
    client = _client(pw.coach, "de")
    record_page = client.get(f"/programmes/{pw.programme.pk}/companies/{pw.record.pk}/")
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in record_page.content.decode()

    service = Service.objects.get(pk=pw.service.pk)
    edit_url = f"/programmes/{pw.programme.pk}/services/{service.pk}/edit/"
    html = client.get(edit_url).content.decode()
    assert f'value="{service.date.isoformat()}"' in html
    form = {
        "service-kind": service.kind,
        "service-category": service.category,
        "service-date": service.date.isoformat(),
        "service-minutes": service.minutes or "",
        "service-coach": "",
        "service-notes": service.notes,
    }
    response = client.post(edit_url, form)
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_coach_list_has_me_once(programme_world):
    pw = programme_world
    html = (
        _client(pw.coach)
        .get(f"/programmes/{pw.programme.pk}/companies/{pw.record.pk}/")
        .content.decode()
    )
    assert "Conrad Coach" not in html.split('name="service-coach"')[1].split("</select>")[0]
    assert "Maren Manager" in html.split('name="service-coach"')[1].split("</select>")[0]


# --- 11. search folds umlauts; the card shows the region ------------------------------------


@pytest.mark.parametrize("q", ["baeckerei", "BÄCKEREI", "Bäckerei", "sonnensch", "58095"])
def test_search_folds_case_and_umlauts(programme_world, q):
    pw = programme_world
    bakery = _record(pw)
    assert list(company_register(programme=pw.programme, q=q)) == [bakery]


def test_search_by_a_written_out_umlaut_in_the_city(programme_world):
    pw = programme_world
    bakery = _record(pw, city="Lüdenscheid")
    assert list(company_register(programme=pw.programme, q="luedenscheid")) == [bakery]
    assert list(company_register(programme=pw.programme, q="LÜDEN")) == [bakery]
    assert list(company_register(programme=pw.programme, q="muenster")) == []


def test_the_register_card_shows_the_region_when_set(programme_world):
    pw = programme_world
    _record(pw, city="Iserlohn", region="Märkischer Kreis")
    _record(pw, name="Hagener Hof", city="Hagen", region="Hagen")
    html = (
        _client(pw.coach)
        .get(f"/programmes/{pw.programme.pk}/companies/?region=M%C3%A4rkischer+Kreis")
        .content.decode()
    )
    assert 'data-testid="record-region">Märkischer Kreis<' in html
    assert 'class="register-filter-fold" open' in html
    html = _client(pw.coach).get(f"/programmes/{pw.programme.pk}/companies/").content.decode()
    assert 'class="register-filter-fold" open' not in html
    assert html.count('data-testid="record-region"') == 1  # not "Hagen" twice


def test_the_record_page_says_a_place_once_and_touches_count_as_a_stage(programme_world):
    pw = programme_world
    bakery = _record(pw, city="Hagen", region="Hagen")
    html = (
        _client(pw.coach)
        .get(f"/programmes/{pw.programme.pk}/companies/{bakery.pk}/")
        .content.decode()
    )
    assert "Hagen (Hagen)" not in html
    assert "counts as “Lead”" in html
