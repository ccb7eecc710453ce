"""Account and document forms: allauth's flows with our wording, and the document store's input."""

import unicodedata

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError

from accounts import names
from accounts.models import DocumentKind, User
from accounts.passwords import GuessablePasswordValidator
from accounts.text import clean_filename, format_bytes
from mycarebudget.forms import SubmissionKeyMixin

PASSWORD_HINT = (f"At least {10} characters, and not easy to guess: no names, no site name, no word with a year. "
                 "Three or four unrelated words make a strong password you can remember. You can paste it "
                 "from a password manager.")


class PlainErrorsMixin:
    """Sets plain-English 'required' messages and drops allauth's placeholders (labels do that job)."""

    required_messages: dict[str, str] = {}
    help_texts: dict[str, str] = {}
    labels: dict[str, str] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.required_messages:
                field.error_messages["required"] = self.required_messages[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            if name in self.labels:
                field.label = self.labels[name]
            if isinstance(field, forms.EmailField):
                field.error_messages["invalid"] = ("Enter an email address in the right format, "
                                                   "like name@example.com")


DISPLAY_NAME_ERRORS = {
    "control": "Use letters, numbers, spaces and ordinary punctuation only",
    "email": "Your display name is public: do not use your email address",
    "short": "Your display name must be 2 characters or more",
    "reserved": "Choose a different display name",
    "role": "Display names cannot mention a role or organisation, such as moderator, admin, MyCareBudget, "
            "NHS or ICB, so no one can pretend to speak for them. Moderators get a badge instead",
    "taken": "That display name is taken, or looks too like one that is. Choose another, for example "
             "add an initial or a place",
}


def validate_display_name(value: str, *, user: User | None = None) -> str:
    """One rule for display names, for sign-up and for changing it (``user``: the member renaming)."""
    value = " ".join(value.split())
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in value):
        raise ValidationError(DISPLAY_NAME_ERRORS["control"], code="control")
    if "@" in value:
        raise ValidationError(DISPLAY_NAME_ERRORS["email"], code="email")
    if len(value) < 2 or not names.name_key(value):
        raise ValidationError(DISPLAY_NAME_ERRORS["short"], code="short")
    if names.name_key(value) in {"deleteduser", "deleted", "anonymous", "system"}:
        raise ValidationError(DISPLAY_NAME_ERRORS["reserved"], code="reserved")
    if names.pretends_to_a_role(value):
        raise ValidationError(DISPLAY_NAME_ERRORS["role"], code="role")
    others = User.objects.filter(name_key=names.name_key(value))
    if user is not None and user.pk:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ValidationError(DISPLAY_NAME_ERRORS["taken"], code="taken")
    return value


