"""The email digest that tells moderators edits or reports are waiting (each moderator can switch it off).

Sent when something new starts waiting, at most once every DIGEST_GAP per moderator, through
mycarebudget.mail.queue_email: no scheduler is needed, and a busy day is still one email.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from mycarebudget.mail import queue_email
from mycarebudget.moderation.models import DigestPreference
from mycarebudget.moderation.powers import MODERATORS_GROUP, can_moderate

DIGEST_GAP = timedelta(hours=6)


def _waiting() -> tuple[int, int]:
    from forum.models import Report
    from wiki.models import EditProposal

    return (EditProposal.objects.filter(status=EditProposal.Status.PENDING).count(),
            Report.objects.open().values("post_id").distinct().count())


def send_digests() -> int:
    """Email each moderator whose digest is on and not sent within DIGEST_GAP; returns how many went."""
    edits, reports = _waiting()
    if not edits and not reports:
        return 0
    now = timezone.now()
    moderators = (get_user_model().objects.filter(Q(groups__name=MODERATORS_GROUP) | Q(is_superuser=True),
                                                   is_active=True).distinct())
    sent = 0
    for moderator in moderators:
        if not can_moderate(moderator):
            continue
        DigestPreference.objects.get_or_create(user=moderator)
        # One conditional UPDATE claims the send, so two requests at once send one email.
        claimed = DigestPreference.objects.filter(user=moderator, is_on=True).filter(
            Q(last_sent_at__isnull=True) | Q(last_sent_at__lt=now - DIGEST_GAP)).update(last_sent_at=now)
        if not claimed:
            continue
        lines = []
        if edits:
            lines.append(f"- {edits} guide edit{'s' if edits != 1 else ''} waiting for review")
        if reports:
            lines.append(f"- {reports} reported post{'s' if reports != 1 else ''} to look at")
        body = (f"Hello {moderator.public_name},\n\nOn {settings.SITE_NAME} these are waiting for a moderator:\n\n"
                + "\n".join(lines) + f"\n\nReview them: {settings.SITE_URL}{reverse('moderation:queue')}\n\n"
                f"We send this at most every {int(DIGEST_GAP.total_seconds() // 3600)} hours. Turn it off: "
                f"{settings.SITE_URL}{reverse('moderation:digest')}\n\n{settings.SITE_NAME}\n")
        queue_email(to=moderator.email, subject=f"{settings.SITE_NAME}: {edits + reports} waiting for moderation",
                    body=body)
        sent += 1
    return sent


def after_new_item() -> None:
    """Call when an edit or a report starts waiting: the digest goes once the change commits."""
    transaction.on_commit(send_digests)
