"""The moderator badge: which members are moderators, read once per page and cached briefly."""

from django.core.cache import cache
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver
from django.utils.functional import SimpleLazyObject

from accounts.models import User
from mycarebudget.moderation.powers import MODERATORS_GROUP

CACHE_KEY = "accounts:moderator-ids"


def moderator_ids() -> frozenset[int]:
    """Active members of the Moderators group, and active superusers, as is_moderator() counts them."""
    ids = cache.get(CACHE_KEY)
    if ids is None:
        ids = frozenset(User.objects.filter(Q(groups__name=MODERATORS_GROUP) | Q(is_superuser=True),
                                            is_active=True).values_list("pk", flat=True))
        cache.set(CACHE_KEY, ids, 300)
    return ids


def badges(request) -> dict:
    """Template context ``moderator_ids``: read only by pages that show a badge."""
    return {"moderator_ids": SimpleLazyObject(moderator_ids)}


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts_badges_groups")
@receiver(post_save, sender=User, dispatch_uid="accounts_badges_user")
def forget_moderators(sender, **kwargs) -> None:
    """Someone joined or left the moderators, or was made superuser or inactive."""
    cache.delete(CACHE_KEY)
