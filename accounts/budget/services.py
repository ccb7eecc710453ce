"""Writes for a member's budget: set-up, plan lines, money in and out with history, and erasure.

Every function takes the acting member and checks ownership itself (Http404 for anyone else), so
a view that forgot to scope its query still could not touch another member's budget. Other apps
(issue 17's PA wages) record spending through add_spending.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.template.defaultfilters import pluralize
from django.utils import timezone

from accounts.models import Document, User
from accounts.text import describe_user_agent

from . import sealing
from .models import Budget, Category, Entry, EntryChange, ImportRule, PendingImport, Record, Share, ShareOpening
from .statements import Row


class ClosedPeriod(ValidationError):
    """The date falls in a period the member closed after a review."""


def _check_owner(budget: Budget, owner: User) -> None:
    if not getattr(owner, "is_authenticated", False) or budget.owner_id != owner.pk:
        raise Http404


def budget_for(owner: User) -> Budget | None:
    return Budget.objects.owned_by(owner).first()


# Set-up ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BudgetSettings:
    management: str
    payer: str
    amount_pence: int
    frequency: str
    starts_on: datetime.date
    opening_balance_pence: int
    contingency_weeks: int
    employs_pas: bool
    closed_until: datetime.date | None = None


def read_payer(budget: Budget) -> str:
    return sealing.unseal(budget, budget.payer_encrypted, row=budget.id, field="payer")


@transaction.atomic
def set_up_budget(*, owner: User, settings: BudgetSettings, lines: list[tuple[str, int]]) -> Budget:
    """Create the member's budget with its plan lines. A member has one budget."""
    if not owner.is_authenticated:
        raise Http404
    budget = Budget(id=uuid.uuid4(), owner=owner)
    sealing.new_budget_key(budget)
    _apply_settings(budget, settings)
    budget.full_clean(exclude=["owner"])
    budget.save(force_insert=True)
    for position, (name, planned) in enumerate(lines):
        _new_category(budget, name=name, planned_pence=planned, position=position)
    return budget


def _apply_settings(budget: Budget, settings: BudgetSettings) -> None:
    budget.management = settings.management
    budget.payer_encrypted = sealing.seal(budget, settings.payer, row=budget.id, field="payer")
    budget.amount_pence = settings.amount_pence
    budget.frequency = settings.frequency
    budget.starts_on = settings.starts_on
    budget.opening_balance_pence = settings.opening_balance_pence
    budget.contingency_weeks = settings.contingency_weeks
    budget.employs_pas = settings.employs_pas
    budget.closed_until = settings.closed_until


@transaction.atomic
def change_budget(*, budget: Budget, owner: User, settings: BudgetSettings) -> Budget:
    """Change the set-up. Refuses a start date after money already recorded."""
    _check_owner(budget, owner)
    first = budget.entries.current().order_by("occurred_on").values_list("occurred_on", flat=True).first()
    if first and settings.starts_on > first:
        raise ValidationError({"starts_on": ValidationError(
            f"You have money recorded on {first:%-d %B %Y}. Choose a start date on or before it",
            code="after_entries")})
    _apply_settings(budget, settings)
    budget.full_clean(exclude=["owner"])
    budget.save()
    return budget


def _new_category(budget: Budget, *, name: str, planned_pence: int, position: int) -> Category:
    category = Category(id=uuid.uuid4(), budget=budget, planned_pence=planned_pence, position=position)
    category.name_encrypted = sealing.seal(budget, name, row=category.id, field="category")
    category.save(force_insert=True)
    return category


def category_names(budget: Budget) -> dict[uuid.UUID, str]:
    """Every plan line's name, in plan order (one query, one decryption each)."""
    return {category.id: sealing.unseal(budget, category.name_encrypted, row=category.id, field="category")
            for category in budget.categories.all()}


@transaction.atomic
def save_plan(*, budget: Budget, owner: User, changes: list[tuple[Category | None, str, int, bool]]) -> None:
    """Apply the plan page: (existing line or None, name, planned pence, remove?) in order.

    Removing a line keeps its spending, shown as "not in your plan".
    """
    _check_owner(budget, owner)
    for position, (category, name, planned, remove) in enumerate(changes):
        if category is not None and category.budget_id != budget.pk:
            raise Http404
        if category is None:
            if not remove:
                _new_category(budget, name=name, planned_pence=planned, position=position)
        elif remove:
            category.delete()
        else:
            category.name_encrypted = sealing.seal(budget, name, row=category.id, field="category")
            category.planned_pence = planned
            category.position = position
            category.save()


def add_category(*, budget: Budget, owner: User, name: str, planned_pence: int = 0) -> Category:
    """A line that is not in the plan (for example 'Tax', made from an import rule)."""
    _check_owner(budget, owner)
    return _new_category(budget, name=name, planned_pence=planned_pence, position=budget.categories.count())


