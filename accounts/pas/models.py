"""A member's employer records for their personal assistants. Private to the member.

Every row has an owner, and every read starts from ``owned_by(user)``. A PA's name and notes
are encrypted with the PA's own key, like a document's name (accounts.crypto).
"""

import secrets
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user) -> "OwnedQuerySet":
        """The only way in: every view reaches these rows through this."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(owner=user)


def new_token() -> str:
    return secrets.token_urlsafe(32)


class AgeBand(models.TextChoices):
    ADULT = "21_over", "21 and over (National Living Wage)"
    AGE_18_20 = "18_20", "18 to 20"
    UNDER_18 = "under_18", "Under 18"
    APPRENTICE = "apprentice", "Apprentice"


class MinimumWageRate(models.Model):
    """One legal minimum hourly rate for one age band, in force from a date until the next one.

    Moderators keep this table up to date each April; nothing in the code knows the figures.
    """

    band = models.CharField(max_length=12, choices=AgeBand.choices)
    starts_on = models.DateField("in force from")
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2,
                                      validators=[MinValueValidator(Decimal("0.01"))])
    source = models.CharField(max_length=300, blank=True, help_text="Where the figure was checked")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "band"]
        constraints = [models.UniqueConstraint(fields=["band", "starts_on"], name="one_rate_per_band_and_date")]

    def __str__(self) -> str:
        return f"{self.get_band_display()} from {self.starts_on}: £{self.hourly_rate}"


class PersonalAssistant(models.Model):
    """A PA the member employs. Name and notes are encrypted; the rest is plain employer data."""

    class Hours(models.TextChoices):
        FIXED = "fixed", "Fixed hours each week"
        IRREGULAR = "irregular", "Irregular hours (holiday builds up at 12.07% of hours worked)"

    class BankHolidays(models.TextChoices):
        INCLUDED = "included", "Part of their 5.6 weeks: a bank holiday on a working day is taken as holiday"
        EXTRA = "extra", "Given on top of their 5.6 weeks"
        WORKED = "worked", "Normal working days"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pas")
    key_id = models.CharField(max_length=32)
    wrapped_key = models.BinaryField()
    name_encrypted = models.BinaryField()
    notes_encrypted = models.BinaryField()
    role = models.CharField(max_length=80, default="Personal assistant")
    payroll_reference = models.CharField(max_length=30, blank=True)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    hourly_rate = models.DecimalField(max_digits=6, decimal_places=2,
                                      validators=[MinValueValidator(Decimal("0.01"))])
    age_band = models.CharField(max_length=12, choices=AgeBand.choices, default=AgeBand.ADULT)
    hours_type = models.CharField(max_length=10, choices=Hours.choices, default=Hours.FIXED)
    weekly_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True,
                                       validators=[MinValueValidator(Decimal("0.25")),
                                                   MaxValueValidator(Decimal("168"))])
    days_per_week = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True,
                                        validators=[MinValueValidator(Decimal("0.5")),
                                                    MaxValueValidator(Decimal("7"))])
    bank_holidays = models.CharField(max_length=10, choices=BankHolidays.choices, default=BankHolidays.INCLUDED)
    holiday_year_start_month = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(12)])
    holiday_year_start_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(28)])
    dbs_certificate_date = models.DateField(null=True, blank=True)
    dbs_update_service = models.BooleanField(default=False)
    documents = models.ManyToManyField("accounts.Document", blank=True, related_name="+")
    rota_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"PA {self.pk}"  # never the name

    def get_absolute_url(self) -> str:
        return reverse("pas:pa_detail", args=[self.pk])

    @property
    def is_irregular(self) -> bool:
        return self.hours_type == self.Hours.IRREGULAR

    def has_left(self, on: date) -> bool:
        return self.end_date is not None and self.end_date < on

    def employed_on(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


class Rota(models.Model):
    """The member's repeating pattern: one week, or four weeks counted from `starts_on` (a Monday)."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pa_rota")
    weeks = models.PositiveSmallIntegerField(choices=[(1, "Every week is the same"),
                                                      (4, "A four-week pattern")], default=1)
    starts_on = models.DateField(help_text="The Monday that week 1 of the pattern begins")

    objects = OwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"rota {self.pk}"

    def week_of(self, day: date) -> int:
        """Which pattern week (1 to 4) a date falls in."""
        if self.weeks == 1:
            return 1
        return ((day - self.starts_on).days // 7) % self.weeks + 1


WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]


class CoverNeed(models.Model):
    """Hours the member needs someone with them on a weekday; uncovered parts are shown as gaps."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField(help_text="Earlier than the start means the next morning")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "start"]

    def __str__(self) -> str:
        return f"cover {self.get_weekday_display()} {self.start}-{self.end}"


class PatternShift(models.Model):
    """A shift that repeats: on a weekday of a pattern week, for a PA (or nobody yet)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="pattern_shifts")
    week = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(4)])
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAYS)
    start = models.TimeField()
    end = models.TimeField(help_text="Earlier than the start means the shift ends the next morning")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["week", "weekday", "start"]

    def __str__(self) -> str:
        return f"shift {self.pk}"


