"""Balance, running balance, spending against plan and underspend, against hand-worked figures."""

import pytest

from accounts.budget import figures
from accounts.budget.services import category_names
from tests.accounts.budget.helpers import D, make_budget, money_in, money_out, worked_example

pytestmark = pytest.mark.django_db


def test_worked_example_totals_and_months(owner):
    budget = worked_example(owner)
    summary = figures.summarise(budget, D(2026, 4, 1), D(2026, 6, 30), category_names(budget))
    assert (summary.opening, summary.money_in, summary.money_out, summary.closing) == (0, 390000, 301775, 88225)
    assert summary.payments_due == [D(2026, 4, 1), D(2026, 5, 1), D(2026, 6, 1)]
    assert summary.expected_in == 390000
    assert [(row.month.month, row.money_in, row.money_out, row.closing) for row in summary.months] == [
        (4, 130000, 98000, 32000), (5, 130000, 102550, 59450), (6, 130000, 101225, 88225)]


def test_worked_example_against_the_plan(owner):
    budget = worked_example(owner)
    summary = figures.summarise(budget, D(2026, 4, 1), D(2026, 6, 30), category_names(budget))
    assert [(row.name, row.planned, row.spent, row.left) for row in summary.categories] == [
        ("PA wages", 300000, 290000, 10000), ("Payroll service", 9000, 6000, 3000),
        ("Employer's insurance", 6000, 0, 6000), ("Activities", 30000, 4550, 25450),
        ("Not in your plan", 0, 1225, -1225)]


def test_worked_example_is_within_contingency(owner):
    budget = worked_example(owner)
    assert figures.weekly_pence(budget) == 30000  # £1,300 × 12 / 52
    underspend = figures.summarise(budget, D(2026, 4, 1), D(2026, 6, 30)).underspend
    assert (underspend.state, underspend.contingency) == ("within", 120000)
    assert "£882.25 is within your contingency of £1,200.00 (4 weeks of budget)" in underspend.words


def test_a_later_period_starts_from_the_running_balance(owner):
    budget = worked_example(owner)
    summary = figures.summarise(budget, D(2026, 5, 1), D(2026, 5, 31))
    assert (summary.opening, summary.closing) == (32000, 59450)


def test_more_than_contingency_says_the_icb_may_ask_for_money_back(owner):
    # Four-weekly £1,000: £250 a week; 6 weeks' contingency = £1,500. In £3,000, out £200: £2,800.
    budget = make_budget(owner, amount_pence=100000, frequency="four_weekly", starts_on=D(2026, 4, 6),
                         contingency_weeks=6, lines=[])
    for day in (D(2026, 4, 6), D(2026, 5, 4), D(2026, 6, 1)):
        money_in(budget, day, 100000)
    money_out(budget, D(2026, 5, 20), 20000, "Shop")
    summary = figures.summarise(budget, D(2026, 4, 6), D(2026, 6, 30))
    assert summary.payments_due == [D(2026, 4, 6), D(2026, 5, 4), D(2026, 6, 1), D(2026, 6, 29)]
    assert summary.underspend.state == "over"
    assert "£2,800.00 is £1,300.00 more than your contingency of £1,500.00 (6 weeks of budget)" in \
        summary.underspend.words
    assert "Your ICB may ask for money back: talk to them before your review" in summary.underspend.words


def test_overspending_is_said_plainly(owner):
    budget = make_budget(owner, lines=[], opening=1000)
    money_out(budget, D(2026, 4, 2), 6000, "Shop")
    underspend = figures.summarise(budget, D(2026, 4, 1), D(2026, 4, 30)).underspend
    assert underspend.state == "overspent"
    assert underspend.words.startswith("You have spent £50.00 more than has come in")


def test_deleted_entries_leave_the_sums(owner):
    from accounts.budget import services

    budget = make_budget(owner, lines=[])
    money_in(budget, D(2026, 4, 1), 130000)
    entry = money_out(budget, D(2026, 4, 2), 5000, "Shop")
    services.delete_entry(entry=entry, owner=owner)
    assert figures.summarise(budget, D(2026, 4, 1), D(2026, 4, 30)).closing == 130000
    services.restore_entry(entry=entry, owner=owner)
    assert figures.summarise(budget, D(2026, 4, 1), D(2026, 4, 30)).closing == 125000


def test_money_is_written_the_british_way():
    assert figures.money(123456789) == "£1,234,567.89"
    assert figures.money(-5) == "-£0.05"


def test_budget_year_runs_from_the_start_dates_anniversary(owner):
    budget = make_budget(owner, lines=[])
    assert figures.budget_year(budget, D(2027, 5, 3)) == (D(2027, 4, 1), D(2028, 3, 31))
    assert figures.budget_year(budget, D(2026, 4, 1)) == (D(2026, 4, 1), D(2027, 3, 31))


def test_the_checklist_never_asks_for_months_that_have_not_begun():
    """Found by a first user: a budget year running into next year listed next year's statements as missing."""
    import datetime
    from types import SimpleNamespace

    from django.utils import timezone

    from accounts.budget.checklist import check

    today = timezone.localdate()
    start = today.replace(day=1) - datetime.timedelta(days=40)
    checks = check(SimpleNamespace(employs_pas=False), start, today + datetime.timedelta(days=300), [], [])
    missing = " ".join(line for item in checks for line in item.missing)
    later = (today.replace(day=28) + datetime.timedelta(days=10)).strftime("%B %Y")
    assert today.strftime("%B %Y") in missing and later not in missing
