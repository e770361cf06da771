"""The register pages: list with search and filters, recording a company, the record page,
services, duplicates and merging; German and English; query counts pinned."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from companies.models import Company
from programmes.models import CompanyRecord, Service, Stage
from programmes.services import company_record_create, service_record
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db


def _client(user, language="en"):
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def _bakery(pw, **overrides):
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


def _base(pw):
    return f"/programmes/{pw.programme.pk}/"


def test_register_page_lists_cards_with_stage_and_touches(programme_world, world):
    pw = programme_world
    _bakery(pw)
    response = _client(pw.coach).get(_base(pw) + "companies/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="register-record"' in html
    assert "Sanitär Schulte" in html and "Bäckerei Sonnenschein" in html
    assert "Enrolled" in html and "Lead" in html
    assert "2 companies" in html


def test_register_page_in_german(programme_world):
    pw = programme_world
    response = _client(pw.coach, "de").get(_base(pw) + "companies/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="de"' in html


def test_register_page_search_and_filters(programme_world):
    pw = programme_world
    _bakery(pw, name="Stahlbau Kramer", sector="industry", size="250+", postcode="1")
    client = _client(pw.manager)

    def names(**params):
        response = client.get(_base(pw) + "companies/", params)
        assert response.status_code == 200
        return response.content.decode()

    assert "Stahlbau" in names(q="stahl") and "Sanitär Schulte" not in names(q="stahl")
    assert "Stahlbau" in names(size_class="large")
    assert "Stahlbau" not in names(stage="enrolled")
    assert "Stahlbau" in names(sector="industry", region="Hagen")
    # an unknown filter value is ignored, not a 500
    assert "Stahlbau" in names(stage="nonsense")


def test_register_page_paginates_keeping_filters(programme_world):
    pw = programme_world
    for i in range(27):
        _bakery(pw, name=f"Betrieb {i}", postcode=str(i))
    response = _client(pw.coach).get(_base(pw) + "companies/", {"q": "Betrieb"})
    html = response.content.decode()
    assert html.count('data-testid="register-record"') == 25
    assert "?q=Betrieb&amp;page=2" in html
    page2 = _client(pw.coach).get(_base(pw) + "companies/", {"q": "Betrieb", "page": 2})
    assert page2.content.decode().count('data-testid="register-record"') == 2


def test_record_a_company_page(programme_world):
    pw = programme_world
    client = _client(pw.coach)
    assert client.get(_base(pw) + "companies/new/").status_code == 200
    response = client.post(
        _base(pw) + "companies/new/",
        {"name": "Bäckerei Sonnenschein", "sector": "craft", "size": "1", "city": "Hagen"},
    )
    assert response.status_code == 302
    record = CompanyRecord.objects.get(
        programme=pw.programme, company__name="Bäckerei Sonnenschein"
    )
    assert response["Location"] == f"{_base(pw)}companies/{record.pk}/"

    before = domain_state()
    response = client.post(
        _base(pw) + "companies/new/",
        {"name": "Baeckerei Sonnenschein GmbH", "sector": "craft", "size": "1", "city": "Hagen"},
    )
    assert response.status_code == 400
    assert "already has" in response.content.decode()
    assert domain_state() == before


def test_record_page_shows_facts_stage_touches_services_and_suggestions(programme_world, world):
    pw = programme_world
    _bakery(pw, contact_email="info@" + world.owner.email.rpartition("@")[2])
    response = _client(pw.coach).get(_base(pw) + f"companies/{pw.record.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-current="step"' in html
    # the funnel explained from the rule itself (programmes.services.TOUCH_STAGE)
    assert "Took the Digitalisierungs-Check" in html
    assert html.count('data-testid="touch"') == 2
    assert html.count('data-testid="service"') == 1
    assert 'data-testid="merge-suggestions"' in html
    assert "Yes: the company keeps its details itself." in html


def test_record_a_service_on_the_record_page(programme_world):
    pw = programme_world
    bakery = _bakery(pw)
    client = _client(pw.coach)
    url = _base(pw) + f"companies/{bakery.pk}/services/new/"
    response = client.post(
        url,
        {
            "service-kind": "voucher",
            "service-category": "access_to_finance",
            "service-date": str(timezone.localdate()),
            "service-minutes": "30",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    bakery.refresh_from_db()
    assert bakery.stage == Stage.QUALIFIED
    service = Service.objects.get(company=bakery.company)
    assert service.coach == pw.coach

    before = domain_state()
    response = client.post(
        url,
        {
            "service-kind": "visit",
            "service-category": "access_to_finance",
            "service-date": str(timezone.localdate() + timedelta(days=3)),
        },
    )
    assert response.status_code == 400
    assert domain_state() == before


def test_edit_and_delete_a_service(programme_world):
    pw = programme_world
    client = _client(pw.manager)
    url = _base(pw) + f"services/{pw.service.pk}/"
    assert client.get(url + "edit/").status_code == 200
    response = client.post(
        url + "edit/",
        {
            "service-kind": "consultation",
            "service-category": "skills_training",
            "service-date": str(timezone.localdate()),
            "service-coach": str(pw.coach.pk),
            "service-notes": "Telefonat",
        },
    )
    assert response.status_code == 302
    pw.service.refresh_from_db()
    assert (pw.service.kind, pw.service.notes) == ("consultation", "Telefonat")

    assert client.get(url + "delete/").status_code == 200
    response = client.post(url + "delete/")
    assert response.status_code == 302
    assert response["Location"] == _base(pw) + f"companies/{pw.record.pk}/"
    assert not Service.objects.filter(pk=pw.service.pk).exists()


def test_edit_record_contact_only_for_member_companies(programme_world, world):
    pw = programme_world
    client = _client(pw.coach)
    url = _base(pw) + f"companies/{pw.record.pk}/edit/"
    html = client.get(url).content.decode()
    assert 'name="name"' not in html and 'name="contact_name"' in html
    response = client.post(url, {"contact_name": "Olaf", "name": "Anders"})
    assert response.status_code == 302
    world.company.refresh_from_db()
    assert world.company.name == "Sanitär Schulte"

    bakery = _bakery(pw)
    url = _base(pw) + f"companies/{bakery.pk}/edit/"
    response = client.post(
        url, {"name": "Backhaus Sonnenschein", "sector": "craft", "size": "1", "city": "Hagen"}
    )
    assert response.status_code == 302
    bakery.company.refresh_from_db()
    assert bakery.company.name == "Backhaus Sonnenschein"


def test_duplicates_page_and_merge_with_confirmation(programme_world):
    pw = programme_world
    first = _bakery(pw)
    second = _bakery(pw, name="Bäckerei Sonnenschein e.K.", postcode="58099")
    Company.objects.filter(pk=second.company_id).update(postcode="58095")  # a later correction
    client = _client(pw.coach)
    html = client.get(_base(pw) + "companies/duplicates/").content.decode()
    assert 'data-testid="duplicate-pair"' in html

    url = _base(pw) + f"companies/{first.pk}/merge/{second.pk}/"
    before = domain_state()
    assert client.get(url).status_code == 200
    assert domain_state() == before
    response = client.post(url)
    assert response.status_code == 302
    assert not CompanyRecord.objects.filter(pk=second.pk).exists()
    assert not Company.objects.filter(pk=second.company_id).exists()


def test_merge_refusal_is_shown_and_changes_nothing(programme_world):
    pw = programme_world
    bakery = _bakery(pw)
    client = _client(pw.coach)
    before = domain_state()
    response = client.post(_base(pw) + f"companies/{bakery.pk}/merge/{pw.record.pk}/")
    assert response.status_code == 400
    assert 'data-testid="merge-error"' in response.content.decode()
    assert domain_state() == before


def test_other_programme_record_and_service_are_404(programme_world):
    pw = programme_world
    elsewhere = _bakery(pw, programme=pw.other_programme, by=pw.other_coach)
    service = service_record(
        programme=pw.other_programme,
        company=elsewhere.company,
        kind="visit",
        category="test_before_invest",
        date=timezone.localdate(),
        by=pw.other_coach,
    )
    client = _client(pw.manager)
    for url in [
        f"companies/{elsewhere.pk}/",
        f"companies/{elsewhere.pk}/edit/",
        f"companies/{elsewhere.pk}/services/new/",
        f"companies/{pw.record.pk}/merge/{elsewhere.pk}/",
        f"services/{service.pk}/edit/",
        f"services/{service.pk}/delete/",
    ]:
        assert client.get(_base(pw) + url).status_code == 404, url


def _grow(pw, n):
    start = CompanyRecord.objects.count()
    for i in range(start, start + n):
        record = _bakery(pw, name=f"Betrieb {i}", postcode=str(i), contact_email=f"a@b{i % 3}.de")
        service_record(
            programme=pw.programme,
            company=record.company,
            kind="visit",
            category="test_before_invest",
            date=timezone.localdate(),
            by=pw.coach,
        )
        service_record(
            programme=pw.programme,
            company=pw.record.company,
            kind="workshop",
            category="skills_training",
            date=timezone.localdate(),
            by=pw.coach,
        )


@pytest.mark.parametrize("page", ["companies/", "companies/{record}/", "companies/duplicates/"])
def test_register_pages_take_constant_queries(programme_world, django_assert_num_queries, page):
    pw = programme_world
    client = _client(pw.coach)
    url = _base(pw) + page.format(record=pw.record.pk)
    counts = []
    for size in (2, 12):
        _grow(pw, size)
        client.get(url)  # warm-up
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts


def test_register_page_and_record_page_query_counts_are_pinned(
    programme_world, django_assert_num_queries
):
    pw = programme_world
    client = _client(pw.coach)
    for size in (2, 12):
        _grow(pw, size)
        client.get(_base(pw) + "companies/")  # warm-up: the first request fills the session
        # session, user, notifications badge; staff gate, regions, count, page
        with django_assert_num_queries(REGISTER_QUERIES):
            client.get(_base(pw) + "companies/")
        # session, user, notifications badge; staff gate, record, accounts, touches, services,
        # duplicates (records, owners), coaches; the checks the programme may see (the
        # register's check touches, the checks), the reader's unfinished ones (1) and the
        # stages of those it may not see (1)
        with django_assert_num_queries(RECORD_QUERIES):
            client.get(_base(pw) + f"companies/{pw.record.pk}/")


REGISTER_QUERIES = 7
RECORD_QUERIES = 15
