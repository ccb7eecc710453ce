"""A member's budget. Free text (payee, notes, category names, rules, who a link is for) is encrypted
with the budget's own key; amounts (in pence) and dates stay plain so the database can add them up.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse


class Management(models.TextChoices):
    DIRECT_PAYMENT = "direct_payment", "Direct payment (the money is paid to you)"
    THIRD_PARTY = "third_party", "Third-party budget (an organisation holds the money for you)"
    NOTIONAL = "notional", "Notional budget (the ICB holds the money and arranges care)"
    MIXED = "mixed", "A mix of these"


class Frequency(models.TextChoices):
    FOUR_WEEKLY = "four_weekly", "Every four weeks"
    MONTHLY = "monthly", "Every month"


class BudgetQuerySet(models.QuerySet):
    def owned_by(self, user) -> "BudgetQuerySet":
        """The only way in: anyone but the owner finds nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


class Budget(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="budget")
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    management = models.CharField(max_length=20, choices=Management.choices)
    payer_encrypted = models.BinaryField()
    amount_pence = models.PositiveBigIntegerField()
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    starts_on = models.DateField()
    opening_balance_pence = models.BigIntegerField(default=0)
    contingency_weeks = models.PositiveSmallIntegerField(default=0)
    employs_pas = models.BooleanField(default=False)
    closed_until = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BudgetQuerySet.as_manager()

    def __str__(self) -> str:
        return f"budget {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("budget:overview")

    def is_closed_on(self, day) -> bool:
        return self.closed_until is not None and day <= self.closed_until


class OwnedByBudgetQuerySet(models.QuerySet):
    def owned_by(self, user) -> "OwnedByBudgetQuerySet":
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(budget__owner=user)


class Category(models.Model):
    """A spending line from the care and support plan, with its planned amount per payment."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="categories")
    name_encrypted = models.BinaryField()
    planned_pence = models.PositiveBigIntegerField(default=0)
    position = models.PositiveSmallIntegerField(default=0)

    objects = OwnedByBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"category {self.pk}"


class EntryQuerySet(OwnedByBudgetQuerySet):
    def current(self) -> "EntryQuerySet":
        return self.filter(deleted_at__isnull=True)


class Entry(models.Model):
    """Money in or money out. Deleting keeps the row (marked deleted) so its history stays."""

    class Direction(models.TextChoices):
        IN = "in", "Money in"
        OUT = "out", "Money out"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="entries")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    occurred_on = models.DateField(db_index=True)
    amount_pence = models.PositiveBigIntegerField()
    payee_encrypted = models.BinaryField()
    note_encrypted = models.BinaryField()
    category = models.ForeignKey(Category, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="entries")
    document = models.ForeignKey("accounts.Document", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="budget_entries")
    # A keyed hash of date, direction, amount and payee: finds duplicates without storing the payee.
    fingerprint = models.CharField(max_length=64, db_index=True)
    imported = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(amount_pence__gt=0),
                                              name="budget_entry_amount_positive")]

    def __str__(self) -> str:
        return f"entry {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("budget:entry_detail", args=[self.pk])

    @property
    def signed_pence(self) -> int:
        return self.amount_pence if self.direction == self.Direction.IN else -self.amount_pence


class EntryChange(models.Model):
    """One step in an entry's history: what it said after the change (encrypted as a whole)."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        IMPORTED = "imported", "Imported"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"
        RESTORED = "restored", "Restored"

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="changes")
    action = models.CharField(max_length=10, choices=Action.choices)
    snapshot_encrypted = models.BinaryField()
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.entry_id}"


class ImportRule(models.Model):
    """'When the description contains HMRC, file it under Tax': applied to imported rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="rules")
    match_encrypted = models.BinaryField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="rules")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedByBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"rule {self.pk}"


class PendingImport(models.Model):
    """A statement between upload and confirmation, encrypted; deleted once imported or abandoned."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="pending_imports")
    content_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedByBudgetQuerySet.as_manager()

    def __str__(self) -> str:
        return f"pending import {self.pk}"


class ChecklistItem(models.TextChoices):
    BANK_STATEMENT = "bank_statement", "Bank statement"
    PAYSLIP = "payslip", "Payslip"
    TIMESHEET = "timesheet", "Timesheet"
    HMRC = "hmrc", "HMRC payroll record"
    PENSION = "pension", "Pension record"
    INSURANCE = "insurance", "Employer's liability insurance certificate"
    CONTRACT = "contract", "PA contract of employment"
    DBS = "dbs", "DBS check"
    CARE_PLAN = "care_plan", "Care and support plan"
    OTHER = "other", "Other record"


class Record(models.Model):
    """A private document filed against a checklist item and the date it relates to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="records")
    document = models.ForeignKey("accounts.Document", on_delete=models.CASCADE, related_name="budget_records")
    item = models.CharField(max_length=20, choices=ChecklistItem.choices)
    relates_to = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedByBudgetQuerySet.as_manager()

    class Meta:
        ordering = ["-relates_to", "item"]
        constraints = [models.UniqueConstraint(fields=["document", "item", "relates_to"],
                                               name="budget_record_once")]

    def __str__(self) -> str:
        return f"record {self.pk}"


class ShareQuerySet(OwnedByBudgetQuerySet):
    def live(self, now) -> "ShareQuerySet":
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class Share(models.Model):
    """A read-only link for a named professional. Only a hash of the link's secret is kept."""

    class Contents(models.TextChoices):
        PACK = "pack", "A review pack for a period"
        DOCUMENTS = "documents", "Chosen documents"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="shares")
    token_hash = models.CharField(max_length=64, unique=True)
    recipient_encrypted = models.BinaryField()
    contents = models.CharField(max_length=10, choices=Contents.choices)
    period_from = models.DateField(null=True, blank=True)
    period_to = models.DateField(null=True, blank=True)
    documents = models.ManyToManyField("accounts.Document", blank=True, related_name="budget_shares")
    passcode_hash = models.CharField(max_length=200, blank=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"share {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("budget:share_detail", args=[self.pk])

    def is_live(self, now) -> bool:
        return self.revoked_at is None and self.expires_at > now


class ShareOpening(models.Model):
    """The owner's access log for a link: every opening, wrong passcode and download."""

    class Action(models.TextChoices):
        OPENED = "opened", "Opened the link"
        WRONG_PASSCODE = "wrong_passcode", "Entered a wrong passcode"
        DOWNLOADED_PACK = "pack", "Downloaded the review pack"
        DOWNLOADED_DOCUMENT = "document", "Downloaded a document"

    share = models.ForeignKey(Share, on_delete=models.CASCADE, related_name="openings")
    action = models.CharField(max_length=16, choices=Action.choices)
    browser = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.action} {self.share_id}"
