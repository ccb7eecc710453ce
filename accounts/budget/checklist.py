"""What an ICB's review or audit usually asks for, and what the member's records are missing.

Monthly items need a record dated in each month of the period; yearly items one in each
calendar year; standing items (a contract, a DBS check, the care plan) one dated on or before
the end of the period. Receipts come from the money-out entries themselves.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from .figures import add_months, money
from .models import Budget, ChecklistItem, Entry, Record

MONTHLY = "monthly"
YEARLY = "yearly"
STANDING = "standing"

# (item, how often, only for members who employ PAs, why auditors ask)
ITEMS = [
    (ChecklistItem.BANK_STATEMENT, MONTHLY, False, "shows every payment in and out of the budget account"),
    (ChecklistItem.CARE_PLAN, STANDING, False, "says what the budget is for"),
    (ChecklistItem.PAYSLIP, MONTHLY, True, "shows what each PA was paid, and the tax and National Insurance"),
    (ChecklistItem.TIMESHEET, MONTHLY, True, "shows the hours the wages pay for"),
    (ChecklistItem.HMRC, YEARLY, True, "shows PAYE was paid to HMRC"),
    (ChecklistItem.PENSION, YEARLY, True, "shows workplace pension contributions"),
    (ChecklistItem.INSURANCE, YEARLY, True, "employers must hold employer's liability insurance"),
    (ChecklistItem.CONTRACT, STANDING, True, "each PA needs a written contract"),
    (ChecklistItem.DBS, STANDING, True, "shows the PA's criminal record check"),
]


@dataclass
class Check:
    label: str
    why: str
    item: str = ""  # the checklist item to file a document against ("" for receipts)
    have: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def is_complete(self) -> bool:
        return not self.missing


def _in_sentence(label: str) -> str:
    """'Bank statement' -> 'bank statement', but 'DBS check' and 'HMRC payroll record' keep their capitals."""
    return label if label[:2].isupper() else label[0].lower() + label[1:]


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, first = [], start.replace(day=1)
    while first <= end:
        months.append(first)
        first = add_months(first, 1)
    return months


def check(budget: Budget, start: datetime.date, end: datetime.date, records: list[Record],
          entries_out: list[tuple[Entry, str]]) -> list[Check]:
    """The checklist for the period. `entries_out`: money-out entries in the period with their payees.

    Months and years that have not begun yet are never missing: nobody has next spring's statement.
    """
    end = min(end, timezone.localdate())
    checks = []
    by_item: dict[str, list[datetime.date]] = {}
    for record in records:
        by_item.setdefault(record.item, []).append(record.relates_to)
    for item, often, employer_only, why in ITEMS:
        if employer_only and not budget.employs_pas:
            continue
        dates = by_item.get(item, [])
        label = ChecklistItem(item).label
        result = Check(label=label, why=why, item=item)
        named = _in_sentence(label)
        if often == MONTHLY:
            for month in _months(start, end):
                have = [d for d in dates if (d.year, d.month) == (month.year, month.month)]
                result.have += len(have)
                if not have:
                    result.missing.append(f"No {named} for {month:%B %Y}")
        elif often == YEARLY:
            for year in range(start.year, end.year + 1):
                have = [d for d in dates if d.year == year]
                result.have += len(have)
                if not have:
                    result.missing.append(f"No {named} for {year}")
        else:
            result.have = len([d for d in dates if d <= end])
            if not result.have:
                result.missing.append(f"No {named}")
        checks.append(result)
    receipts = Check(label="Receipts", why="each payment out needs a receipt or invoice")
    for entry, payee in entries_out:
        if entry.document_id:
            receipts.have += 1
        else:
            receipts.missing.append(
                f"No receipt for {payee}, {money(entry.amount_pence)} on {entry.occurred_on:%-d %B %Y}")
    checks.insert(1, receipts)
    return checks