# Money in and out ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryDetails:
    payee: str
    note: str


def read_entry(entry: Entry, budget: Budget) -> EntryDetails:
    return EntryDetails(payee=sealing.unseal(budget, entry.payee_encrypted, row=entry.id, field="payee"),
                        note=sealing.unseal(budget, entry.note_encrypted, row=entry.id, field="note"))


def _check_date(budget: Budget, day: datetime.date, field: str = "occurred_on") -> None:
    if day < budget.starts_on:
        raise ValidationError({field: ValidationError(
            f"Your budget started on {budget.starts_on:%-d %B %Y}. Choose a date on or after it, or change "
            "the start date in your budget's set-up", code="before_start")})
    if budget.is_closed_on(day):
        raise ClosedPeriod({field: ValidationError(
            f"Your records are closed up to {budget.closed_until:%-d %B %Y}. Choose a later date, or reopen "
            "that period in your budget's set-up", code="closed")})


def check_entry_date(*, budget: Budget, occurred_on: datetime.date) -> None:
    """Raise ValidationError (on the date field) if money cannot be recorded on this day."""
    _check_date(budget, occurred_on)


def _check_links(budget: Budget, category: Category | None, document: Document | None) -> None:
    if category is not None and category.budget_id != budget.pk:
        raise Http404
    if document is not None and document.owner_id != budget.owner_id:
        raise Http404


def _snapshot(entry: Entry, details: EntryDetails, category_name: str) -> dict:
    return {"direction": entry.direction, "occurred_on": entry.occurred_on.isoformat(),
            "amount_pence": entry.amount_pence, "payee": details.payee, "note": details.note,
            "category": category_name, "document": str(entry.document_id) if entry.document_id else ""}


def _log_change(budget: Budget, entry: Entry, action: str, details: EntryDetails) -> None:
    category_name = ""
    if entry.category_id:
        category = entry.category
        category_name = sealing.unseal(budget, category.name_encrypted, row=category.id, field="category")
    snapshot = _snapshot(entry, details, category_name)
    # Saved first for its id: each snapshot is bound to its own row, so two cannot be swapped.
    change = EntryChange.objects.create(entry=entry, action=action, snapshot_encrypted=b"")
    change.snapshot_encrypted = sealing.seal_json(budget, snapshot, row=entry.id, field=f"change|{change.pk}")
    change.save(update_fields=["snapshot_encrypted"])


def read_change(change: EntryChange, budget: Budget) -> dict:
    return sealing.unseal_json(budget, change.snapshot_encrypted, row=change.entry_id, field=f"change|{change.pk}")


def _fill(entry: Entry, budget: Budget, *, direction: str, occurred_on: datetime.date, amount_pence: int,
          payee: str, note: str, category: Category | None, document: Document | None) -> EntryDetails:
    if amount_pence <= 0:
        raise ValidationError({"amount": ValidationError("Enter an amount more than £0", code="not_positive")})
    entry.direction = direction
    entry.occurred_on = occurred_on
    entry.amount_pence = amount_pence
    entry.category = category if direction == Entry.Direction.OUT else None
    entry.document = document
    entry.payee_encrypted = sealing.seal(budget, payee, row=entry.id, field="payee")
    entry.note_encrypted = sealing.seal(budget, note, row=entry.id, field="note")
    entry.fingerprint = sealing.fingerprint(budget, occurred_on=occurred_on, direction=direction,
                                            amount_pence=amount_pence, payee=payee)
    return EntryDetails(payee=payee, note=note)


@transaction.atomic
def add_entry(*, budget: Budget, owner: User, direction: str, occurred_on: datetime.date, amount_pence: int,
              payee: str, note: str = "", category: Category | None = None, document: Document | None = None,
              imported: bool = False) -> Entry:
    """Record money in or out. Refuses a closed period, a date before the budget, and £0 or less."""
    _check_owner(budget, owner)
    _check_links(budget, category, document)
    _check_date(budget, occurred_on)
    entry = Entry(id=uuid.uuid4(), budget=budget, imported=imported)
    details = _fill(entry, budget, direction=direction, occurred_on=occurred_on, amount_pence=amount_pence,
                    payee=payee, note=note, category=category, document=document)
    entry.full_clean(exclude=["budget"])
    entry.save(force_insert=True)
    _log_change(budget, entry, EntryChange.Action.IMPORTED if imported else EntryChange.Action.ADDED, details)
    return entry


def add_spending(*, owner: User, occurred_on: datetime.date, amount_pence: int, payee: str, note: str = "",
                 category: Category | None = None, document: Document | None = None) -> Entry:
    """Money out of the owner's budget: the call for other apps (a PA's wages from a timesheet).

    Raises Http404 if the member has no budget, ValidationError for a closed period or a bad amount.
    """
    budget = budget_for(owner)
    if budget is None:
        raise Http404("no budget")
    return add_entry(budget=budget, owner=owner, direction=Entry.Direction.OUT, occurred_on=occurred_on,
                     amount_pence=amount_pence, payee=payee, note=note, category=category, document=document)


