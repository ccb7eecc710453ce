import datetime
import re

from django import forms
from django.core.validators import URLValidator

from mycarebudget.forms import CharactersField, SubmissionKeyMixin
from mycarebudget.text import validate_markdown
from wiki.models import BODY_MAX_LENGTH, Page, Topic

_EMPTY_LINK = re.compile(r"\[\[\s*(?:\|[^\]]*)?\]\]")


class PageForm(SubmissionKeyMixin, forms.Form):
    """A page's content plus the edit summary; used for new pages and edits alike."""

    title = forms.CharField(
        max_length=120, label="Title",
        error_messages={"required": "Enter a title", "max_length": "Title must be 120 characters or fewer"})
    slug = forms.SlugField(
        max_length=80, label="Web address", help_text="Lower-case letters, numbers and hyphens, for example "
        "employing-a-personal-assistant. Changing it keeps the old address working.",
        error_messages={"required": "Enter a web address",
                        "invalid": "Web address can only have lower-case letters, numbers and hyphens",
                        "max_length": "Web address must be 80 characters or fewer"})
    summary = forms.CharField(
        max_length=300, label="Summary", help_text="One or two sentences saying what the page tells you.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter a short summary", "max_length": "Summary must be 300 characters or fewer"})
    topic = forms.ChoiceField(choices=Topic.choices, label="Topic",
                              error_messages={"required": "Choose a topic", "invalid_choice": "Choose a topic"})
    body = CharactersField(
        max_length=BODY_MAX_LENGTH, label="Page text",
        help_text="Write in Markdown: ## for a heading, - for a bullet, [[Page title]] to link to another guide.",
        widget=forms.Textarea(attrs={"rows": 24, "class": "app-textarea--long", "spellcheck": "true"}),
        validators=[validate_markdown],
        error_messages={"required": "Enter the page text",
                        "max_length": f"Page text must be {BODY_MAX_LENGTH:,} characters or fewer. "
                                      "Split it into two pages"})
    sources = forms.CharField(
        required=False, label="Sources",
        help_text="One per line: the organisation and title, then | and the web address.",
        widget=forms.Textarea(attrs={"rows": 5}))
    last_checked = forms.DateField(
        label="Facts last checked", help_text="For example 2026-11-23",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date the facts were last checked",
                        "invalid": "Enter a real date, for example 2026-11-23"})
    next_review = forms.DateField(
        label="Next review due", help_text="For example 2027-05-23",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "Enter the date the next review is due",
                        "invalid": "Enter a real date, for example 2027-05-23"})
    edit_summary = forms.CharField(
        max_length=300, label="Summary of your change",
        help_text="Say briefly what you changed and why, for example “Added the 2024 figures”.",
        error_messages={"required": "Say what you changed, in a few words",
                        "max_length": "Summary of your change must be 300 characters or fewer"})
    base_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # Set when the author was shown a conflict: sending again must confirm what it removes.
    after_conflict = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    confirm_removals = forms.BooleanField(
        required=False, label="I have checked what my text removes from the current version, and I mean to "
                              "remove it")

    def clean_title(self):
        title = " ".join(self.cleaned_data["title"].split())
        if not title:
            raise forms.ValidationError("Enter a title", code="required")
        return title

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if not body.strip():
            raise forms.ValidationError("Enter the page text", code="required")
        if _EMPTY_LINK.search(body):
            raise forms.ValidationError("A link [[ ]] has no guide title in it. Put the guide’s title between "
                                        "the brackets, for example [[Glossary]], or remove the brackets",
                                        code="empty_link")
        return body

    def clean_sources(self):
        lines = [line.strip() for line in self.cleaned_data["sources"].replace("\r\n", "\n").split("\n")]
        validate = URLValidator(schemes=["http", "https"])
        for line in filter(None, lines):
            _, bar, url = line.partition("|")
            if bar and url.strip():
                try:
                    validate(url.strip())
                except forms.ValidationError:
                    raise forms.ValidationError(
                        f"“{url.strip()}” is not a web address. Start it with https://", code="invalid") from None
        return "\n".join(filter(None, lines))

    def clean(self):
        cleaned = super().clean()
        checked, review = cleaned.get("last_checked"), cleaned.get("next_review")
        if checked and checked > datetime.date.today():
            self.add_error("last_checked", "Date the facts were last checked must be today or in the past")
        if checked and review and review < checked:
            self.add_error("next_review", "Next review must be after the date the facts were last checked")
        return cleaned

    def content(self) -> dict:
        return {name: self.cleaned_data[name] for name in
                ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}

    @classmethod
    def initial_for(cls, page: Page) -> dict:
        initial = {name: getattr(page, name) for name in
                   ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
        initial["base_revision"] = page.revision
        return initial


class RejectForm(forms.Form):
    reason = CharactersField(
        label="Why are you not accepting this edit?", help_text="The author will see this.",
        max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell the author why their edit was not accepted"})


class ApproveForm(forms.Form):
    note = CharactersField(label="Note to the author (optional)", required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    body = CharactersField(
        label="Page text to publish", required=False, max_length=BODY_MAX_LENGTH, strip=False,
        help_text="The author’s edit merged into the current version. Change it if you need to, "
                  "then preview it: what you preview is what is published.",
        widget=forms.Textarea(attrs={"rows": 20, "class": "app-textarea--long", "spellcheck": "true"}))
    seen_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if "body" in self.data and not body.strip():
            raise forms.ValidationError("Enter the page text to publish", code="required")
        if _EMPTY_LINK.search(body):
            raise forms.ValidationError("A link [[ ]] has no guide title in it", code="empty_link")
        return body if "body" in self.data else None


class RetireForm(forms.Form):
    reason = forms.CharField(
        label="Why is this page being retired?", help_text="Readers who follow an old link will see this.",
        max_length=300, error_messages={"required": "Say why the page is being retired"})
    replaced_by = forms.ModelChoiceField(
        queryset=Page.objects.live(), required=False, label="Where its content went (optional)",
        empty_label="Nowhere: the content was removed")


class MissingRedirectForm(forms.Form):
    """Send a missing address to a guide, given by its address or its title."""

    slug = forms.CharField(widget=forms.HiddenInput, max_length=80)
    target = forms.CharField(
        label="Guide it should lead to", help_text="The guide’s address (for example employing-personal-assistants) "
        "or its title", max_length=200,
        error_messages={"required": "Enter the address or title of the guide this address should lead to"})

    def clean_target(self):
        value = self.cleaned_data["target"].strip()
        slug = value.strip("/").rpartition("/")[2].lower()
        page = (Page.objects.live().filter(slug=slug).first()
                or Page.objects.live().filter(title__iexact=value).first())
        if page is None:
            raise forms.ValidationError("There is no guide with that address or title. Check it and try again",
                                        code="invalid")
        return page


class SynonymsForm(forms.Form):
    groups = CharactersField(
        label="Words that mean the same", max_length=20_000,
        help_text="One group per line, words or short phrases separated by commas, for example: "
                  "pa, personal assistant",
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "true"}),
        error_messages={"required": "Enter at least one group of words"})

    def clean_groups(self):
        groups = []
        for number, line in enumerate(self.cleaned_data["groups"].replace("\r\n", "\n").split("\n"), start=1):
            phrases = [" ".join(re.findall(r"[a-z0-9']+", phrase.lower())) for phrase in line.split(",")]
            phrases = list(dict.fromkeys(phrase for phrase in phrases if phrase))
            if not line.strip():
                continue
            if len(phrases) < 2:
                raise forms.ValidationError(f"Line {number} needs at least two words or phrases, separated by commas",
                                            code="too_few")
            if len(", ".join(phrases)) > 300:
                raise forms.ValidationError(f"Line {number} is too long: keep each group under 300 characters",
                                            code="too_long")
            groups.append(", ".join(phrases))
        return groups
