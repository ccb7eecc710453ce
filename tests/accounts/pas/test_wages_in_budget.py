"""Wages paid, typed by the member for a pay period, appear as spending in their budget (issue 16)."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.budget import services as budget_services
from accounts.budget.models import Entry
from accounts.pas import services
from tests.accounts.pas.helpers import make_pa

pytestmark = pytest.mark.django_db


def _budget(owner):
    settings = budget_services.BudgetSettings(
        management="direct_payment", payer="Example ICB", amount_pence=130000, frequency="monthly",
        starts_on=datetime.date(2026, 4, 1), opening_balance_pence=0, contingency_weeks=4, employs_pas=True)
    return budget_services.set_up_budget(owner=owner, lines=[("PA wages", 100000)], settings=settings)


@pytest.fixture
def period(user):
    sam, alex = make_pa(user, name="Sam Jones"), make_pa(user, name="Alex Smith")
    for pa in (sam, alex):
        timesheet = services.start_timesheet(owner=user, pa=pa, week_start=datetime.date(2026, 11, 2))
        services.save_entries(timesheet=timesheet, owner=user, entries=[
            {"date": datetime.date(2026, 11, 2), "hours": Decimal("8"), "kind": "worked"}])
    period = services.add_pay_period(owner=user, first_day=datetime.date(2026, 11, 1),
                                     last_day=datetime.date(2026, 11, 30), cut_off=None)
    return period, sam, alex


def test_wages_the_member_types_become_budget_spending_once(client, user, period):
    period, sam, alex = period
    budget = _budget(user)
    line = budget.categories.get()
    client.force_login(user)
    url = reverse("pas:payroll_wages", args=[period.pk])
    assert "Record the wages you paid in your budget" in client.get(period.get_absolute_url()).content.decode()
    response = client.post(url, {"paid_on": "2026-11-28", f"pa_{sam.pk.hex}": "412.50", f"pa_{alex.pk.hex}": "",
                                 "category": str(line.pk)}, follow=True)
    assert "Wages for 1 PA recorded as spending in your budget" in response.content.decode()
    entry = Entry.objects.get()
    assert (entry.direction, entry.amount_pence, entry.occurred_on, entry.category_id) == (
        "out", 41250, datetime.date(2026, 11, 28), line.pk)
    assert budget_services.read_entry(entry, budget).payee == "Sam Jones"
    page = client.get(url).content.decode()
    assert "In your budget</strong> Sam Jones" in page and f"pa_{sam.pk.hex}" not in page
    client.post(url, {"paid_on": "2026-11-28", f"pa_{alex.pk.hex}": "300"})
    assert sorted(Entry.objects.values_list("amount_pence", flat=True)) == [30000, 41250]
    assert services.record_wages(period=period, owner=user, paid_on=datetime.date(2026, 11, 28),
                                 amounts={sam: 100}) == 0  # never twice


def test_a_date_before_the_budget_is_explained_and_nothing_is_recorded(client, user, period):
    period, sam, _ = period
    _budget(user)
    client.force_login(user)
    response = client.post(reverse("pas:payroll_wages", args=[period.pk]),
                           {"paid_on": "2026-03-01", f"pa_{sam.pk.hex}": "100"})
    assert response.status_code == 400 and "Your budget started on 1 April 2026" in response.content.decode()
    assert not Entry.objects.exists()


def test_no_amounts_is_explained(client, user, period):
    period, _, _ = period
    _budget(user)
    client.force_login(user)
    response = client.post(reverse("pas:payroll_wages", args=[period.pk]), {"paid_on": "2026-11-28"})
    assert response.status_code == 400 and "Enter what you paid at least one PA" in response.content.decode()


def test_without_a_budget_the_member_is_sent_to_set_one_up(client, user, period):
    period, _, _ = period
    client.force_login(user)
    assert "Record the wages" not in client.get(period.get_absolute_url()).content.decode()
    response = client.get(reverse("pas:payroll_wages", args=[period.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("budget:overview")