def display_name_field() -> forms.CharField:
    return forms.CharField(
        label="Display name", max_length=50,
        help_text="Shown next to your posts and edits, so others can see it. Do not use your email "
                  "address or your full name if you would rather stay private.",
        error_messages={"required": "Enter a display name",
                        "max_length": "Your display name must be 50 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "spellcheck": "false"}),
    )


class SignupForm(PlainErrorsMixin, account_forms.SignupForm):
    field_order = ["email", "display_name", "password1", "password2"]
    required_messages = {"email": "Enter your email address", "password1": "Enter a password",
                         "password2": "Enter the password again"}
    labels = {"password1": "Password", "password2": "Confirm password"}
    help_texts = {"email": "We send a link to confirm it. It is never shown to anyone.",
                  "password1": PASSWORD_HINT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"] = display_name_field()
        self.order_fields(self.field_order)

    def clean_display_name(self) -> str:
        return validate_display_name(self.cleaned_data["display_name"])

    def clean(self) -> dict:
        """allauth checks the password against the email only; check it against the display name too."""
        cleaned = super().clean()
        password = cleaned.get("password1")
        if password and "password1" not in self.errors and cleaned.get("display_name"):
            try:
                GuessablePasswordValidator().validate(
                    password, User(email=cleaned.get("email", ""), display_name=cleaned["display_name"]))
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def try_save(self, request):
        """A taken address gets an email instead of an account. Hash the password anyway: only a new
        account would, and the time that takes must not tell anyone which addresses have accounts."""
        if self.account_already_exists:
            make_password(self.cleaned_data["password1"])
        return super().try_save(request)

    def signup(self, request, user) -> None:
        """Called by allauth after the user is saved; the adapter has set display_name already."""


class LoginForm(PlainErrorsMixin, account_forms.LoginForm):
    required_messages = {"login": "Enter your email address", "password": "Enter your password"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


class ResetPasswordForm(PlainErrorsMixin, account_forms.ResetPasswordForm):
    required_messages = {"email": "Enter your email address"}


class ResetPasswordKeyForm(PlainErrorsMixin, account_forms.ResetPasswordKeyForm):
    required_messages = {"password1": "Enter a new password", "password2": "Enter the new password again"}
    labels = {"password1": "New password", "password2": "Confirm new password"}
    help_texts = {"password1": PASSWORD_HINT}


class ChangePasswordForm(PlainErrorsMixin, account_forms.ChangePasswordForm):
    required_messages = {"oldpassword": "Enter your current password", "password1": "Enter a new password",
                         "password2": "Enter the new password again"}
    labels = {"oldpassword": "Current password", "password1": "New password",
              "password2": "Confirm new password"}
    help_texts = {"password1": PASSWORD_HINT}


class SetPasswordForm(PlainErrorsMixin, account_forms.SetPasswordForm):
    required_messages = {"password1": "Enter a password", "password2": "Enter the password again"}
    labels = {"password2": "Confirm password"}
    help_texts = {"password1": PASSWORD_HINT}


class ChangeEmailForm(PlainErrorsMixin, account_forms.AddEmailForm):
    required_messages = {"email": "Enter your new email address"}
    labels = {"email": "New email address"}
    help_texts = {"email": "We send a link to the new address. Your old address keeps working until you "
                           "use that link."}


class ReauthenticateForm(PlainErrorsMixin, account_forms.ReauthenticateForm):
    required_messages = {"password": "Enter your password"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""


class CodeMixin(PlainErrorsMixin):
    required_messages = {"code": "Enter the 6-digit code from your authenticator app"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false",
                                                 "class": "govuk-input--width-10"})


class TwoStepCodeForm(CodeMixin, mfa_forms.AuthenticateForm):
    labels = {"code": "Code from your authenticator app, or a recovery code"}


class TwoStepReauthenticateForm(CodeMixin, mfa_forms.ReauthenticateForm):
    labels = {"code": "Code from your authenticator app, or a recovery code"}


class ActivateTOTPForm(CodeMixin, totp_forms.ActivateTOTPForm):
    labels = {"code": "Code from your authenticator app"}


class DeactivateTOTPForm(totp_forms.DeactivateTOTPForm):
    pass


class DisplayNameForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"] = display_name_field()

    def clean_display_name(self) -> str:
        return validate_display_name(self.cleaned_data["display_name"], user=self.instance)


# Private documents ------------------------------------------------------------------------------

KIND_FIELD_ERRORS = {"required": "Select what kind of document this is",
                     "invalid_choice": "Select what kind of document this is"}


class DocumentFileField(forms.FileField):
    def __init__(self, **kwargs):
        limit = format_bytes(settings.DOCUMENT_MAX_BYTES)
        super().__init__(
            label="File",
            help_text=f"PDF, Word (.docx), Excel (.xlsx), OpenDocument (.odt, .ods), text (.txt, .csv), "
                      f"JPEG, PNG or HEIC photos. Up to {limit}.",
            error_messages={"required": "Choose a file to upload",
                            "empty": "The selected file is empty. Choose a file that has something in it",
                            "invalid": "Choose a file to upload"},
            **kwargs)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


MAX_FILES_PER_UPLOAD = 10


class DocumentFilesField(DocumentFileField):
    """One or more files from one input (or from the file input and the camera input, same name)."""

    def __init__(self, **kwargs):
        super().__init__(widget=MultipleFileInput(), **kwargs)
        self.label = "Files"

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(files) > MAX_FILES_PER_UPLOAD:
            raise ValidationError(f"Choose up to {MAX_FILES_PER_UPLOAD} files at a time", code="too_many")
        return [super(DocumentFilesField, self).clean(item, initial) for item in files]


def document_date_field() -> forms.DateField:
    return forms.DateField(
        label="Date on the document (optional)", required=False,
        help_text="For example the month of a statement or the date of a letter, so you can sort and find it.",
        error_messages={"invalid": "Enter the date on the document as a real date, like 27 3 2026"},
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d"))


class DocumentUploadForm(SubmissionKeyMixin, forms.Form):
    file = DocumentFilesField()
    kind = forms.ChoiceField(label="What kind of document is it?", choices=DocumentKind.choices,
                             widget=forms.RadioSelect, error_messages=KIND_FIELD_ERRORS)
    document_date = document_date_field()
    name = forms.CharField(label="Name (optional)", max_length=200, required=False,
                           help_text="Leave this empty to use the file's own name. If you choose several "
                                     "files, each keeps its own name.",
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    note = forms.CharField(label="Note (optional)", max_length=2000, required=False,
                           help_text="Only you can see this. For example, who sent it and when.",
                           widget=forms.Textarea(attrs={"rows": 3}))

    def clean_name(self) -> str:
        return clean_filename(self.cleaned_data["name"], keep_extension=False) if self.cleaned_data[
            "name"].strip() else ""


class DocumentDetailsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200,
                           error_messages={"required": "Enter a name for the document"},
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    kind = forms.ChoiceField(label="What kind of document is it?", choices=DocumentKind.choices,
                             widget=forms.RadioSelect, error_messages=KIND_FIELD_ERRORS)
    document_date = document_date_field()
    note = forms.CharField(label="Note (optional)", max_length=2000, required=False,
                           help_text="Only you can see this.", widget=forms.Textarea(attrs={"rows": 3}))

    def clean_name(self) -> str:
        name = clean_filename(self.cleaned_data["name"], keep_extension=False)
        if not name:
            raise ValidationError("Enter a name for the document", code="required")
        return name


class DocumentReplaceForm(SubmissionKeyMixin, forms.Form):
    file = DocumentFileField()


class PasswordCheckForm(forms.Form):
    """The member's password, checked on the page that needs it (no detour through another page)."""

    password = forms.CharField(
        label="Your password", strip=False,
        help_text="To check it is really you.",
        error_messages={"required": "Enter your password"},
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    error_messages = {
        "incorrect_password": "The password is not right. Enter the password you use to sign in",
        "too_many_attempts": "You have entered a wrong password too many times. Try again in %(wait)s",
    }

    def __init__(self, *args, user, request, **kwargs):
        self.user, self.request = user, request
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        from allauth.account.adapter import get_adapter
        from allauth.core import ratelimit

        password = self.cleaned_data["password"]
        if not ratelimit.consume(self.request, action="reauthenticate", user=self.user):
            from mycarebudget.ratelimits import allauth_wait_seconds, wait_words

            raise ValidationError(self.error_messages["too_many_attempts"], code="too_many_attempts",
                                  params={"wait": wait_words(allauth_wait_seconds("reauthenticate"))})
        if not get_adapter().reauthenticate(self.user, password):
            raise ValidationError(self.error_messages["incorrect_password"], code="incorrect_password")
        return password


class DeleteAccountForm(PasswordCheckForm):
    """The box and the password on one page, checked together, so the order they are used in
    does not matter and nothing is half-done (no detour through a separate password page)."""

    confirm = forms.BooleanField(
        label="I understand that my documents will be erased at once and cannot be recovered",
        error_messages={"required": "Tick the box to confirm you want to delete your account"})
    field_order = ["confirm", "password"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].error_messages["required"] = "Enter your password to delete your account"


class DocumentFilterForm(forms.Form):
    """Find documents: by name, kind and year of the date on the document; sorted. All optional."""

    q = forms.CharField(label="Name contains", required=False, max_length=200,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))
    kind = forms.ChoiceField(label="Type", required=False,
                             choices=[("", "All types"), *DocumentKind.choices])
    year = forms.IntegerField(label="Year", required=False, min_value=1900, max_value=2200,
                              widget=forms.Select(choices=[("", "Any year")]))
    sort = forms.ChoiceField(label="Sort by", required=False, choices=[
        ("date", "Date on the document, newest first"), ("date_oldest", "Date on the document, oldest first"),
        ("name", "Name, A to Z"), ("uploaded", "Last uploaded, newest first")])
