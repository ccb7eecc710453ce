"""Who a signed-in request belongs to, found without a query on every page."""

from django.contrib.auth.backends import ModelBackend
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import User
from mycarebudget import shared


class MemberBackend(ModelBackend):
    """Django's ModelBackend, whose member's row is shared by every worker (Redis) until it is saved.

    Every save or delete of the row bumps the member's version (below): a new password signs their other
    sessions out, and a deactivated or deleted account is signed out, at the very next request. Without
    Redis, or while it is down, the row is read from the database every time, as ModelBackend does."""

    def get_user(self, user_id):
        return shared.current(f"member:{user_id}", "row", lambda: super(MemberBackend, self).get_user(user_id),
                              keep=lambda user: user is not None and shared.workers_share_versions())


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts_forget_member_row")
def forget_member_row(sender, instance, **kwargs) -> None:
    shared.bump(f"member:{instance.pk}")