@transaction.atomic
def change_entry(*, entry: Entry, owner: User, direction: str, occurred_on: datetime.date, amount_pence: int,
                 payee: str, note: str = "", category: Category | None = None,
                 document: Document | None = None) -> Entry:
    """Change an entry; the earlier version stays in its history. Both dates must be open."""
    budget = entry.budget
    _check_owner(budget, owner)
    _check_links(budget, category, document)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.deleted_at:
        raise Http404
    _check_date(budget, entry.occurred_on)
    _check_date(budget, occurred_on)
    details = _fill(entry, budget, direction=direction, occurred_on=occurred_on, amount_pence=amount_pence,
                    payee=payee, note=note, category=category, document=document)
    entry.full_clean(exclude=["budget"])
    entry.save()
    _log_change(budget, entry, EntryChange.Action.CHANGED, details)
    return entry


@transaction.atomic
def delete_entry(*, entry: Entry, owner: User) -> None:
    """Take an entry out of the sums. It stays in the history and can be put back."""
    budget = entry.budget
    _check_owner(budget, owner)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if entry.deleted_at:
        return
    _check_date(budget, entry.occurred_on)
    entry.deleted_at = timezone.now()
    entry.save(update_fields=["deleted_at", "updated_at"])
    _log_change(budget, entry, EntryChange.Action.DELETED, read_entry(entry, budget))


@transaction.atomic
def restore_entry(*, entry: Entry, owner: User) -> None:
    budget = entry.budget
    _check_owner(budget, owner)
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    if not entry.deleted_at:
        return
    _check_date(budget, entry.occurred_on)
    entry.deleted_at = None
    entry.save(update_fields=["deleted_at", "updated_at"])
    _log_change(budget, entry, EntryChange.Action.RESTORED, read_entry(entry, budget))


# Importing a statement ------------------------------------------------------------------------------------

def read_rule(rule, budget: Budget) -> str:
    return sealing.unseal(budget, rule.match_encrypted, row=rule.id, field="rule")


def rules_for(budget: Budget) -> list[tuple[ImportRule, str]]:
    return [(rule, read_rule(rule, budget)) for rule in budget.rules.select_related("category")]


def add_rule(*, budget: Budget, owner: User, contains: str, category: Category) -> ImportRule:
    """'When the description contains HMRC, file it under Tax'. Matching ignores case."""
    _check_owner(budget, owner)
    _check_links(budget, category, None)
    rule = ImportRule(id=uuid.uuid4(), budget=budget, category=category)
    rule.match_encrypted = sealing.seal(budget, contains, row=rule.id, field="rule")
    rule.save(force_insert=True)
    return rule


def delete_rule(*, rule: ImportRule, owner: User) -> None:
    _check_owner(rule.budget, owner)
    rule.delete()


def suggest_category(description: str, rules: list[tuple[ImportRule, str]]) -> Category | None:
    """The first saved rule whose words appear in the description."""
    folded = description.casefold()
    for rule, contains in rules:
        if contains.casefold() in folded:
            return rule.category
    return None


def keep_statement(*, budget: Budget, owner: User, text: str) -> PendingImport:
    """Hold an uploaded statement, encrypted, between the upload and the member's confirmation."""
    _check_owner(budget, owner)
    PendingImport.objects.filter(budget=budget, created_at__lt=timezone.now() - datetime.timedelta(days=1)).delete()
    pending = PendingImport(id=uuid.uuid4(), budget=budget)
    pending.content_encrypted = sealing.seal(budget, text, row=pending.id, field="statement")
    pending.save(force_insert=True)
    return pending


def read_statement(pending: PendingImport, budget: Budget) -> str:
    return sealing.unseal(budget, pending.content_encrypted, row=pending.id, field="statement")


def date_problems(budget: Budget, rows: list[Row]) -> list[str]:
    """Rows that fall before the budget or in a closed period, named by their line in the file."""
    problems = []
    for row in rows:
        try:
            _check_date(budget, row.occurred_on)
        except ValidationError as error:
            problems.append(f"Row {row.number}: {error.messages[0].split('. ')[0]}")
    return problems


def duplicates(budget: Budget, rows: list[Row]) -> set[int]:
    """Row numbers probably already recorded: same day, direction and amount as an entry we hold.

    The payee is left out on purpose: a bank writes "NHS SOMEWHERE ICB PHB PAYMENT" where the
    member typed "NHS Somewhere ICB". Counted, so a statement with two identical £5 purchases on
    one day imports both the first time and neither the second time. The member can still tick a
    row that is not really a repeat.
    """
    held = Counter(budget.entries.current().values_list("occurred_on", "direction", "amount_pence"))
    seen: Counter = Counter()
    found = set()
    for row in rows:
        key = (row.occurred_on, row.direction, row.amount_pence)
        seen[key] += 1
        if seen[key] <= held[key]:
            found.add(row.number)
    return found


