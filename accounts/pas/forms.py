"""Input shape and plain-English messages for the PA pages."""

from datetime import date, timedelta

from django import forms

from accounts.pas.models import (
    WEEKDAYS,
    AgeBand,
    Deadline,
    EmployerSettings,
    MinimumWageRate,
    PersonalAssistant,
    TimesheetEntry,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "govuk-input govuk-input--width-10", **(attrs or {})}, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    """A text box for a 24-hour time: the same on every phone, and no AM/PM to get wrong."""

    def __init__(self, attrs=None):
        super().__init__(attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "numeric",
                                "autocomplete": "off", "spellcheck": "false", **(attrs or {})}, format="%H:%M")


TIME_FORMATS = ["%H:%M", "%H.%M", "%H%M", "%H:%M:%S"]
TIME_HINT = "24-hour clock, for example 09:00 or 18:30"


def _date(label, *, required=True, help_text="", message="Enter a date, for example 2026-04-01"):
    return forms.DateField(label=label, required=required, help_text=help_text, widget=DateInput(),
                           error_messages={"required": f"Enter the {label.lower()}", "invalid": message})


def _time(label):
    return forms.TimeField(label=label, widget=TimeInput(), input_formats=TIME_FORMATS, help_text=TIME_HINT,
                           error_messages={"required": f"Enter the {label.lower()} time, for example 18:00",
                                           "invalid": "Enter a time as hours and minutes, for example 18:00"})


def _hours(label, *, required=True, help_text=""):
    return forms.DecimalField(label=label, required=required, help_text=help_text, min_value=0, max_digits=6,
                              decimal_places=2,
                              widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5",
                                                            "inputmode": "decimal", "spellcheck": "false"}),
                              error_messages={"required": f"Enter the {label.lower()}",
                                              "invalid": "Enter hours as a number, for example 7.5",
                                              "min_value": "Hours cannot be less than 0",
                                              "max_decimal_places": "Enter hours to no more than 2 decimal places"})


class Radios(forms.RadioSelect):
    """GOV.UK radios (the forum's templates): the input first, its label after it."""

    template_name = "forum/widgets/radios.html"
    option_template_name = "forum/widgets/radio_option.html"


MONTHS = [(number, date(2026, number, 1).strftime("%B")) for number in range(1, 13)]


class PAForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120, widget=forms.TextInput(
        attrs={"class": "govuk-input", "autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the PA's name"})
    role = forms.CharField(label="Job title", max_length=80, initial="Personal assistant",
                           widget=forms.TextInput(attrs={"class": "govuk-input"}),
                           error_messages={"required": "Enter a job title, for example Personal assistant"})
    start_date = _date("Start date")
    end_date = _date("Last day of work (optional)", required=False, help_text="Only if they have left or are leaving")
    hourly_rate = forms.DecimalField(
        label="Hourly rate in pounds", min_value=0.01, max_digits=6, decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5", "inputmode": "decimal",
                                      "spellcheck": "false"}),
        error_messages={"required": "Enter the hourly rate, for example 13.50",
                        "invalid": "Enter the hourly rate as a number of pounds, for example 13.50",
                        "min_value": "Enter an hourly rate more than 0",
                        "max_decimal_places": "Enter the rate in pounds and pence, for example 13.50"})
    age_band = forms.ChoiceField(label="Age band for the minimum wage", choices=AgeBand.choices,
                                 widget=Radios, initial=AgeBand.ADULT)
    hours_type = forms.ChoiceField(label="Their hours", choices=PersonalAssistant.Hours.choices,
                                   widget=Radios, initial=PersonalAssistant.Hours.FIXED)
    weekly_hours = _hours("Contracted hours a week", required=False, help_text="For fixed hours, for example 20")
    days_per_week = _hours("Days worked a week (optional)", required=False,
                           help_text="Used to cap holiday at 28 days for six- and seven-day weeks")
    bank_holidays = forms.ChoiceField(label="Bank holidays", choices=PersonalAssistant.BankHolidays.choices,
                                      widget=Radios, initial=PersonalAssistant.BankHolidays.INCLUDED)
    holiday_year_start_day = forms.IntegerField(
        label="Holiday year starts on day", min_value=1, max_value=28, initial=1,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-2", "inputmode": "numeric"}),
        error_messages={"required": "Enter the day the holiday year starts, from 1 to 28",
                        "invalid": "Enter the day the holiday year starts, from 1 to 28",
                        "min_value": "Enter a day from 1 to 28", "max_value": "Enter a day from 1 to 28"})
    holiday_year_start_month = forms.TypedChoiceField(label="Holiday year starts in", choices=MONTHS, coerce=int,
                                                      initial=4, widget=forms.Select(attrs={"class": "govuk-select"}))
    payroll_reference = forms.CharField(label="Payroll reference (optional)", max_length=30, required=False,
                                        help_text="The number your payroll provider uses for them",
                                        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}))
    dbs_certificate_date = _date("DBS certificate date (optional)", required=False)
    dbs_update_service = forms.BooleanField(label="They are on the DBS Update Service and have agreed to checks",
                                            required=False)
    documents = forms.MultipleChoiceField(label="Their documents (optional)", required=False,
                                          widget=forms.CheckboxSelectMultiple,
                                          help_text="Link their contract, DBS record and other papers from your "
                                                    "private documents",
                                          error_messages={"invalid_choice": "Choose from your own documents"})
    notes = forms.CharField(label="Notes (optional)", required=False, max_length=2000,
                            widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
                            help_text="Encrypted, like their name. Only you can read them.")

    def __init__(self, *args, documents=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.document_objects = {str(document.pk): document for document, _ in documents}
        self.fields["documents"].choices = [(str(document.pk), name) for document, name in documents]
        if not documents:
            del self.fields["documents"]

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "The last day of work must be on or after the start date")
        if data.get("hours_type") == PersonalAssistant.Hours.FIXED and not data.get("weekly_hours"):
            self.add_error("weekly_hours", "Enter their contracted hours a week, or choose irregular hours")
        if data.get("weekly_hours") is not None and data["weekly_hours"] > 168:
            self.add_error("weekly_hours", "A week has 168 hours: enter fewer")
        if data.get("days_per_week") is not None and not 0 < data["days_per_week"] <= 7:
            self.add_error("days_per_week", "Enter a number of days from 0.5 to 7")
        data["documents"] = [self.document_objects[pk] for pk in data.get("documents", [])
                             if pk in self.document_objects]
        return data


class RotaForm(forms.Form):
    weeks = forms.TypedChoiceField(label="Pattern", coerce=int, widget=Radios,
                                   choices=[(1, "Every week is the same"), (4, "A four-week pattern")])
    starts_on = _date("Week 1 starts on", help_text="We use the Monday of the week you choose")


def _pa_choice(pas, *, required=False, empty="No one yet (an open shift)"):
    return forms.TypedChoiceField(label="PA", required=required, coerce=str, empty_value=None,
                                  choices=[("", empty)] + [(str(pa.pk), name) for pa, name in pas],
                                  widget=forms.Select(attrs={"class": "govuk-select"}))


class ShiftTimesMixin:
    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] == data["end"]:
            self.add_error("end", "The shift must end at a different time from its start")
        return data


