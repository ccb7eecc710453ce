"""Which signed-in session did what: recorded at sign-in, named in the owner's access log."""

import secrets

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver

from accounts.models import SignIn

SESSION_KEY = "accounts_sign_in"


def client_ip(request) -> str | None:
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter().get_client_ip(request)
    except Exception:  # no address at all (a test request, a broken proxy): record none
        return None


@receiver(user_logged_in, dispatch_uid="accounts_record_sign_in")
def record_sign_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    sign_in = SignIn.objects.create(
        user=user, reference=secrets.token_hex(3).upper(), session_key=request.session.session_key or "",
        ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")[:200])
    request.session[SESSION_KEY] = sign_in.pk


@receiver(user_logged_out, dispatch_uid="accounts_forget_session_key")
def forget_session_key(sender, request, user, **kwargs) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    sign_in_id = request.session.get(SESSION_KEY)
    if sign_in_id:
        SignIn.objects.filter(pk=sign_in_id, user=user).update(session_key="")


def current_sign_in(request) -> SignIn | None:
    sign_in_id = request.session.get(SESSION_KEY)
    if not sign_in_id or not request.user.is_authenticated:
        return None
    return SignIn.objects.filter(pk=sign_in_id, user=request.user).first()
