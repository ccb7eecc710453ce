"""Which signed-in session did what: recorded at sign-in, named in the owner's access log and on
the signed-in devices page, with when it was last used and the network it signed in from.

Addresses are kept as their network only, as Google Analytics' and Matomo's IP anonymisation do:
an IPv4 address loses its last part (203.0.113.57 is kept as 203.0.113.0, a /24), an IPv6 address
keeps its first 48 bits (a /48, a site's network). That is enough to say "the same network as
this device" and too little to name a household's connection. We look up no places: there is no
GeoIP database and no address is sent to anyone.
"""

import secrets
import time
from datetime import timedelta

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.dispatch import receiver
from django.utils import timezone

from accounts.models import SignIn
from accounts.text import network_of

SESSION_KEY = "accounts_sign_in"
LAST_USED_KEY = "accounts_last_used"
# "Last used" is brought up to date at most this often per session: one UPDATE, not one per request.
LAST_USED_EVERY = timedelta(minutes=5)


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
        ip_address=network_of(client_ip(request)), user_agent=request.headers.get("User-Agent", "")[:200],
        last_used_at=timezone.now())
    request.session[SESSION_KEY] = sign_in.pk
    request.session[LAST_USED_KEY] = int(time.time())


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


def note_last_used(request) -> bool:
    """Mark this session's sign-in as used now, unless that was done within LAST_USED_EVERY.

    The time of the last mark lives in the session, which the request has already read, so a
    request in between costs nothing: no query, no cache call. Returns whether it wrote.
    """
    sign_in_id = request.session.get(SESSION_KEY)
    if not sign_in_id:
        return False
    now = time.time()
    if now - request.session.get(LAST_USED_KEY, 0) < LAST_USED_EVERY.total_seconds():
        return False
    request.session[LAST_USED_KEY] = int(now)
    SignIn.objects.filter(pk=sign_in_id).exclude(session_key="").update(last_used_at=timezone.now())
    return True