@transaction.atomic
def import_rows(*, budget: Budget, owner: User, pending: PendingImport, rows: list[Row],
                categories: dict[int, Category | None]) -> list[Entry]:
    """Record the chosen rows, all or none: any refusal rolls back every row of this import."""
    _check_owner(budget, owner)
    if pending.budget_id != budget.pk:
        raise Http404
    problems = date_problems(budget, rows)
    if problems:
        raise ValidationError(problems, code="dates")
    entries = [add_entry(budget=budget, owner=owner, direction=row.direction, occurred_on=row.occurred_on,
                         amount_pence=row.amount_pence, payee=row.description,
                         category=categories.get(row.number) if row.direction == Entry.Direction.OUT else None,
                         imported=True) for row in rows]
    pending.delete()
    return entries


def read_recipient(share, budget: Budget) -> str:
    return sealing.unseal(budget, share.recipient_encrypted, row=share.id, field="recipient")


# Records for the checklist --------------------------------------------------------------------------------

def add_record(*, budget: Budget, owner: User, document: Document, item: str,
               relates_to: datetime.date) -> Record:
    """File one of the member's documents against a checklist item and the date it covers."""
    _check_owner(budget, owner)
    _check_links(budget, None, document)
    record, _ = Record.objects.get_or_create(budget=budget, document=document, item=item, relates_to=relates_to)
    return record


def delete_record(*, record: Record, owner: User) -> None:
    """Take a document off the checklist; the document itself stays."""
    _check_owner(record.budget, owner)
    record.delete()


# Sharing with a professional -----------------------------------------------------------------------------

MAX_SHARE_DAYS = 30
PASSCODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread over the phone


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def create_share(*, budget: Budget, owner: User, recipient: str, contents: str, days: int,
                 period_from: datetime.date | None = None, period_to: datetime.date | None = None,
                 documents: list[Document] = (), with_passcode: bool = False) -> tuple[Share, str, str]:
    """A read-only link for a named person. Returns the share, the link's secret and the passcode.

    Only a hash of the secret is kept, so the link is shown once. Refuses more than 30 days.
    """
    _check_owner(budget, owner)
    for document in documents:
        _check_links(budget, None, document)
    if not 1 <= days <= MAX_SHARE_DAYS:
        raise ValidationError({"days": ValidationError(f"Choose from 1 to {MAX_SHARE_DAYS} days", code="days")})
    token = secrets.token_urlsafe(32)
    passcode = "".join(secrets.choice(PASSCODE_ALPHABET) for _ in range(8)) if with_passcode else ""
    share = Share(id=uuid.uuid4(), budget=budget, token_hash=_token_hash(token), contents=contents,
                  period_from=period_from, period_to=period_to,
                  passcode_hash=make_password(passcode) if passcode else "",
                  expires_at=timezone.now() + datetime.timedelta(days=days))
    share.recipient_encrypted = sealing.seal(budget, recipient, row=share.id, field="recipient")
    share.full_clean(exclude=["budget", "documents"])
    share.save(force_insert=True)
    share.documents.set(documents)
    return share, token, passcode


def revoke_share(*, share: Share, owner: User) -> None:
    """The link stops working at once and answers like one that never existed."""
    _check_owner(share.budget, owner)
    Share.objects.filter(pk=share.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())


def find_live_share(token: str) -> Share | None:
    """The share behind a link, if it is neither expired nor revoked (and its owner still exists)."""
    if not token or len(token) > 100:
        return None
    return (Share.objects.live(timezone.now()).select_related("budget", "budget__owner")
            .filter(token_hash=_token_hash(token), budget__owner__is_active=True).first())


def check_passcode(share: Share, passcode: str) -> bool:
    cleaned = "".join(passcode.split()).upper()
    return bool(share.passcode_hash) and check_password(cleaned, share.passcode_hash)


def record_opening(*, share: Share, action: str, user_agent: str = "") -> ShareOpening:
    return ShareOpening.objects.create(share=share, action=action, browser=describe_user_agent(user_agent)[:100])


# Erasure --------------------------------------------------------------------------------------------------

def erase_user_data(*, user: User) -> str:
    """Called when an account is deleted: the budget, its entries, rules, records and links, at once.
    Says what went, for the member ("" if there was no budget)."""
    budget = Budget.objects.filter(owner=user).first()
    if budget is None:
        return ""
    entries = budget.entries.count()
    budget.delete()
    return (f"Your budget records: {entries} payment{pluralize(entries)} in and out, your plan, "
            "and every link you shared")
