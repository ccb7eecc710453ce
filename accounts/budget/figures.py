"""Where the budget stands: payments due, balances by month, spending against the plan, underspend.

All sums are in whole pence (integers), so the figures match a calculator exactly.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

from django.db.models import Q, Sum

from .models import Budget, Entry, Frequency


def money(pence: int) -> str:
    """12345 -> '£123.45'; -500 -> '-£5.00'."""
    sign = "-" if pence < 0 else ""
    pounds, pennies = divmod(abs(int(pence)), 100)
    return f"{sign}£{pounds:,}.{pennies:02d}"


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def payment_dates(budget: Budget, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The days the budget is paid in between start and end (both included), from its start date."""
    dates = []
    step = 0
    while True:
        if budget.frequency == Frequency.FOUR_WEEKLY:
            day = budget.starts_on + datetime.timedelta(days=28 * step)
        else:
            day = add_months(budget.starts_on, step)
        if day > end:
            return dates
        if day >= start:
            dates.append(day)
        step += 1


def weekly_pence(budget: Budget) -> int:
    """A week's budget: a four-weekly payment / 4, or a monthly payment × 12 / 52 (to the penny)."""
    if budget.frequency == Frequency.FOUR_WEEKLY:
        return _divide(budget.amount_pence, 4)
    return _divide(budget.amount_pence * 12, 52)


def _divide(numerator: int, denominator: int) -> int:
    """Round half up to the nearest penny."""
    return (2 * numerator + denominator) // (2 * denominator)


def contingency_pence(budget: Budget) -> int:
    return weekly_pence(budget) * budget.contingency_weeks


def budget_year(budget: Budget, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The budget year containing today: from the start date's anniversary, 12 months long."""
    start = budget.starts_on
    years = 0
    while add_months(start, 12 * (years + 1)) <= today:
        years += 1
    begin = add_months(start, 12 * years)
    return begin, add_months(begin, 12) - datetime.timedelta(days=1)


def months_between(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    months = []
    first = start.replace(day=1)
    while first <= end:
        last = add_months(first, 1) - datetime.timedelta(days=1)
        months.append((max(first, start), min(last, end)))
        first = add_months(first, 1)
    return months


@dataclass
class MonthRow:
    month: datetime.date
    money_in: int
    money_out: int
    closing: int

    @property
    def net(self) -> int:
        return self.money_in - self.money_out


@dataclass
class CategoryRow:
    name: str
    planned: int
    spent: int

    @property
    def left(self) -> int:
        return self.planned - self.spent


@dataclass
class Underspend:
    balance: int
    contingency: int
    weeks: int
    state: str  # "over" (more than contingency), "within", "overspent"
    words: str  # to the budget holder
    words_for_others: str  # in the review pack and on shared pages, read by the ICB or a professional


@dataclass
class Summary:
    start: datetime.date
    end: datetime.date
    opening: int
    money_in: int
    money_out: int
    closing: int
    payments_due: list[datetime.date]
    expected_in: int
    months: list[MonthRow] = field(default_factory=list)
    categories: list[CategoryRow] = field(default_factory=list)
    underspend: Underspend | None = None

    @property
    def chart_scale(self) -> int:
        """The largest monthly figure, so the chart's bars share one scale."""
        return max([1] + [max(row.money_in, row.money_out) for row in self.months])


def balance_before(budget: Budget, day: datetime.date) -> int:
    """The opening balance plus every current entry dated before `day`."""
    totals = budget.entries.current().filter(occurred_on__lt=day).aggregate(
        money_in=Sum("amount_pence", filter=Q(direction=Entry.Direction.IN)),
        money_out=Sum("amount_pence", filter=Q(direction=Entry.Direction.OUT)))
    return budget.opening_balance_pence + (totals["money_in"] or 0) - (totals["money_out"] or 0)


def describe_underspend(budget: Budget, balance: int) -> Underspend:
    contingency = contingency_pence(budget)
    weeks = budget.contingency_weeks
    week_words = f"{weeks} week{'s' if weeks != 1 else ''}"
    if balance < 0:
        return Underspend(balance, contingency, weeks, "overspent",
                          f"You have spent {money(-balance)} more than has come in. Check for payments that "
                          "are missing or recorded twice, and talk to your ICB soon: they may be able to help "
                          "before it grows.",
                          f"{money(-balance)} more has been spent than has come in.")
    if balance > contingency:
        return Underspend(balance, contingency, weeks, "over",
                          f"Your balance of {money(balance)} is {money(balance - contingency)} more than your "
                          f"contingency of {money(contingency)} ({week_words} of budget). Your ICB may ask "
                          "for money back: talk to them before your review about why it built up and what "
                          "you plan to spend it on.",
                          f"The balance of {money(balance)} is {money(balance - contingency)} more than the "
                          f"contingency of {money(contingency)} ({week_words} of budget).")
    return Underspend(balance, contingency, weeks, "within",
                      f"Your balance of {money(balance)} is within your contingency of {money(contingency)} "
                      f"({week_words} of budget). This is the money your ICB lets you keep for emergencies "
                      "and late bills.",
                      f"The balance of {money(balance)} is within the contingency of {money(contingency)} "
                      f"({week_words} of budget).")


def summarise(budget: Budget, start: datetime.date, end: datetime.date,
              category_names: dict | None = None) -> Summary:
    """Money in and out between start and end (inclusive), by month and by plan line. Four queries."""
    opening = balance_before(budget, start)
    entries = list(budget.entries.current().filter(occurred_on__gte=start, occurred_on__lte=end)
                   .values_list("occurred_on", "direction", "amount_pence", "category_id"))
    money_in = sum(amount for _, direction, amount, _ in entries if direction == Entry.Direction.IN)
    money_out = sum(amount for _, direction, amount, _ in entries if direction == Entry.Direction.OUT)
    due = payment_dates(budget, start, end)
    summary = Summary(start=start, end=end, opening=opening, money_in=money_in, money_out=money_out,
                      closing=opening + money_in - money_out, payments_due=due,
                      expected_in=budget.amount_pence * len(due))
    running = opening
    for first, last in months_between(start, end):
        month_in = sum(a for day, d, a, _ in entries if first <= day <= last and d == Entry.Direction.IN)
        month_out = sum(a for day, d, a, _ in entries if first <= day <= last and d == Entry.Direction.OUT)
        running += month_in - month_out
        summary.months.append(MonthRow(first, month_in, month_out, running))
    spent: dict = {}
    for _, direction, amount, category_id in entries:
        if direction == Entry.Direction.OUT:
            spent[category_id] = spent.get(category_id, 0) + amount
    names = category_names or {}
    for category in budget.categories.all():
        summary.categories.append(CategoryRow(names.get(category.id, ""), category.planned_pence * len(due),
                                              spent.pop(category.id, 0)))
    if spent:
        summary.categories.append(CategoryRow("Not in your plan", 0, sum(spent.values())))
    summary.underspend = describe_underspend(budget, summary.closing)
    return summary
