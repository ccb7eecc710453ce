"""A budget with hand-worked figures, for the tests to check against a calculator."""

import datetime

from accounts.budget import services
from accounts.budget.models import Entry

D = datetime.date


def make_budget(owner, *, amount_pence=130000, frequency="monthly", starts_on=None, contingency_weeks=4,
                opening=0, employs_pas=True, lines=None, closed_until=None):
    starts_on = starts_on or D(2026, 4, 1)
    settings = services.BudgetSettings(
        management="direct_payment", payer="Example ICB", amount_pence=amount_pence, frequency=frequency,
        starts_on=starts_on, opening_balance_pence=opening, contingency_weeks=contingency_weeks,
        employs_pas=employs_pas, closed_until=closed_until)
    if lines is None:
        lines = [("PA wages", 100000), ("Payroll service", 3000), ("Employer's insurance", 2000), ("Activities", 10000)]
    return services.set_up_budget(owner=owner, settings=settings, lines=lines)


def category(budget, name):
    names = services.category_names(budget)
    return next(c for c in budget.categories.all() if names[c.id] == name)


def money_in(budget, day, pence, payee="Example ICB"):
    return services.add_entry(budget=budget, owner=budget.owner, direction=Entry.Direction.IN, occurred_on=day,
                              amount_pence=pence, payee=payee)


def money_out(budget, day, pence, payee, line=None, **kwargs):
    return services.add_entry(budget=budget, owner=budget.owner, direction=Entry.Direction.OUT, occurred_on=day,
                              amount_pence=pence, payee=payee,
                              category=category(budget, line) if line else None, **kwargs)


def worked_example(owner):
    """April to June 2026, monthly £1,300, 4 weeks' contingency (£300 a week: £1,200).

    In: 3 × £1,300 = £3,900. Out: wages £950 + £950 + £1,000, payroll £30 + £30, activities £45.50,
    unplanned £12.25 = £3,017.75. Balance 30 June: £882.25, within the £1,200 contingency.
    April: in £1,300, out £980, balance £320. May: out £1,025.50, balance £594.50.
    June: out £1,012.25, balance £882.25.
    """
    budget = make_budget(owner)
    for month in (4, 5, 6):
        money_in(budget, D(2026, month, 1), 130000)
    money_out(budget, D(2026, 4, 28), 95000, "Sam Carer", "PA wages")
    money_out(budget, D(2026, 5, 28), 95000, "Sam Carer", "PA wages")
    money_out(budget, D(2026, 6, 28), 100000, "Sam Carer", "PA wages")
    money_out(budget, D(2026, 4, 30), 3000, "Payroll Co", "Payroll service")
    money_out(budget, D(2026, 5, 30), 3000, "Payroll Co", "Payroll service")
    money_out(budget, D(2026, 5, 15), 4550, "Swimming pool", "Activities")
    money_out(budget, D(2026, 6, 10), 1225, "Taxi")
    return budget
