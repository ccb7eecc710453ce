"""One form renderer, so every field renders with the same accessible markup."""

import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, transaction
from django.forms.renderers import TemplatesSetting
from django.forms.widgets import ChoiceWidget


class AccessibleBoundField(forms.BoundField):
    """Points a field at its hint and its error message (includes/field.html's ids), for screen readers.

    Django already sets aria-invalid and aria-describedby; this keeps its ids in
    step with our template's `<id>-error`, so no reference points at nothing.
    """

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if not described:
            return described
        return described.replace(f"{self.auto_id}_error", f"{self.auto_id}-error")

    @property
    def first_input_id(self) -> str:
        """Where an error summary's link goes: the field, or for radios and checkboxes the first one,
        as GOV.UK's summary does. Following a link to an input focuses it, with no JavaScript."""
        widget = self.field.widget
        if getattr(widget, "input_type", None) in ("radio", "checkbox") and isinstance(widget, ChoiceWidget):
            first = next(iter(self.subwidgets), None)
            if first is not None and first.id_for_label:
                return first.id_for_label
        return self.auto_id


class AccessibleFormRenderer(TemplatesSetting):
    field_template_name = "includes/field.html"
    bound_field_class = AccessibleBoundField


class MaxCharacters:
    """Refuses text longer than `limit` characters, counted as a browser counts them for maxlength: a line
    break is one character, though a textarea sends it as two (\r\n). The message may use %(limit_value)s
    and %(show_value)s, written with thousands separators ("20,000 characters or fewer (it has 20,115)")."""

    code = "max_length"

    def __init__(self, limit: int, message: str = "Keep it to %(limit_value)s characters or fewer "
                                                  "(it has %(show_value)s)"):
        self.limit = limit
        self.message = message

    def __call__(self, value: str) -> None:
        length = len(value.replace("\r\n", "\n"))
        if length > self.limit:
            raise ValidationError(self.message, code=self.code,
                                  params={"limit_value": f"{self.limit:,}", "show_value": f"{length:,}"})


class CharactersField(forms.CharField):
    """A CharField whose max_length is checked by MaxCharacters, not Django's MaxLengthValidator (which counts
    a line break as two characters and writes "20115"); the widget keeps its maxlength attribute."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [*(v for v in self.validators if not isinstance(v, MaxLengthValidator)),
                           MaxCharacters(max_length)]


_SUBMISSION_KEY = re.compile(r"^[0-9a-f]{32}$")


def new_submission_key() -> str:
    return uuid.uuid4().hex


class SubmissionKeyMixin(forms.Form):
    """A hidden key made when the form is shown: sending the same form twice (a double click, or
    sending again after a slow answer) stores one thing, not two. The service looks the key up;
    a unique constraint on (owner, submission_key) decides when two requests arrive at once.
    Forum posts, guide edits, template proposals and document uploads all use it."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_key", new_submission_key())

    def clean_submission_key(self) -> str:
        key = self.cleaned_data["submission_key"]
        return key if _SUBMISSION_KEY.match(key or "") else ""


def save_once(row, sent_before):
    """Insert a row made from a form with a submission key. When the same form's row was inserted
    at the same moment (the unique constraint on the key refuses this one), return that row instead.

    ``sent_before()`` looks the key up; a refusal for any other reason is raised as it is."""
    try:
        with transaction.atomic():  # a savepoint: the caller's transaction goes on after a refusal
            row.save()
    except IntegrityError:
        existing = sent_before()
        if existing is None:
            raise
        return existing
    return row
