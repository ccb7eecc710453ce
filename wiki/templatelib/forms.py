from django import forms

from accounts.models import DocumentKind
from wiki.forms import PageForm
from wiki.templatelib.fields import Field
from wiki.templatelib.formats import FORMAT_LABELS
from wiki.templatelib.models import TEMPLATE_CONTENT_FIELDS, TEMPLATE_TEXT_MAX_LENGTH, Job, Shape, Suits, Template
from wiki.templatelib.sheets import layout_choices


class TemplateForm(PageForm):
    """A template's content plus the summary of the change. Shares the guide form's rules."""

    job = forms.ChoiceField(choices=Job.choices, label="Which job it helps with",
                            error_messages={"required": "Choose the job it helps with",
                                            "invalid_choice": "Choose the job it helps with"})
    suits = forms.MultipleChoiceField(choices=Suits.choices, required=False, label="Who it suits",
                                      widget=forms.CheckboxSelectMultiple)
    shape = forms.ChoiceField(choices=Shape.choices, label="What kind of file", widget=forms.RadioSelect,
                              error_messages={"required": "Choose a document or a spreadsheet"})
    layout = forms.ChoiceField(choices=layout_choices, required=False, label="Spreadsheet layout",
                               help_text="The columns and formulas of a spreadsheet. Leave it as “Not a "
                                         "spreadsheet” for a document.")
    document_kind = forms.ChoiceField(choices=DocumentKind.choices, label="Type in private documents",
                                      help_text="The type a member's filled-in copy gets when they save it.")
    fields = forms.CharField(
        required=False, label="Fields to fill in",
        help_text="One per line: name | Label | type. Types: text, long, date, money, number. For example: "
                  "pa_name | PA's name | text",
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}))
    about = forms.CharField(
        max_length=TEMPLATE_TEXT_MAX_LENGTH, label="About this template",
        help_text="Markdown. What it is for, who it is for, when you need it, how to fill it in, and what to "
                  "check with a payroll provider or adviser.",
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": "Say what the template is for and how to use it"})

    field_order = ["title", "slug", "summary", "job", "suits", "shape", "layout", "document_kind", "about",
                   "fields", "body", "sources", "last_checked", "next_review", "edit_summary"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["topic"]
        self.fields["body"].label = "The template"
        self.fields["body"].help_text = ("Markdown: ## for a heading, - for a bullet, - [ ] for a tick box, | for "
                                         "a table. Write {{ name }} where a field's value goes.")
        self.fields["body"].error_messages["required"] = "Enter the text of the template"
        self.fields["slug"].help_text = ("Lower-case letters, numbers and hyphens, for example pa-timesheet. "
                                         "Changing it keeps the old address working.")

    def content(self) -> dict:
        data = self.cleaned_data
        content = {name: data[name] for name in TEMPLATE_CONTENT_FIELDS if name != "suits"}
        content["suits"] = " ".join(data["suits"])
        content["fields"] = data["fields"].replace("\r\n", "\n").strip()
        return content

    @classmethod
    def initial_for(cls, template: Template) -> dict:
        initial = template.content()
        initial["suits"] = template.suits.split()
        initial["base_revision"] = template.revision
        return initial


def fill_form_class(fields: list[Field], formats: tuple[str, ...]) -> type[forms.Form]:
    """An ordinary form with one input per named field. Every field may be left empty:
    what is left empty stays a gap to fill in by hand."""
    attributes = {}
    for field in fields:
        common = {"label": field.label, "required": False}
        if field.type == "date":
            attributes[field.name] = forms.DateField(
                **common, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                help_text="For example 2026-12-01",
                error_messages={"invalid": f"{field.label} must be a real date, for example 2026-12-01"})
        elif field.type in ("money", "number"):
            attributes[field.name] = forms.DecimalField(
                **common, min_value=0, max_value=10_000_000, decimal_places=2,
                widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
                help_text="In pounds and pence, for example 12.71" if field.type == "money" else "",
                error_messages={"invalid": f"{field.label} must be a number, for example 12.71",
                                "min_value": f"{field.label} must be 0 or more",
                                "max_value": f"{field.label} is too large",
                                "max_decimal_places": f"{field.label} can have at most 2 decimal places"})
        elif field.type == "long":
            attributes[field.name] = forms.CharField(
                **common, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": f"{field.label} must be 5,000 characters or fewer"})
        else:
            attributes[field.name] = forms.CharField(
                **common, max_length=300,
                error_messages={"max_length": f"{field.label} must be 300 characters or fewer"})
    attributes["format"] = forms.ChoiceField(
        choices=[(fmt, f"{FORMAT_LABELS[fmt]} (.{fmt})") for fmt in formats], initial=formats[0],
        label="File type", widget=forms.RadioSelect,
        error_messages={"required": "Choose a file type", "invalid_choice": "Choose a file type"})
    return type("FillForm", (forms.Form,), attributes)


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Why are you not accepting this change?", help_text="The author will see this.",
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the author why their change was not accepted"})


class ApproveForm(forms.Form):
    note = forms.CharField(label="Note to the author (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
