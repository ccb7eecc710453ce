"""Easy Read pages: linked both ways with their standard page, and flagged when the standard page moves on."""

from django.db import transaction
from django.db.models import Q

from mycarebudget.moderation.powers import require_moderator
from mycarebudget.moderation.services import log_moderation
from wiki.models import Page


def partner_of(page: Page) -> Page | None:
    """The other page of an Easy Read pair, if this page is in one."""
    return page.easy_read_of if page.easy_read_of_id else page.easy_read_page()


def touch_partner(page: Page, former_partner: int | None = None) -> None:
    """A page of a pair changed, or was paired anew: its partner (and the one it was paired with before)
    shows a link and may show "out of date", so it changed too."""
    Page.objects.filter(Q(pk=page.easy_read_of_id) | Q(easy_read_of=page.pk) | Q(pk=former_partner)).exclude(
        pk=page.pk).touch()


def mark_checked(easy_read: Page) -> None:
    """Record that the Easy Read page matches its standard page's current version. Call inside a transaction."""
    standard = easy_read.easy_read_of
    Page.objects.filter(pk=easy_read.pk).update(easy_read_checked_revision=standard.revision)
    Page.objects.filter(pk__in=[easy_read.pk, standard.pk]).touch()


@transaction.atomic
def confirm_easy_read(*, easy_read: Page, moderator) -> Page:
    """A moderator has checked the Easy Read page against the latest standard version. Moderators only."""
    require_moderator(moderator)
    easy_read = Page.objects.select_for_update(of=("self",)).select_related("easy_read_of").get(pk=easy_read.pk)
    if easy_read.easy_read_of is None:
        raise ValueError(f"{easy_read.title} is not an Easy Read page")
    mark_checked(easy_read)
    standard = easy_read.easy_read_of
    log_moderation(moderator=moderator, action="confirmed an Easy Read page is up to date",
                   target_label=easy_read.title, target_url=easy_read.get_absolute_url(),
                   reason=f"Checked against version {standard.revision} of {standard.title}")
    easy_read.refresh_from_db()
    return easy_read