class PatternShiftForm(ShiftTimesMixin, forms.Form):
    week = forms.TypedChoiceField(label="Pattern week", coerce=int, choices=[(n, f"Week {n}") for n in range(1, 5)],
                                  widget=forms.Select(attrs={"class": "govuk-select"}))
    weekday = forms.TypedChoiceField(label="Day", coerce=int, choices=WEEKDAYS,
                                     widget=forms.Select(attrs={"class": "govuk-select"}))
    start = _time("Start")
    end = _time("End")

    def __init__(self, *args, pas=(), weeks=1, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"] = _pa_choice(pas)
        self.order_fields(["pa", "week", "weekday", "start", "end"])
        if weeks == 1:
            del self.fields["week"]


class CoverNeedForm(ShiftTimesMixin, forms.Form):
    weekday = forms.TypedChoiceField(label="Day", coerce=int, choices=WEEKDAYS,
                                     widget=forms.Select(attrs={"class": "govuk-select"}))
    start = _time("From")
    end = _time("Until")


class ShiftChangeForm(forms.Form):
    """A one-off change: cover, move or cancel one shift on one date, or add an extra shift."""

    date = _date("Date")
    shift = forms.ChoiceField(label="Which shift", widget=forms.Select(attrs={"class": "govuk-select"}))
    cancel = forms.BooleanField(label="Cancel this shift on this date (no one is needed)", required=False)
    start = forms.TimeField(label="New start (optional)", required=False, widget=TimeInput(),
                            input_formats=TIME_FORMATS,
                            error_messages={"invalid": "Enter a time as hours and minutes, for example 18:00"})
    end = forms.TimeField(label="New end (optional)", required=False, widget=TimeInput(),
                            input_formats=TIME_FORMATS,
                          error_messages={"invalid": "Enter a time as hours and minutes, for example 18:00"})

    def __init__(self, *args, pas=(), shifts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"] = _pa_choice(pas, empty="No one (leave it open)")
        self.fields["pa"].label = "Who works it"
        self.fields["shift"].choices = [("extra", "An extra shift")] + list(shifts)
        self.order_fields(["date", "shift", "pa", "start", "end", "cancel"])

    def clean(self):
        data = super().clean()
        if data.get("shift") == "extra" and not (data.get("start") and data.get("end")):
            self.add_error("start", "Enter the start and end times of the extra shift")
        return data


class TimesheetEntryForm(forms.Form):
    date = _date("Date")
    start = forms.TimeField(label="Start", required=False, widget=TimeInput(),
                            input_formats=TIME_FORMATS,
                            error_messages={"invalid": "Enter a time as hours and minutes, for example 09:00"})
    end = forms.TimeField(label="End", required=False, widget=TimeInput(),
                            input_formats=TIME_FORMATS,
                          error_messages={"invalid": "Enter a time as hours and minutes, for example 17:00"})
    hours = _hours("Hours", required=False, help_text="Left blank, worked out from the times")
    kind = forms.ChoiceField(label="Type", choices=TimesheetEntry.Kind.choices, initial=TimesheetEntry.Kind.WORKED,
                             widget=forms.Select(attrs={"class": "govuk-select"}))
    delete = forms.BooleanField(label="Remove this line", required=False)

    def __init__(self, *args, week_start=None, **kwargs):
        self.week_start = week_start
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.week_start and data.get("date") and not (
                self.week_start <= data["date"] <= self.week_start + timedelta(days=6)):
            self.add_error("date", f"Enter a date in this week, {self.week_start:%-d %B} to "
                                   f"{self.week_start + timedelta(days=6):%-d %B %Y}")
        if data.get("hours") is None and not (data.get("start") and data.get("end")) and not data.get("delete"):
            self.add_error("hours", "Enter the hours, or a start and end time")
        if data.get("hours") is not None and data["hours"] > 24:
            self.add_error("hours", "Enter no more than 24 hours on one line")
        return data


class BaseEntryFormSet(forms.BaseFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "week_start": self.week_start}


TimesheetEntryFormSet = forms.formset_factory(TimesheetEntryForm, formset=BaseEntryFormSet, extra=2,
                                              max_num=60, validate_max=True)


class HolidayForm(forms.Form):
    first_day = _date("First day")
    last_day = _date("Last day")
    hours = _hours("Hours of holiday (optional)", required=False,
                   help_text="Left blank, we use the hours the rota has them working on those days")

    def clean(self):
        data = super().clean()
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            self.add_error("last_day", "The last day must be on or after the first day")
        return data


class PayPeriodForm(forms.Form):
    first_day = _date("First day of the pay period")
    last_day = _date("Last day of the pay period")
    cut_off = _date("Payroll cut-off (optional)", required=False,
                    help_text="The day your payroll provider needs the hours by: it goes in your calendar")

    def clean(self):
        data = super().clean()
        if data.get("first_day") and data.get("last_day"):
            if data["last_day"] < data["first_day"]:
                self.add_error("last_day", "The last day must be on or after the first day")
            elif (data["last_day"] - data["first_day"]).days > 62:
                self.add_error("last_day", "A pay period can be up to two months long")
        return data


class EmployerSettingsForm(forms.ModelForm):
    class Meta:
        model = EmployerSettings
        fields = ["pension_duties_start", "insurance_renewal", "reminders_on", "reminder_days"]
        widgets = {"pension_duties_start": DateInput(), "insurance_renewal": DateInput(),
                   "reminder_days": forms.TextInput(attrs={"class": "govuk-input govuk-input--width-2",
                                                           "inputmode": "numeric"})}
        help_texts = {"pension_duties_start": "The day you first employed someone (your auto-enrolment duties "
                                              "start date): we work out the declaration and re-enrolment dates",
                      "reminder_days": "From 1 to 90"}
        error_messages = {"reminder_days": {"invalid": "Enter a number of days from 1 to 90",
                                            "min_value": "Enter a number of days from 1 to 90",
                                            "max_value": "Enter a number of days from 1 to 90",
                                            "required": "Enter a number of days from 1 to 90"},
                          "pension_duties_start": {"invalid": "Enter a date, for example 2026-04-01"},
                          "insurance_renewal": {"invalid": "Enter a date, for example 2026-04-01"}}


class DeadlineForm(forms.Form):
    kind = forms.ChoiceField(label="What", choices=Deadline.Kind.choices,
                             widget=forms.Select(attrs={"class": "govuk-select"}))
    due_on = _date("Date")
    repeats = forms.TypedChoiceField(label="Repeats", coerce=int, choices=Deadline.Repeats.choices,
                                     widget=forms.Select(attrs={"class": "govuk-select"}))

    def __init__(self, *args, pas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pa"] = _pa_choice(pas, empty="Not about one PA")
        self.fields["pa"].label = "About (optional)"


class MinimumWageRateForm(forms.ModelForm):
    class Meta:
        model = MinimumWageRate
        fields = ["band", "starts_on", "hourly_rate", "source"]
        widgets = {"starts_on": DateInput(), "band": forms.Select(attrs={"class": "govuk-select"}),
                   "hourly_rate": forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5",
                                                         "inputmode": "decimal"}),
                   "source": forms.TextInput(attrs={"class": "govuk-input"})}
        error_messages = {"hourly_rate": {"required": "Enter the hourly rate, for example 12.71",
                                          "invalid": "Enter the hourly rate as a number, for example 12.71"},
                          "starts_on": {"required": "Enter the date the rate starts",
                                        "invalid": "Enter a date, for example 2027-04-01"}}


class WagesForm(forms.Form):
    """What the member paid each PA for a pay period, typed from payslips: recorded as budget spending."""

    paid_on = _date("Date paid", help_text="The day the money left your budget account")

    def __init__(self, *args, rows=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        for pa, name, recorded in self.rows:
            if recorded:
                continue
            self.fields[f"pa_{pa.pk.hex}"] = forms.DecimalField(
                label=f"Paid to {name}, in pounds (optional)", required=False, min_value=0, max_digits=9,
                decimal_places=2, widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10",
                                                                "inputmode": "decimal", "spellcheck": "false"}),
                error_messages={"invalid": "Enter an amount in pounds, for example 412.50",
                                "min_value": "Enter an amount of £0 or more",
                                "max_decimal_places": "Enter the amount in pounds and pence, for example 412.50"})
        self.fields["category"] = forms.ChoiceField(
            label="Budget line (optional)", required=False, choices=[("", "No line")] + list(categories),
            widget=forms.Select(attrs={"class": "govuk-select"}))

    def clean(self):
        data = super().clean()
        amounts = {pa: int(data[f"pa_{pa.pk.hex}"] * 100) for pa, _, recorded in self.rows
                   if not recorded and data.get(f"pa_{pa.pk.hex}")}
        if not self.errors and not amounts:
            first = next((f"pa_{pa.pk.hex}" for pa, _, recorded in self.rows if not recorded), None)
            self.add_error(first, "Enter what you paid at least one PA")
        data["amounts"] = amounts
        return data