class ShiftChange(models.Model):
    """A one-off change on one date: a pattern shift moved, covered by someone else or cancelled,
    or (with no pattern shift) an extra shift."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    pattern_shift = models.ForeignKey(PatternShift, on_delete=models.CASCADE, null=True, blank=True,
                                      related_name="changes")
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    is_cancelled = models.BooleanField(default=False)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["date", "start"]
        constraints = [models.UniqueConstraint(fields=["pattern_shift", "date"], name="one_change_per_shift_date")]

    def __str__(self) -> str:
        return f"change {self.pk} on {self.date}"


class Timesheet(models.Model):
    """One PA's hours for one week (Monday to Sunday), approved by the member."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.CASCADE, related_name="timesheets")
    week_start = models.DateField()
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["week_start", "pa__created_at"]
        constraints = [models.UniqueConstraint(fields=["pa", "week_start"], name="one_timesheet_per_pa_week")]

    def __str__(self) -> str:
        return f"timesheet {self.pk}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


class TimesheetEntry(models.Model):
    class Kind(models.TextChoices):
        WORKED = "worked", "Worked"
        SICK = "sick", "Sick"
        HOLIDAY = "holiday", "Holiday"

    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries")
    date = models.DateField()
    start = models.TimeField(null=True, blank=True)
    end = models.TimeField(null=True, blank=True)
    hours = models.DecimalField(max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("24"))])
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.WORKED)

    class Meta:
        ordering = ["date", "start", "pk"]

    def __str__(self) -> str:
        return f"entry {self.pk}"


class HolidayBooking(models.Model):
    """Holiday a PA has booked, in hours. Past bookings count as taken, future ones as booked."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.CASCADE, related_name="holidays")
    first_day = models.DateField()
    last_day = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.25"))])
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["first_day", "pk"]

    def __str__(self) -> str:
        return f"holiday {self.pk}"

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day


class PayPeriod(models.Model):
    """A pay period handed to the payroll bureau: its dates, its cut-off and when it was sent."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    first_day = models.DateField()
    last_day = models.DateField()
    cut_off = models.DateField("payroll cut-off", null=True, blank=True,
                               help_text="The day your payroll provider needs the hours by")
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-first_day", "-pk"]

    def __str__(self) -> str:
        return f"pay period {self.first_day} to {self.last_day}"

    def get_absolute_url(self) -> str:
        return reverse("pas:payroll_detail", args=[self.pk])


class EmployerSettings(models.Model):
    """The member's employer dates, reminder choices and private calendar feed address."""

    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pa_employer")
    pension_duties_start = models.DateField("pension duties start date", null=True, blank=True)
    insurance_renewal = models.DateField("employers' liability insurance renews on", null=True, blank=True)
    reminders_on = models.BooleanField("email me reminders", default=True)
    reminder_days = models.PositiveSmallIntegerField(
        "days before", default=14, validators=[MinValueValidator(1), MaxValueValidator(90)])
    last_digest_on = models.DateField(null=True, blank=True)
    feed_token = models.CharField(max_length=64, null=True, blank=True, unique=True)

    objects = OwnedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"employer settings {self.pk}"


class Deadline(models.Model):
    """A date the member adds themselves: a review, an audit, a contract review, a renewal."""

    class Kind(models.TextChoices):
        BUDGET_REVIEW = "budget_review", "Budget or care plan review"
        AUDIT = "audit", "Audit of your budget account"
        CONTRACT_REVIEW = "contract_review", "Contract review"
        APPRAISAL = "appraisal", "PA supervision or appraisal"
        INSURANCE = "insurance", "Insurance renewal"
        PAYROLL = "payroll", "Payroll cut-off"
        OTHER = "other", "Other employer task"

    class Repeats(models.IntegerChoices):
        NEVER = 0, "Does not repeat"
        MONTHLY = 1, "Every month"
        YEARLY = 12, "Every year"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField()
    repeats = models.PositiveSmallIntegerField(choices=Repeats.choices, default=Repeats.NEVER)
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"deadline {self.pk}"


class ReminderSent(models.Model):
    """One deadline occurrence the member has been reminded of, so the next digest skips it."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    due_on = models.DateField()
    sent_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key", "due_on"], name="one_reminder_per_due_date")]

    def __str__(self) -> str:
        return f"reminder {self.key} {self.due_on}"


class WagesInBudget(models.Model):
    """Wages the member recorded in their budget for one PA and one pay period (issue 16's budget)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(PayPeriod, on_delete=models.CASCADE, related_name="wages")
    pa = models.ForeignKey(PersonalAssistant, on_delete=models.CASCADE, related_name="+")
    entry_id = models.UUIDField(help_text="The budget entry (accounts.budget.Entry) it made")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["period", "pa"], name="one_wages_entry_per_pa_period")]

    def __str__(self) -> str:
        return f"wages {self.pk}"
