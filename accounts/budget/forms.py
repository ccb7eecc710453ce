"""Input for the budget pages: money typed the way people write it, dates, and plain-English errors."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError

from .models import Entry, Frequency, Management

MONEY_PATTERN = re.compile(r"^£?\s*(\d{1,9}(?:,\d{3})*|\d+)(?:\.(\d{1,2}))?$")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d %m %Y"]


class Radios(forms.RadioSelect):
    template_name = "budget/widgets/radios.html"
    option_template_name = "budget/widgets/radio_option.html"


def parse_money(value: str) -> int | None:
    """'£1,234.5' -> 123450 pence. None if it is not an amount of money; minus signs are not amounts."""
    text = (value or "").strip().replace(" ", "")
    match = MONEY_PATTERN.match(text)
    if not match:
        return None
    pounds = int(match.group(1).replace(",", ""))
    pennies = (match.group(2) or "0").ljust(2, "0")
    return pounds * 100 + int(pennies)


class MoneyField(forms.CharField):
    """Pounds and pence as typed ('12.50', '£1,200'); cleaned to whole pence."""

    def __init__(self, *, allow_zero: bool = False, noun: str = "the amount", **kwargs):
        self.allow_zero = allow_zero
        self.noun = noun
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "spellcheck": "false",
                                                           "maxlength": "20",
                                                           "class": "govuk-input govuk-input--width-10"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 20:
            raise ValidationError(f"Enter {self.noun} in pounds and pence, like 12.50", code="invalid")
        if value.strip().startswith("-") or value.strip().startswith("£-"):
            raise ValidationError(f"Enter {self.noun} without a minus sign: choose money in or money out "
                                  "instead", code="negative")
        pence = parse_money(value)
        if pence is None:
            raise ValidationError(f"Enter {self.noun} in pounds and pence, like 12.50", code="invalid")
        if pence == 0 and not self.allow_zero:
            raise ValidationError(f"Enter {self.noun} more than £0", code="zero")
        return pence


class SignedMoneyField(MoneyField):
    """An opening balance may be below zero (an overdrawn account)."""

    def to_python(self, value):
        text = (value or "").strip()
        negative = text.startswith("-") or text.startswith("£-")
        if negative:
            text = text.replace("-", "", 1)
        pence = super().to_python(text)
        return -pence if negative and pence else pence


def date_field(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label, input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date", "class": "govuk-input govuk-input--width-10"},
                               format="%Y-%m-%d"),
        error_messages={"required": f"Enter the {label.lower().removeprefix('the ')}",
                        "invalid": "Enter a real date, like 31/03/2026"}, **kwargs)


class BudgetForm(forms.Form):
    management = forms.ChoiceField(label="How is your budget managed?", choices=Management.choices,
                                   widget=Radios, error_messages={"required": "Choose how your budget is managed"})
    payer = forms.CharField(label="Who pays your budget?", max_length=200,
                            help_text="For example, the name of your ICB (integrated care board) or council",
                            error_messages={"required": "Enter who pays your budget",
                                            "max_length": "Enter 200 characters or fewer"})
    amount = MoneyField(label="How much is each payment?", noun="the amount of each payment",
                        help_text="In pounds, for example 1,850.00",
                        error_messages={"required": "Enter how much each payment is"})
    frequency = forms.ChoiceField(label="How often is it paid?", choices=Frequency.choices, widget=Radios,
                                  error_messages={"required": "Choose how often your budget is paid"})
    starts_on = date_field("Start date", help_text="The day of the first payment, for example 01/04/2026")
    opening_balance = SignedMoneyField(
        label="Money already in the budget account on the start date (optional)", required=False,
        allow_zero=True, noun="the money already in the account",
        help_text="Leave empty if the account started empty. Put a minus sign in front if it was overdrawn")
    contingency_weeks = forms.IntegerField(
        label="Contingency your ICB allows, in weeks", min_value=0, max_value=52,
        help_text="The money you may keep for emergencies, as weeks of budget. Ask your ICB if you do not know: "
                  "many allow 4 to 8 weeks",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"required": "Enter your contingency in weeks, or 0",
                        "invalid": "Enter the contingency as a whole number of weeks, like 4",
                        "min_value": "Enter 0 weeks or more", "max_value": "Enter 52 weeks or fewer"})
    employs_pas = forms.TypedChoiceField(
        label="Do you employ personal assistants (PAs)?", choices=[("yes", "Yes"), ("no", "No")], widget=Radios,
        coerce=lambda value: value == "yes", help_text="We add payslips, timesheets, HMRC, pension, insurance, "
        "contract and DBS records to your review checklist",
        error_messages={"required": "Choose yes if you employ PAs"})
    closed_until = date_field(
        "Records closed up to (optional)", required=False,
        help_text="After a review or audit, close the period it covered so nothing in it can change by mistake. "
                  "Leave empty to keep everything open")

    def clean(self):
        data = super().clean()
        if data.get("opening_balance") is None:
            data["opening_balance"] = 0
        closed, start = data.get("closed_until"), data.get("starts_on")
        if closed and start and closed < start:
            self.add_error("closed_until", ValidationError("Choose a date on or after the start date",
                                                           code="before_start"))
        return data


class PlanLineForm(forms.Form):
    """One line of the care and support plan. A line with no amount is left out."""

    category_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label="Spending line", max_length=100, required=False,
                           error_messages={"max_length": "Enter 100 characters or fewer"})
    planned = MoneyField(label="Planned for each payment", required=False, allow_zero=True,
                         noun="the planned amount")
    remove = forms.BooleanField(label="Remove this line", required=False)

    def clean(self):
        data = super().clean()
        if data.get("planned") is not None and not (data.get("name") or "").strip():
            self.add_error("name", ValidationError("Enter a name for this line, like PA wages", code="no_name"))
        return data


PlanFormSet = forms.formset_factory(PlanLineForm, extra=0)
SUGGESTED_LINES = ["PA wages", "Payroll service", "Employer's insurance", "Equipment", "Activities"]


class EntryForm(forms.Form):
    direction = forms.ChoiceField(label="Is this money in or money out?", choices=Entry.Direction.choices,
                                  widget=Radios, error_messages={"required": "Choose money in or money out"})
    occurred_on = date_field("Date")
    amount = MoneyField(label="Amount", help_text="In pounds, for example 12.50",
                        error_messages={"required": "Enter the amount"})
    payee = forms.CharField(label="Who was it paid to or from?", max_length=200,
                            help_text="For example, the PA's name, a shop, or your ICB",
                            error_messages={"required": "Enter who it was paid to or from",
                                            "max_length": "Enter 200 characters or fewer"})
    category = forms.ChoiceField(label="Spending line (for money out)", required=False)
    note = forms.CharField(label="Note (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"max_length": "Enter 2,000 characters or fewer"})
    document = forms.ChoiceField(label="Receipt or statement from your documents (optional)", required=False)
    receipt = forms.FileField(label="Or upload a receipt (optional)", required=False,
                              help_text="PDF, photo (JPG, PNG, HEIC), Word, OpenDocument or text, up to 20 MB. "
                                        "It is encrypted and added to your documents")

    def __init__(self, *args, categories: dict, documents: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Not in your plan")] + [(str(k), v) for k, v in categories.items()]
        self.fields["document"].choices = [("", "None")] + [(str(k), v) for k, v in documents.items()]

    def clean(self):
        data = super().clean()
        if data.get("document") and data.get("receipt"):
            self.add_error("receipt", ValidationError("Choose a document or upload a new one, not both",
                                                      code="both"))
        return data


class PeriodForm(forms.Form):
    start = date_field("From")
    end = date_field("To")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", ValidationError("Choose a ‘to’ date on or after the ‘from’ date", code="order"))
        if data.get("start") and data.get("end") and (data["end"] - data["start"]).days > 366 * 3:
            self.add_error("end", ValidationError("Choose a period of 3 years or less", code="too_long"))
        return data


def default_period(today: datetime.date, budget) -> tuple[datetime.date, datetime.date]:
    from .figures import budget_year

    return budget_year(budget, today)

