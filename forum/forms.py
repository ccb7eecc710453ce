import re
from urllib.parse import urlsplit

from django import forms

from forum.models import (
    BODY_MAX_LENGTH,
    REASON_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    TITLE_MIN_LENGTH,
    Category,
    IdeaStatus,
    Report,
)
from mycarebudget.forms import CharactersField, SubmissionKeyMixin
from mycarebudget.text import validate_markdown


class Radios(forms.RadioSelect):
    """GOV.UK radios: the input first, its label after it, large targets."""

    template_name = "forum/widgets/radios.html"
    option_template_name = "forum/widgets/radio_option.html"


def body_field(label: str = "Your message", required_message: str = "Enter your message",
               **kwargs) -> forms.CharField:
    return CharactersField(
        max_length=BODY_MAX_LENGTH, label=label,
        help_text=kwargs.pop("help_text", "You can use Markdown: **bold**, *italic*, - for a bullet, "
                                          "> to quote, [words](https://address) for a link."),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "true"}),
        validators=[validate_markdown],
        error_messages={"required": required_message,
                        "max_length": f"Your message must be {BODY_MAX_LENGTH:,} characters or fewer "
                                      "(it has %(show_value)s). Split it into two posts"},
        **kwargs)


def title_field() -> forms.CharField:
    return CharactersField(
        min_length=TITLE_MIN_LENGTH, max_length=TITLE_MAX_LENGTH, label="Title",
        help_text="Say what the topic is about in a few words.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "true"}),
        error_messages={"required": "Enter a title",
                        "min_length": f"Title must be at least {TITLE_MIN_LENGTH} characters",
                        "max_length": f"Title must be {TITLE_MAX_LENGTH} characters or fewer "
                                      "(it has %(show_value)s)"})


def reason_field(label: str, required_message: str, *, help_text: str = "", required: bool = True):
    return CharactersField(
        max_length=REASON_MAX_LENGTH, label=label, help_text=help_text, required=required,
        widget=forms.Textarea(attrs={"rows": 4, "spellcheck": "true"}),
        error_messages={"required": required_message,
                        "max_length": f"Keep it to {REASON_MAX_LENGTH:,} characters or fewer "
                                      "(it has %(show_value)s)"})


def _clean_body(value: str, message: str = "Enter your message") -> str:
    body = value.replace("\r\n", "\n")
    if not body.strip():
        raise forms.ValidationError(message, code="required")
    return body


class TopicForm(SubmissionKeyMixin):
    title = title_field()
    body = body_field()

    field_order = ["title", "body", "submission_key"]

    def __init__(self, *args, category: Category, **kwargs):
        super().__init__(*args, **kwargs)
        if category.is_ideas:
            self.fields["title"].label = "Your idea in a few words"
            self.fields["title"].help_text = "For example “Let me print a guide as a checklist”."
            self.fields["body"].label = "Describe your idea"
            self.fields["body"].help_text = ("What should the site do, and how would it help you? "
                                             + self.fields["body"].help_text)

    def clean_title(self) -> str:
        title = " ".join(self.cleaned_data["title"].split())
        if len(title) < TITLE_MIN_LENGTH:
            raise forms.ValidationError(f"Title must be at least {TITLE_MIN_LENGTH} characters",
                                        code="min_length")
        return title

    def clean_body(self) -> str:
        return _clean_body(self.cleaned_data["body"])


class ReplyForm(SubmissionKeyMixin):
    body = body_field("Your reply", "Enter your reply")
    reply_to = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def clean_body(self) -> str:
        return _clean_body(self.cleaned_data["body"], "Enter your reply")


