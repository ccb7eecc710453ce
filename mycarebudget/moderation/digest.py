"""The email digest that tells moderators edits, reports or held posts are waiting (each can switch it off).

Held posts are forum posts from new accounts with links in them, waiting for a moderator's approval.

Sent when something new starts waiting, at most once every DIGEST_GAP per moderator, through
mycarebudget.mail.queue_email: no scheduler is needed, and a busy day is still one email.
"""

from dataclasses import dataclass
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


@dataclass(frozen=True)
class Waiting:
    """What waits for a moderator: the digest's lines, the header's count and the tabs' counts."""

    edits: int
    reports: int
    held: int
    templates: int

    @property
    def forum(self) -> int:
        return self.reports + self.held

    @property
    def total(self) -> int:
        return self.edits + self.forum + self.templates

    @property
    def first_url(self) -> str:
        """Where the header's "Moderation (N)" link goes: the first section with something waiting."""
        if not self.edits and self.forum:
            return reverse("moderation:reports") + ("#held" if self.held and not self.reports else "")
        if not self.edits and self.templates:
            return reverse("templatelib:moderation_queue")
        return reverse("moderation:queue")


def waiting() -> Waiting:
    """How many guide edits, reported posts, held posts and template changes wait for a moderator."""
    from forum.models import Post, Report
    from wiki.models import EditProposal
    from wiki.templatelib.models import TemplateProposal

    return Waiting(edits=EditProposal.objects.filter(status=EditProposal.Status.PENDING).count(),
                   reports=Report.objects.open().values("post_id").distinct().count(),
                   # As the moderators' page lists them: hiding or deleting a held post settles it.
                   held=Post.objects.filter(is_held=True, deleted_at__isnull=True, hidden_at__isnull=True).count(),
                   templates=TemplateProposal.objects.filter(status=TemplateProposal.Status.PENDING).count())


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def send_digests() -> int:
    """Email each moderator whose digest is on and not sent within DIGEST_GAP; returns how many went."""
    now_waiting = waiting()
    edits, reports, held, templates = (now_waiting.edits, now_waiting.reports, now_waiting.held,
                                       now_waiting.templates)
    if not now_waiting.total:
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
        site = settings.SITE_URL
        lines = []
        if edits:
            lines.append(f"- {_plural(edits, 'guide edit')} waiting for review: {site}{reverse('moderation:queue')}")
        if reports:
            lines.append(f"- {_plural(reports, 'reported post')} to look at: {site}{reverse('moderation:reports')}")
        if held:
            lines.append(f"- {_plural(held, 'post')} from new accounts waiting for approval: "
                         f"{site}{reverse('moderation:reports')}#held")
        if templates:
            lines.append(f"- {_plural(templates, 'template change')} waiting for review: "
                         f"{site}{reverse('templatelib:moderation_queue')}")
        body = (f"Hello {moderator.public_name},\n\nOn {settings.SITE_NAME} these are waiting for a moderator:\n\n"
                + "\n".join(lines) + f"\n\nReview them: {site}{now_waiting.first_url}\n\n"
                f"We send this at most every {int(DIGEST_GAP.total_seconds() // 3600)} hours. Turn it off: "
                f"{site}{reverse('moderation:digest')}\n\n{settings.SITE_NAME}\n")
        queue_email(to=moderator.email,
                    subject=f"{settings.SITE_NAME}: {now_waiting.total} waiting for moderation", body=body)
        sent += 1
    return sent


def after_new_item() -> None:
    """Call when an edit, a report or a held post starts waiting: the digest goes once the change commits."""
    transaction.on_commit(send_digests)
