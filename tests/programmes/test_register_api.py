"""The register API as the contract: company records and services for a programme's staff,
404 for anything of another programme, 400s naming the field with nothing changed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from companies.models import Company
from programmes.models import CompanyRecord, Service, Stage, Touch
from programmes.services import company_record_create, service_record
from tests.factories import CompanyFactory
from tests.support.domain import domain_state

pytestmark = pytest.mark.django_db

BAKERY = {
    "name": "Bäckerei Sonnenschein",
    "sector": "craft",
    "size": "2-9",
    "city": "Hagen",
    "postcode": "58095",
    "contact_name": "Berta Brot",
    "contact_email": "berta@sonnenschein.de",
}


def _bakery(pw, programme=None, by=None, **overrides):
    values = dict(BAKERY)
    values.update(overrides)
    return company_record_create(programme=programme or pw.programme, by=by or pw.coach, **values)


def _url(pw, tail=""):
    return f"/api/v1/programmes/{pw.programme.pk}/{tail}"


# --- records ---------------------------------------------------------------------------------


def test_register_list_shape(programme_world, client_for, world):
    pw = programme_world
    response = client_for(pw.coach).get(_url(pw, "companies/"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["id"] == pw.record.pk
    assert row["company"] == {
        "id": world.company.pk,
        "name": "Sanitär Schulte",
        "sector": "craft",
        "size": "2-9",
        "city": "Hagen",
        "postcode": "",
        "region": "",
    }
    assert row["stage"] == "enrolled"
    assert row["first_touch"]["kind"] == "convoy_joined"
    assert row["last_touch"]["kind"] == "service"
    assert set(row["last_touch"]) == {"at", "kind", "label"}
    assert row["services_count"] == 1


def test_register_list_filters(programme_world, client_for):
    pw = programme_world
    bakery = _bakery(pw, region="Märkischer Kreis")
    _bakery(
        pw,
        name="Stahlbau Kramer",
        sector="industry",
        size="50-249",
        city="Lüdenscheid",
        postcode="58507",
    )
    client = client_for(pw.manager)

    def ids(**params):
        response = client.get(_url(pw, "companies/"), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids(q="SONNEN") == [bakery.pk]
    assert ids(q="58095") == [bakery.pk]
    assert ids(q="lüdenscheid") == ids(q="LÜDENSCHEID") != []
    assert ids(stage="lead") == ids(stage=Stage.LEAD) and pw.record.pk not in ids(stage="lead")
    assert ids(sector="industry") != [] and bakery.pk not in ids(sector="industry")
    assert set(ids(size_class="micro")) == {bakery.pk, pw.record.pk}
    assert ids(size_class="large") == []
    assert ids(region="Märkischer Kreis") == [bakery.pk]
    assert ids(region="Hagen") == [pw.record.pk]  # no region: its city counts


@pytest.mark.parametrize("param", ["stage", "sector", "size_class"])
def test_register_list_refuses_unknown_filter_values(programme_world, client_for, param):
    response = client_for(programme_world.coach).get(
        _url(programme_world, "companies/"), {param: "nonsense"}
    )
    assert response.status_code == 400
    assert param in response.json()


def test_record_a_company(programme_world, client_for):
    pw = programme_world
    response = client_for(pw.coach).post(_url(pw, "companies/"), BAKERY, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["stage"] == "lead"
    assert body["has_accounts"] is False
    assert body["contact_email"] == "berta@sonnenschein.de"
    assert [t["kind"] for t in body["touches"]] == ["recorded"]
    assert body["services"] == []
    assert CompanyRecord.objects.filter(pk=body["id"], programme=pw.programme).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "Baeckerei Sonnenschein GmbH"}, "name"),
        ({"sector": "bakery"}, "sector"),
        ({"size": "3"}, "size"),
        ({"city": ""}, "city"),
        ({"contact_email": "no-address"}, "contact_email"),
        ({"website": "not a url"}, "website"),
    ],
)
def test_record_a_company_refusals_name_the_field(programme_world, client_for, change, field):
    pw = programme_world
    _bakery(pw)
    before = domain_state()
    postcode = BAKERY["postcode"] if field == "name" else "1"
    response = client_for(pw.coach).post(
        _url(pw, "companies/"), {**BAKERY, "postcode": postcode, **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert domain_state() == before


def test_record_detail_and_patch(programme_world, client_for, world):
    pw = programme_world
    bakery = _bakery(pw)
    client = client_for(pw.coach)

    detail = client.get(_url(pw, f"companies/{pw.record.pk}/")).json()
    assert detail["has_accounts"] is True
    assert [t["kind"] for t in detail["touches"]] == ["service", "convoy_joined"]
    assert [s["id"] for s in detail["services"]] == [pw.service.pk]
    assert detail["services"][0]["coach"] == {"id": pw.coach.pk, "name": "Conrad Coach"}

    response = client.patch(
        _url(pw, f"companies/{bakery.pk}/"),
        {"city": "Iserlohn", "contact_name": "B."},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["company"]["city"], response.json()["contact_name"]) == (
        "Iserlohn",
        "B.",
    )

    before = domain_state()
    response = client.patch(
        _url(pw, f"companies/{pw.record.pk}/"), {"name": "Anders"}, format="json"
    )
    assert response.status_code == 400
    assert "name" in response.json()
    assert domain_state() == before


def test_other_programmes_records_and_services_are_404(programme_world, client_for):
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
    client = client_for(pw.manager)
    before = domain_state()
    for method, tail, body in [
        ("get", f"companies/{elsewhere.pk}/", None),
        ("patch", f"companies/{elsewhere.pk}/", {"contact_name": "x"}),
        ("post", f"companies/{elsewhere.pk}/merge/", {"duplicate": pw.record.pk}),
        ("post", f"companies/{pw.record.pk}/merge/", {"duplicate": elsewhere.pk}),
        ("get", f"services/{service.pk}/", None),
        ("patch", f"services/{service.pk}/", {"minutes": 5}),
        ("delete", f"services/{service.pk}/", None),
    ]:
        response = getattr(client, method)(_url(pw, tail), body, format="json")
        assert response.status_code == 404, (method, tail)
    assert domain_state() == before


def test_duplicates_and_merge(programme_world, client_for):
    pw = programme_world
    first = _bakery(pw)
    second = _bakery(pw, name="Sonnenschein Backstube", contact_email="chef@sonnenschein.de")
    client = client_for(pw.coach)

    pairs = client.get(_url(pw, "companies/duplicates/")).json()
    assert [(p["first"]["id"], p["second"]["id"], p["reason"]) for p in pairs] == [
        (first.pk, second.pk, "email_domain")
    ]
    assert pairs[0]["domain"] == "sonnenschein.de"

    response = client.post(
        _url(pw, f"companies/{first.pk}/merge/"), {"duplicate": second.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert not CompanyRecord.objects.filter(pk=second.pk).exists()
    assert not Company.objects.filter(pk=second.company_id).exists()
    assert client.get(_url(pw, "companies/duplicates/")).json() == []


def test_merge_refusals(programme_world, client_for, world):
    pw = programme_world
    bakery = _bakery(pw)
    client = client_for(pw.coach)
    before = domain_state()
    for keep, body in [
        (bakery.pk, {"duplicate": bakery.pk}),
        (bakery.pk, {"duplicate": pw.record.pk}),  # the one with accounts must stay
        (bakery.pk, {}),
    ]:
        response = client.post(_url(pw, f"companies/{keep}/merge/"), body, format="json")
        assert response.status_code == 400, body
        assert "duplicate" in response.json()
    assert domain_state() == before


# --- services --------------------------------------------------------------------------------


def test_record_a_service_moves_the_record_on(programme_world, client_for):
    pw = programme_world
    bakery = _bakery(pw)
    body = {
        "company": bakery.company_id,
        "kind": "check_review",
        "category": "test_before_invest",
        "date": str(timezone.localdate()),
        "minutes": 60,
        "notes": "Kasse, Warenwirtschaft",
    }
    response = client_for(pw.coach).post(_url(pw, "services/"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["coach"]["id"] == pw.coach.pk
    assert data["company"] == {"id": bakery.company_id, "name": "Bäckerei Sonnenschein"}
    bakery.refresh_from_db()
    assert bakery.stage == Stage.QUALIFIED


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"company": "other"}, "company"),
        ({"company": 987654}, "company"),
        ({"kind": "dinner"}, "kind"),
        ({"category": None}, "category"),
        ({"date": "tomorrow+1"}, "date"),
        ({"date": "2024-13-01"}, "date"),
        ({"minutes": 0}, "minutes"),
        ({"minutes": 10001}, "minutes"),
        ({"coach": "other_coach"}, "coach"),
    ],
)
def test_record_a_service_refusals(programme_world, client_for, world, change, field):
    pw = programme_world
    body = {
        "company": world.company.pk,
        "kind": "visit",
        "category": "test_before_invest",
        "date": str(timezone.localdate()),
        **change,
    }
    if body["company"] == "other":
        body["company"] = world.other_company.pk
    if body["date"] == "tomorrow+1":
        body["date"] = str(timezone.localdate() + timedelta(days=2))
    if body.get("coach") == "other_coach":
        body["coach"] = pw.other_coach.pk
    before = domain_state()
    response = client_for(pw.coach).post(_url(pw, "services/"), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert domain_state() == before


def test_company_not_in_register_gets_the_same_answer_whether_it_exists(
    programme_world, client_for, world
):
    pw = programme_world
    answers = []
    for company in (world.other_company.pk, 987654, CompanyFactory().pk):
        body = {
            "company": company,
            "kind": "visit",
            "category": "test_before_invest",
            "date": str(timezone.localdate()),
        }
        answers.append(client_for(pw.coach).post(_url(pw, "services/"), body, format="json").json())
    assert answers[0] == answers[1] == answers[2]


def test_services_list_filters(programme_world, client_for, world):
    pw = programme_world
    bakery = _bakery(pw)
    old = service_record(
        programme=pw.programme,
        company=bakery.company,
        kind="workshop",
        category="skills_training",
        date=timezone.localdate() - timedelta(days=100),
        by=pw.manager,
    )
    client = client_for(pw.coach)

    def ids(**params):
        response = client.get(_url(pw, "services/"), params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    assert ids() == [pw.service.pk, old.pk]
    assert ids(company=bakery.company_id) == [old.pk]
    assert ids(kind="workshop") == [old.pk]
    assert ids(category="test_before_invest") == [pw.service.pk]
    start = timezone.localdate() - timedelta(days=10)
    assert ids(**{"from": str(start)}) == [pw.service.pk]
    assert ids(to=str(start)) == [old.pk]
    response = client.get(_url(pw, "services/"), {"from": "gestern"})
    assert response.status_code == 400 and "from" in response.json()


def test_service_patch_and_delete(programme_world, client_for):
    pw = programme_world
    client = client_for(pw.manager)
    url = _url(pw, f"services/{pw.service.pk}/")
    response = client.patch(url, {"kind": "voucher", "minutes": 30}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["kind"], response.json()["minutes"]) == ("voucher", 30)
    assert Touch.objects.get(source=f"service:{pw.service.pk}").label == "voucher"

    before = domain_state()
    response = client.patch(url, {"minutes": -1}, format="json")
    assert response.status_code == 400 and "minutes" in response.json()
    assert domain_state() == before

    assert client.delete(url).status_code == 204
    assert not Service.objects.filter(pk=pw.service.pk).exists()
    pw.record.refresh_from_db()
    assert pw.record.last_touch_kind == "convoy_joined"


# --- query counts ----------------------------------------------------------------------------


def _grow(pw, n):
    start = CompanyRecord.objects.count()
    for i in range(start, start + n):
        record = _bakery(pw, name=f"Betrieb {i}", postcode=f"{i}")
        service_record(
            programme=pw.programme,
            company=record.company,
            kind="visit",
            category="test_before_invest",
            date=timezone.localdate(),
            by=pw.coach,
        )


@pytest.mark.parametrize("tail", ["companies/", "services/", "companies/duplicates/"])
def test_register_api_lists_take_constant_queries(
    programme_world, client_for, django_assert_num_queries, tail
):
    pw = programme_world
    client = client_for(pw.coach)
    _grow(pw, 2)
    client.get(_url(pw, tail))  # warm up (session, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(_url(pw, tail)).status_code == 200
    _grow(pw, 15)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(_url(pw, tail)).status_code == 200


def test_register_api_query_counts_are_pinned(
    programme_world, client_for, django_assert_num_queries
):
    pw = programme_world
    client = client_for(pw.coach)
    for size in (2, 12):
        _grow(pw, size)
        # staff gate, count, page
        with django_assert_num_queries(3):
            client.get(_url(pw, "companies/"))
        # staff gate, record, has_accounts, touches, services
        with django_assert_num_queries(5):
            client.get(_url(pw, f"companies/{pw.record.pk}/"))