class EditPostForm(forms.Form):
    title = title_field()
    body = body_field()

    def __init__(self, *args, is_first: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not is_first:
            del self.fields["title"]

    clean_title = TopicForm.clean_title

    def clean_body(self) -> str:
        return _clean_body(self.cleaned_data["body"])


class StatusForm(forms.Form):
    # A duplicate is merged into the other idea (MergeForm), never just labelled.
    status = forms.ChoiceField(
        choices=[(value, label) for value, label in IdeaStatus.choices if value != IdeaStatus.DUPLICATE],
        label="New status", widget=Radios,
        error_messages={"required": "Choose the idea's new status",
                        "invalid_choice": "Choose a status from the list"})
    # Required, with a message that depends on the status: checked in clean().
    reason = reason_field(
        "Why", "", required=False,
        help_text="This is posted in the discussion with your name, and emailed to followers.")

    def clean(self):
        cleaned = super().clean()
        if "reason" in cleaned and not cleaned["reason"].strip():
            message = ("Say why we are not doing this idea" if cleaned.get("status") == IdeaStatus.NOT_DOING
                       else "Say why the status is changing")
            self.add_error("reason", forms.ValidationError(message, code="required"))
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        choices=Report.Reason.choices, label="What is wrong with this post?", widget=Radios,
        error_messages={"required": "Choose what is wrong with the post",
                        "invalid_choice": "Choose what is wrong with the post"})
    details = reason_field("Anything else the moderators should know (optional)", "",
                           required=False, help_text="Only moderators see this.")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == Report.Reason.OTHER and not (cleaned.get("details") or "").strip():
            self.add_error("details", forms.ValidationError("Say what is wrong with the post",
                                                            code="required"))
        return cleaned


class HideForm(forms.Form):
    reason = reason_field("Reason, shown in place of the post", "Enter the reason the post is hidden",
                          help_text="Everyone who opens the topic sees this. For example "
                                    "“Removed: it shared someone’s address”.")


class LockForm(forms.Form):
    reason = reason_field("Reason (optional)", "", required=False,
                          help_text="Kept in the moderation log for other moderators.")


class MoveForm(forms.Form):
    category = forms.ModelChoiceField(
        queryset=Category.objects.all(), label="Move to", empty_label=None, widget=Radios,
        error_messages={"required": "Choose where to move the topic",
                        "invalid_choice": "Choose a category from the list"})
    reason = reason_field("Reason (optional)", "", required=False,
                          help_text="Kept in the moderation log for other moderators.")


class SuspendForm(forms.Form):
    LENGTHS = [("1", "1 day"), ("7", "7 days"), ("30", "30 days"), ("0", "Until a moderator lifts it")]

    length = forms.ChoiceField(choices=LENGTHS, label="How long", widget=Radios,
                               error_messages={"required": "Choose how long the suspension lasts",
                                               "invalid_choice": "Choose how long the suspension lasts"})
    reason = reason_field("Reason", "Enter the reason for the suspension",
                          help_text="The member sees this when they try to post.")

    def days(self) -> int | None:
        return int(self.cleaned_data["length"]) or None


_IDEA_NUMBER = re.compile(r"#?(\d{1,10})")
_IDEA_ADDRESS = re.compile(r"/forum/topics/(\d{1,10})(?:-[^/]*)?/?")


class MergeForm(forms.Form):
    """A moderator names the idea a duplicate goes into, then confirms (the second POST has `confirmed`)."""

    target = forms.CharField(
        max_length=500, label="The idea to merge it into",
        help_text="Paste the address of the other idea from your browser, or type its number (the digits "
                  "after /forum/topics/ in its address).",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": "Enter the address or number of the idea to merge it into",
                        "max_length": "Enter the idea’s address as it is in your browser"})
    reason = reason_field("Note for both ideas (optional)", "", required=False,
                          help_text="Posted with your name on both ideas, for example why they are the same.")
    confirmed = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def clean_target(self) -> int:
        value = self.cleaned_data["target"].strip()
        found = _IDEA_NUMBER.fullmatch(value) or _IDEA_ADDRESS.fullmatch(urlsplit(value).path)
        if found is None:
            raise forms.ValidationError("Enter the idea’s address, like https://…/forum/topics/42-print-a-guide/, "
                                        "or its number, like 42", code="invalid")
        return int(found.group(1))


class PreferencesForm(forms.Form):
    email_notifications = forms.TypedChoiceField(
        choices=[("yes", "Yes, email me"), ("no", "No, do not email me")],
        coerce=lambda value: value == "yes",
        label="Email me about topics I follow?", widget=Radios,
        help_text="New replies, and changes to the status of ideas you follow or support.",
        error_messages={"required": "Choose whether we email you", "invalid_choice": "Choose yes or no"})
