"""Who a signed-in request belongs to, found without a query on every page."""

import copy

from allauth.account.auth_backends import AuthenticationBackend
from allauth.mfa.models import Authenticator
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from mycarebudget import shared
from mycarebudget.moderation.powers import can_moderate


class MemberBackend(AuthenticationBackend):
    """allauth's backend (Django's ModelBackend, signing in by email), whose member's row is shared by every
    worker (Redis) until it changes. allauth signs members in through it, two-step verification too.
    Every save or delete of the row, and every change to their groups or authenticators, bumps the
    member's version (below): a new password signs their other sessions out, and a deactivated or deleted
    account is signed out, at the very next request. The copy also says whether they could use moderator
    power when it was made, for what only points the way (``can_moderate_lately``); every use of the power
    checks it afresh. Without Redis, or while it is down, the row is read every time, as ModelBackend does."""

    def get_user(self, user_id):
        if not shared.workers_share_versions():
            return super().get_user(user_id)
        return shared.current(f"member:{user_id}", "row", lambda: self._shared_row(user_id),
                              keep=lambda user: user is not None)

    def _shared_row(self, user_id):
        user = super().get_user(user_id)
        if user is not None:  # asked of a copy: the power's own checks must never find it cached on the user
            user._can_moderate_lately = can_moderate(copy.copy(user))
        return user


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts_member_changed")
@receiver([post_save, post_delete], sender=Authenticator, dispatch_uid="accounts_member_authenticator_changed")
def member_changed(sender, instance, **kwargs) -> None:
    shared.bump(f"member:{getattr(instance, 'user_id', instance.pk)}")


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts_member_groups_changed")
def groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action.startswith("post_"):
        for member in (pk_set or ()) if reverse else (instance.pk,):
            shared.bump(f"member:{member}")
