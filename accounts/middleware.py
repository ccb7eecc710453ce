"""Staff reach the Django admin only with two-step verification; sign-up and reset answer in even time."""

import time

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from accounts.twostep import TWO_STEP_MESSAGE, has_two_step


class StaffTwoStepMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request):
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        if request.path.startswith(self.admin_prefix):
            user = request.user
            if user.is_authenticated and user.is_active and user.is_staff and not has_two_step(user):
                messages.warning(request, TWO_STEP_MESSAGE)
                return redirect("mfa_activate_totp")
        return self.get_response(request)


class EvenTimeMiddleware:
    """Sign-up and password-reset POSTs answer no sooner than ACCOUNT_EVEN_TIME_SECONDS.

    Both paths already do the costly part alike (a taken address's password is hashed too, see
    SignupForm.try_save); this hides what is left (a new account's rows, which email is rendered),
    so response time cannot tell anyone whether an address has an account.
    """

    URL_NAMES = ("account_signup", "account_reset_password")

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = None

    def __call__(self, request):
        floor = settings.ACCOUNT_EVEN_TIME_SECONDS
        if not floor or request.method != "POST":
            return self.get_response(request)
        if self.paths is None:
            self.paths = {reverse(name) for name in self.URL_NAMES}
        if request.path not in self.paths:
            return self.get_response(request)
        started = time.monotonic()
        response = self.get_response(request)
        left = floor - (time.monotonic() - started)
        if left > 0:
            time.sleep(left)
        return response


class LastUsedMiddleware:
    """Keeps "last used" on the signed-in devices page up to date, at most every few minutes per
    session (accounts.sessions.note_last_used): never a write per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a session this request has read already: reading one here would add Vary: Cookie
        # to pages that anonymous readers share (mycarebudget.shared).
        if session is not None and session.accessed and response.status_code < 500:
            from accounts.sessions import note_last_used

            note_last_used(request)
        return response
