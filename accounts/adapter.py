"""django-allauth adapters: our words, our mail queue, and TOTP secrets kept encrypted."""

import base64
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from accounts.text import describe_device
from mycarebudget.mail import queue_email


def site_link(url: str) -> str:
    """The same path and query under SITE_URL, the site's public address."""
    parts = urlsplit(url)
    path = parts.path or "/"
    return settings.SITE_URL + path + (f"?{parts.query}" if parts.query else "")

# Shown wherever allauth would have used its own wording. None of them says
# whether an email address has an account.
ERROR_MESSAGES = {
    "email_password_mismatch": "Enter the email address and password for your account. "
                               "Either the email address or the password is not right",
    # login_failed allows 5 tries in 5 minutes per address (ACCOUNT_RATE_LIMITS)
    "too_many_login_attempts": "Too many attempts to sign in. Try again in about 5 minutes, "
                               "or reset your password",
    "enter_current_password": "Enter your current password",
    "incorrect_password": "The password is not right. Enter your current password",
    "invalid_or_expired_key": "This link has expired or has already been used",
    # The reset token includes last_login and the password, so signing in or a new password ends it.
    "invalid_password_reset": "This reset link no longer works. It works once, for 3 days, and stops working "
                              "when you sign in or change your password. Ask for a new one",
    "account_inactive": "This account has been closed",
    "duplicate_email": "This is already your email address",
    "same_as_current": "Enter a different email address from your current one",
    # Asking for another confirmation email: allauth allows one every 3 minutes (confirm_email).
    "rate_limited": "You have tried too many times. Try again in about 3 minutes",
    "unverified_primary_email": "Confirm your email address first: use the link we sent you",
}


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, **ERROR_MESSAGES}

    def format_email_subject(self, subject: str) -> str:
        return f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render our wording of allauth's message, then hand it to the shared queue (sent after commit).

        Links point at SITE_URL whatever host the request came in on; the browser is described
        in words ("Chrome on an Android phone"), never as its raw User-Agent string; no
        member-written text (such as a display name) is put in the message.
        """
        from allauth.core import context as allauth_context

        request = allauth_context.request
        ctx = {"request": request, "email": email}
        ctx.update({key: site_link(value) if key.endswith("_url") and isinstance(value, str) else value
                    for key, value in context.items()})
        ctx.update({"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL,
                    "device": describe_device(ctx.pop("user_agent", "") or "")})
        ctx.pop("user", None)
        message = self.render_mail(template_prefix, email, ctx)
        # The text only: queue_email's worker adds the HTML part, made from it, as for every email.
        queue_email(to=message.to, subject=message.subject, body=message.body)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.display_name = form.cleaned_data["display_name"]
        if commit:
            user.save()
        return user


def _fernet() -> MultiFernet:
    """A Fernet key derived from SECRET_KEY (and its fallbacks), which never sits in the database."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    keys = []
    for secret in secrets:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"mycarebudget-mfa",
                       info=b"totp-secrets").derive(secret.encode())
        keys.append(Fernet(base64.urlsafe_b64encode(derived)))
    return MultiFernet(keys)


class MFAAdapter(DefaultMFAAdapter):
    """TOTP secrets and recovery seeds are encrypted, so a leaked database cannot mint codes."""

    PREFIX = "enc1:"

    def encrypt(self, text: str) -> str:
        return self.PREFIX + _fernet().encrypt(text.encode()).decode()

    def decrypt(self, encrypted_text: str) -> str:
        if not encrypted_text.startswith(self.PREFIX):
            return encrypted_text  # written before encryption was turned on
        try:
            return _fernet().decrypt(encrypted_text[len(self.PREFIX):].encode()).decode()
        except InvalidToken as error:
            raise ValueError("cannot decrypt a two-step secret: has SECRET_KEY changed?") from error

    def get_totp_label(self, user) -> str:
        # The authenticator app shows this; the display name keeps the email off the phone screen.
        return user.display_name or settings.SITE_NAME
