"""Spreadsheet layouts: the columns and working formulas a sheet template is published with.

Layouts live in code, not in the editable text: the community chooses a layout and
writes the words around it, and nobody can put an arbitrary formula into a file
other people download. Formulas are written in Excel's syntax with placeholders:
{r} this row, {prev} the row above, {total} the totals row, {field:name} the cell
holding a field's value.
"""

from dataclasses import dataclass, field

HOLIDAY_RATE = "0.1207"  # 12.07% of hours worked: holiday for irregular-hours workers (leave years from April 2024)


@dataclass(frozen=True)
class Column:
    header: str
    formula: str = ""  # empty: a column the member types into
    first_formula: str = ""  # the first row's formula, when it differs (a running balance)
    total: bool = False
    number_format: str = ""  # "hours", "money" or "" for text
    width: int = 16


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    columns: tuple[Column, ...]
    rows: int = 31
    first_column: tuple[str, ...] = ()  # fixed labels down column A (rota days)
    summary: tuple[tuple[str, str, str], ...] = field(default=())  # (label, formula, number_format)


def _days(weeks: int) -> tuple[str, ...]:
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    if weeks == 1:
        return days
    return tuple(f"Week {week} {day}" for week in range(1, weeks + 1) for day in days)


LAYOUTS = {layout.key: layout for layout in [
    Layout("timesheet", "Timesheet: hours × hourly rate", (
        Column("Date", width=14),
        Column("Start time", width=11),
        Column("Finish time", width=11),
        Column("Hours worked", total=True, number_format="hours", width=13),
        Column("Pay (£)", formula="=D{r}*{field:hourly_rate}", total=True, number_format="money", width=12),
        Column("Notes", width=30),
    ), summary=(("Holiday earned at 12.07% of hours worked (hours)", "=D{total}*" + HOLIDAY_RATE, "hours"),)),
    Layout("holiday", "Holiday record and calculator", (
        Column("Week or pay period ending", width=22),
        Column("Hours worked", total=True, number_format="hours", width=13),
        Column("Holiday earned (hours)", formula="=B{r}*" + HOLIDAY_RATE, total=True, number_format="hours",
               width=16),
        Column("Holiday taken (hours)", total=True, number_format="hours", width=16),
        Column("Holiday left (hours)", first_formula="={field:brought_forward}+C{r}-D{r}",
               formula="=E{prev}+C{r}-D{r}", number_format="hours", width=16),
    ), rows=53, summary=(
        ("Holiday earned: 12.07% of all hours worked (hours)", "=B{total}*" + HOLIDAY_RATE, "hours"),
        ("Holiday left to take (hours)", "={field:brought_forward}+C{total}-D{total}", "hours"),
        ("Yearly holiday for fixed days: 5.6 weeks, at most 28 days (days)",
         "=MIN({field:days_per_week}*5.6,28)", "hours"),
    )),
    Layout("rota_week", "Weekly rota", (
        Column("Day", width=20),
        Column("PA on shift", width=20),
        Column("Start time", width=11),
        Column("Finish time", width=11),
        Column("Hours", total=True, number_format="hours", width=10),
        Column("Cover if they cannot come", width=26),
    ), rows=7, first_column=_days(1)),
    Layout("rota_four_weeks", "Four-weekly rota", (
        Column("Day", width=20),
        Column("PA on shift", width=20),
        Column("Start time", width=11),
        Column("Finish time", width=11),
        Column("Hours", total=True, number_format="hours", width=10),
        Column("Cover if they cannot come", width=26),
    ), rows=28, first_column=_days(4)),
    Layout("sickness", "Sickness absence record", (
        Column("First day off", width=14),
        Column("Day back at work", width=14),
        Column("Working days off", total=True, number_format="hours", width=14),
        Column("Reason given", width=26),
        Column("Self-certified or fit note", width=22),
        Column("Return-to-work talk held", width=18),
    ), rows=25),
    Layout("overtime", "Overtime and cover log", (
        Column("Date", width=14),
        Column("Who worked", width=20),
        Column("Hours", total=True, number_format="hours", width=10),
        Column("Hourly rate (£)", number_format="money", width=13),
        Column("Cost (£)", formula="=C{r}*D{r}", total=True, number_format="money", width=12),
        Column("Why it was needed", width=30),
    ), rows=31),
    Layout("spending", "Monthly spending record with running balance", (
        Column("Date", width=14),
        Column("What it was for", width=28),
        Column("Money in (£)", total=True, number_format="money", width=13),
        Column("Money out (£)", total=True, number_format="money", width=13),
        Column("Balance (£)", first_formula="={field:opening_balance}+C{r}-D{r}", formula="=E{prev}+C{r}-D{r}",
               number_format="money", width=13),
        Column("Receipt number", width=14),
    ), rows=40, summary=(("Closing balance (£)", "={field:opening_balance}+C{total}-D{total}", "money"),)),
    Layout("receipts", "Receipts log", (
        Column("Receipt number", width=14),
        Column("Date", width=14),
        Column("Paid to", width=24),
        Column("What for", width=28),
        Column("Amount (£)", total=True, number_format="money", width=12),
        Column("Where the receipt is kept", width=24),
    ), rows=40),
    Layout("reconciliation", "Bank reconciliation", (
        Column("Date", width=14),
        Column("Description on the statement", width=30),
        Column("Money in (£)", total=True, number_format="money", width=13),
        Column("Money out (£)", total=True, number_format="money", width=13),
        Column("In my records? (yes or no)", width=16),
        Column("Running balance (£)", first_formula="={field:opening_balance}+C{r}-D{r}",
               formula="=F{prev}+C{r}-D{r}", number_format="money", width=15),
    ), rows=40, summary=(
        ("Closing balance worked out (£)", "={field:opening_balance}+C{total}-D{total}", "money"),
        ("Difference from the statement's closing balance (£)",
         "={field:statement_balance}-({field:opening_balance}+C{total}-D{total})", "money"),
    )),
    Layout("medication", "Medication record", (
        Column("Date", width=14),
        Column("Time", width=9),
        Column("Medicine and strength", width=26),
        Column("Dose given", width=14),
        Column("Given by (initials)", width=14),
        Column("Notes (refused, missed, side effects)", width=32),
    ), rows=40),
    Layout("moving_handling", "Moving and handling record", (
        Column("Date", width=14),
        Column("Task (for example bed to chair)", width=28),
        Column("Equipment used", width=20),
        Column("Equipment checked (yes or no)", width=16),
        Column("Who helped", width=18),
        Column("Anything to report", width=30),
    ), rows=31),
]}


def layout_choices() -> list[tuple[str, str]]:
    return [("", "Not a spreadsheet")] + [(key, layout.label) for key, layout in LAYOUTS.items()]


def fields_used(layout: Layout) -> set[str]:
    """Field names the layout's formulas refer to: the template must declare them."""
    import re

    texts = [column.formula + column.first_formula for column in layout.columns]
    texts += [formula for _, formula, _ in layout.summary]
    return set(re.findall(r"\{field:([a-z0-9_]+)\}", " ".join(texts)))
