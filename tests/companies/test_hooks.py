"""companies.hooks: the typed registry through which a company update reaches the apps above
(convoys records it in each convoy's log) without companies importing them."""

import pytest
from django.db import transaction

import companies.hooks
from companies.services import company_update
from convoys.events import company_updated_record
from convoys.models import Event


def test_convoys_registers_its_listener_when_the_app_is_ready():
    assert company_updated_record in companies.hooks._company_updated


def test_a_listener_hears_the_fields_that_changed(world, monkeypatch):
    heard = []
    monkeypatch.setattr(companies.hooks, "_company_updated", [])
    companies.hooks.company_updated_listen(lambda **kwargs: heard.append(kwargs))
    company_update(actor=world.owner, company=world.company, city="Witten", name=world.company.name)
    assert heard == [{"company": world.company, "actor": world.owner, "changed": ["city"]}]
    assert not Event.objects.exists()  # convoys' listener was not registered in this test


def test_registering_twice_runs_a_listener_once(monkeypatch):
    monkeypatch.setattr(companies.hooks, "_company_updated", [])
    companies.hooks.company_updated_listen(company_updated_record)
    companies.hooks.company_updated_listen(company_updated_record)
    assert companies.hooks._company_updated == [company_updated_record]


def test_a_no_op_update_tells_nobody(world, monkeypatch):
    heard = []
    monkeypatch.setattr(companies.hooks, "_company_updated", [lambda **kw: heard.append(kw)])
    company_update(actor=world.owner, company=world.company, city=world.company.city)
    assert heard == []


def test_a_failing_listener_rolls_the_change_back(world, monkeypatch):
    def refuse(**kwargs):
        raise RuntimeError("listener failed")

    monkeypatch.setattr(companies.hooks, "_company_updated", [company_updated_record, refuse])
    city = world.company.city
    with pytest.raises(RuntimeError), transaction.atomic():
        company_update(actor=world.owner, company=world.company, city="Witten")
    world.company.refresh_from_db()
    assert world.company.city == city
    assert not Event.objects.exists()
