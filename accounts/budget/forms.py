"""Input for the budget pages: money typed the way people write it, dates, and plain-English errors."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

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


MAX_PENCE = 100_000_000  # £1,000,000


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
        if pence > MAX_PENCE:  # no health budget moves this much at once: a typing slip would swamp every sum
            raise ValidationError(f"Enter {self.noun} of £1,000,000 or less. Check the number", code="too_large")
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

    def clean_starts_on(self):
        # A budget may start soon, but a date years away is almost always a typed year.
        starts_on = self.cleaned_data["starts_on"]
        if starts_on > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError("Start date must be within the next year. Check the year", code="too_late")
        if starts_on.year < 2009:  # personal health budgets began with the pilots in 2009
            raise ValidationError("Start date must be in 2009 or later. Check the year", code="too_early")
        return starts_on

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



class StatementForm(forms.Form):
    file = forms.FileField(label="Bank statement (CSV file)",
                           help_text="Download it from your bank's website or app as CSV. Up to 5 MB",
                           error_messages={"required": "Choose a CSV file of your bank statement",
                                           "empty": "The selected file is empty"})


class MappingForm(forms.Form):
    """Which column holds what. Sent by GET, so the preview's address says how the file was read."""

    AMOUNT_MODES = [("one", "One column: minus for money out"), ("two", "Two columns: money out and money in")]

    date = forms.TypedChoiceField(label="Date column", coerce=int)
    date_format = forms.ChoiceField(label="How dates are written")
    description = forms.TypedChoiceField(label="Description or payee column", coerce=int)
    mode = forms.ChoiceField(label="How are amounts shown?", choices=AMOUNT_MODES, widget=Radios,
                             error_messages={"required": "Choose how amounts are shown"})
    amount = forms.TypedChoiceField(label="Amount column (for one column)", coerce=int, required=False,
                                    empty_value=None)
    out = forms.TypedChoiceField(label="Money out column (for two columns)", coerce=int, required=False,
                                 empty_value=None)
    into = forms.TypedChoiceField(label="Money in column (for two columns)", coerce=int, required=False,
                                  empty_value=None)

    def __init__(self, *args, header: list[str], **kwargs):
        from .statements import DATE_FORMATS

        super().__init__(*args, **kwargs)
        columns = [(str(index), f"{index + 1}: {name}" if name else f"Column {index + 1}")
                   for index, name in enumerate(header)]
        for name in ("date", "description"):
            self.fields[name].choices = columns
        for name in ("amount", "out", "into"):
            self.fields[name].choices = [("", "None")] + columns
        self.fields["date_format"].choices = [(fmt, example) for fmt, example in DATE_FORMATS]

    def clean(self):
        data = super().clean()
        if data.get("mode") == "one" and data.get("amount") is None:
            self.add_error("amount", ValidationError("Choose the column that holds the amount", code="amount"))
        if data.get("mode") == "two":
            if data.get("out") is None:
                self.add_error("out", ValidationError("Choose the column for money out", code="out"))
            if data.get("into") is None:
                self.add_error("into", ValidationError("Choose the column for money in", code="in"))
        return data


class RuleForm(forms.Form):
    contains = forms.CharField(label="When the description contains", max_length=100,
                               help_text="For example HMRC. Capital letters do not matter",
                               error_messages={"required": "Enter the words to look for, like HMRC",
                                               "max_length": "Enter 100 characters or fewer"})
    category = forms.ChoiceField(label="Put it under", required=False)
    new_category = forms.CharField(label="Or a new spending line", max_length=100, required=False,
                                   help_text="For example Tax. It is added to your plan with £0 planned",
                                   error_messages={"max_length": "Enter 100 characters or fewer"})

    def __init__(self, *args, categories: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "Choose a spending line")] + [
            (str(key), name) for key, name in categories.items()]

    def clean(self):
        data = super().clean()
        if not data.get("category") and not (data.get("new_category") or "").strip():
            self.add_error("category", ValidationError("Choose a spending line, or name a new one", code="none"))
        if data.get("category") and (data.get("new_category") or "").strip():
            self.add_error("new_category", ValidationError("Choose a spending line or name a new one, not both",
                                                           code="both"))
        return data


class RecordForm(forms.Form):
    item = forms.ChoiceField(label="What is it?", error_messages={"required": "Choose what the document is"})
    relates_to = date_field("Date it covers",
                            help_text="For a statement, payslip or timesheet, a day in the month it covers. For a "
                                      "certificate or contract, the day it starts")
    document = forms.ChoiceField(label="Choose from your documents", required=False)
    file = forms.FileField(label="Or upload it now", required=False,
                           help_text="PDF, photo, Word, OpenDocument or text, up to 20 MB. It is encrypted and "
                                     "added to your documents")

    def __init__(self, *args, documents: dict, **kwargs):
        from .models import ChecklistItem

        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [("", "Choose")] + list(ChecklistItem.choices)
        self.fields["document"].choices = [("", "Choose a document")] + [(str(k), v) for k, v in documents.items()]

    def clean(self):
        data = super().clean()
        if not data.get("document") and not data.get("file") and "file" not in self.errors:
            self.add_error("document", ValidationError("Choose a document, or upload one", code="none"))
        if data.get("document") and data.get("file"):
            self.add_error("file", ValidationError("Choose a document or upload a new one, not both", code="both"))
        return data


class ShareForm(forms.Form):
    recipient = forms.CharField(
        label="Who is it for?", max_length=200,
        help_text="Their name and role, for example Jo Smith, care co-ordinator at Example ICB. Only you see this",
        error_messages={"required": "Enter who the link is for", "max_length": "Enter 200 characters or fewer"})
    contents = forms.ChoiceField(label="What do you want to share?", widget=Radios,
                                 choices=[("pack", "A review pack for a period"),
                                          ("documents", "Chosen documents only")],
                                 error_messages={"required": "Choose what to share"})
    start = date_field("Pack from", required=False)
    end = date_field("Pack to", required=False)
    documents = forms.MultipleChoiceField(label="Documents to share", required=False,
                                          widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(
        label="How many days should the link work?", min_value=1, max_value=30, initial=14,
        help_text="Up to 30 days. You can stop it sooner at any time",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={"required": "Enter how many days the link should work, from 1 to 30",
                        "invalid": "Enter a whole number of days, like 14", "min_value": "Enter 1 day or more",
                        "max_value": "A link can work for 30 days at most"})
    passcode = forms.BooleanField(label="Also ask for a passcode", required=False,
                                  help_text="We make one for you. Tell it to them separately, by phone or text, "
                                            "never in the same message as the link")

    def __init__(self, *args, documents: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].choices = [(str(key), name) for key, name in documents.items()]

    def clean(self):
        data = super().clean()
        if data.get("contents") == "pack":
            for name, label in (("start", "the first day"), ("end", "the last day")):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, ValidationError(f"Enter {label} of the pack's period", code="required"))
            if data.get("start") and data.get("end") and data["end"] < data["start"]:
                self.add_error("end", ValidationError("Choose a ‘to’ date on or after the ‘from’ date", code="order"))
        if data.get("contents") == "documents" and not data.get("documents"):
            self.add_error("documents", ValidationError("Choose at least one document to share", code="none"))
        return data


class PasscodeForm(forms.Form):
    passcode = forms.CharField(label="Passcode", max_length=40,
                               help_text="The person who shared this with you told you the passcode separately",
                               widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                             "class": "govuk-input govuk-input--width-10"}),
                               error_messages={"required": "Enter the passcode"})
