"""Every change to the forum: posting, editing, ideas, following, reports and moderation.

Rules live here, not in views. Each function checks who may do it inside its own
transaction; domain errors carry a message for the form field they belong to.
Counters on Topic are recomputed with the topic row locked, so two replies at the
same moment are both saved and both counted.
"""

import math
import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone

from forum import notifications, search
from forum.models import (
    Category,
    Follow,
    IdeaStatus,
    Post,
    PostRevision,
    Preferences,
    Report,
    Support,
    Suspension,
    Topic,
)
from forum.templatetags.forum_tags import when
from mycarebudget.moderation import digest
from mycarebudget.moderation.powers import NotAModerator, can_moderate, is_moderator, require_moderator
from mycarebudget.moderation.services import log_moderation
from mycarebudget.text import render_markdown

User = get_user_model()

SENT_AGAIN_WITHIN = timedelta(minutes=10)  # the same text from the same author this soon is the same post
_BARE_LINK = re.compile(r"(?:https?://|www\.)\S", re.IGNORECASE)


class ForumError(Exception):
    """A rule the user broke; the message says what to do, and belongs next to `field`."""

    field = "body"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TopicLocked(ForumError):
    pass


class MemberSuspended(ForumError):
    pass


class PostingTooFast(ForumError):
    def __init__(self, message: str, *, wait_seconds: int):
        super().__init__(message)
        self.wait_seconds = wait_seconds


class ModeratorsOnly(ForumError):
    field = "title"


class AlreadySupported(ForumError):
    field = "support"


class IdeaClosed(ForumError):
    field = "support"


class NotAnIdea(ForumError):
    field = "status"


class StatusUnchanged(ForumError):
    """The idea already has that status: a second post and a second email would say nothing new."""

    field = "status"


class AlreadyReported(ForumError):
    field = "reason"


class CannotSuspend(ForumError):
    field = None


class CannotChangePost(NotAModerator):
    """Only the author may edit or delete their post (403)."""


class PostDeleted(ForumError):
    """Its author deleted it, perhaps in another tab while editing it there."""


# --- who may post, and how fast -------------------------------------------------------------


def active_suspension(user) -> Suspension | None:
    if not user.is_authenticated:
        return None
    return Suspension.objects.active().filter(user=user).order_by("-starts_at").first()


def _check_not_suspended(user) -> None:
    suspension = active_suspension(user)
    if suspension is None:
        return
    until = f"until {when(suspension.ends_at)}" if suspension.ends_at else "until a moderator lifts it"
    raise MemberSuspended(f"Your account is suspended {until}, so you can read the forum but not post, "
                          "support ideas or report posts")


def is_new_account(user) -> bool:
    return timezone.now() - user.date_joined < settings.FORUM_NEW_ACCOUNT_AGE


def _wait_words(seconds: float) -> str:
    if seconds < 60:
        whole = max(1, math.ceil(seconds))
        return f"{whole} second{'s' if whole != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def check_posting_rate(user) -> None:
    """Refuse a post that would break the limits in settings; counted in the database,
    so the limits hold however many workers serve the site. Moderators are not limited."""
    if can_moderate(user):
        return
    now = timezone.now()
    hour_ago = now - timedelta(hours=1)
    mine = Post.objects.counted_against(user)
    recent = mine.filter(created_at__gt=hour_ago).aggregate(count=Count("pk"), last=Max("created_at"))
    if recent["last"] is not None:
        next_allowed = recent["last"] + timedelta(seconds=settings.FORUM_MIN_SECONDS_BETWEEN_POSTS)
        gap = (next_allowed - now).total_seconds()
        if gap > 0:
            raise PostingTooFast(f"You are posting too quickly. Try again in {_wait_words(gap)}",
                                 wait_seconds=math.ceil(gap))
    limit = (settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR if is_new_account(user)
             else settings.FORUM_POSTS_PER_HOUR)
    if recent["count"] >= limit:
        # The post that frees a place is the one that leaves the hour's window first.
        oldest = mine.filter(created_at__gt=hour_ago).order_by("created_at").values_list(
            "created_at", flat=True)[recent["count"] - limit]
        wait = (oldest + timedelta(hours=1) - now).total_seconds()
        kind = "new members" if is_new_account(user) else "members"
        raise PostingTooFast(
            f"You have reached the limit of {limit} posts an hour for {kind}. "
            f"Try again in {_wait_words(wait)}", wait_seconds=math.ceil(wait))


def has_links(body: str, html: str) -> bool:
    return "<a " in html or bool(_BARE_LINK.search(body))


def _should_hold(user, body: str, html: str) -> bool:
    """Links in posts by brand-new accounts wait for a moderator (a common spam pattern)."""
    return not can_moderate(user) and is_new_account(user) and has_links(body, html)


def _lock_author(user):
    # Serialises one member's posts, so the limits and the double-submit check cannot race.
    return User.objects.select_for_update().get(pk=user.pk)


def _existing_submission(user, submission_key: str, body: str, **where) -> Post | None:
    """The post this form already made: the same key, or (the browser's Back, then the same text sent
    again under the form's new key) the author's last post here if it says exactly this and is recent."""
    found = Post.objects.filter(author=user, submission_key=submission_key).select_related("topic").first()
    if found is None or not submission_key:
        found = (Post.objects.filter(author=user, kind=Post.Kind.MESSAGE, deleted_at__isnull=True,
                                     created_at__gte=timezone.now() - SENT_AGAIN_WITHIN, **where)
                 .select_related("topic").order_by("-created_at", "-pk").first())
        found = found if found is not None and found.body == body else None
    return found


def _refresh_reply_count(topic: Topic) -> None:
    """Recount; callers hold the topic row lock, so concurrent replies are all counted."""
    count = Post.objects.filter(topic=topic, is_first=False, kind=Post.Kind.MESSAGE, is_held=False,
                                hidden_at__isnull=True, deleted_at__isnull=True).count()
    Topic.objects.filter(pk=topic.pk).update(reply_count=count)
    topic.reply_count = count


def _bump(topic: Topic, when) -> None:
    Topic.objects.filter(pk=topic.pk).update(last_activity_at=when)
    topic.last_activity_at = when


def _auto_follow(user, topic: Topic) -> None:
    """Follow a topic you start, reply to or support, unless you chose to stop following it."""
    Follow.objects.get_or_create(topic=topic, user=user)


# --- topics and replies ----------------------------------------------------------------------


@transaction.atomic
def start_topic(*, category: Category, author, title: str, body: str, submission_key: str = "") -> Topic:
    """Start a topic with its opening post. Ideas begin as Proposed, supported by their author.

    Refuses suspended members, members posting too fast, and non-moderators in
    moderator-only categories.
    """
    html = render_markdown(body)  # before any row lock is taken
    author = _lock_author(author)
    existing = _existing_submission(author, submission_key, body, is_first=True, topic__category=category)
    if existing is not None and (submission_key and existing.submission_key == submission_key
                                 or existing.topic.title == title):
        return existing.topic
    if category.moderators_only_topics and not can_moderate(author):
        raise ModeratorsOnly(f"Only moderators start topics in {category.name}. "
                             "You can reply to their topics instead")
    _check_not_suspended(author)
    check_posting_rate(author)
    now = timezone.now()
    held = _should_hold(author, body, html)
    topic = Topic(category=category, title=title, author=author, created_at=now, last_activity_at=now,
                  is_held=held)
    if category.is_ideas:
        topic.status, topic.status_changed_at = IdeaStatus.PROPOSED, now
    topic.full_clean()
    topic.save()
    post = Post(topic=topic, author=author, is_first=True, body=body, body_html=html, created_at=now,
                is_held=held, submission_key=submission_key)
    post.full_clean()
    post.save()
    _auto_follow(author, topic)
    if category.is_ideas:
        # Fider's convention: proposing an idea counts as supporting it (withdraw it if you like).
        Support.objects.create(topic=topic, user=author)
        Topic.objects.filter(pk=topic.pk).update(support_count=1)
        topic.support_count = 1
    search.index_post(post)
    if held:
        digest.after_new_item()  # a moderator must approve it
    return topic


@transaction.atomic
def post_reply(*, topic: Topic, author, body: str, reply_to: Post | None = None,
               submission_key: str = "") -> Post:
    """Add a reply. Refuses locked topics (except for moderators), suspended members and
    members posting too fast. Followers are emailed after commit when the reply is public."""
    html = render_markdown(body)  # before any row lock is taken
    author = _lock_author(author)
    existing = _existing_submission(author, submission_key, body, topic=topic)
    if existing is not None:
        return existing
    topic = Topic.objects.select_for_update().select_related("category").get(pk=topic.pk)
    if topic.is_locked and not can_moderate(author):
        raise TopicLocked("This topic is locked, so nobody can reply to it")
    _check_not_suspended(author)
    check_posting_rate(author)
    if reply_to is not None and reply_to.topic_id != topic.pk:
        reply_to = None
    now = timezone.now()
    post = Post(topic=topic, author=author, body=body, body_html=html, reply_to=reply_to, created_at=now,
                is_held=_should_hold(author, body, html), submission_key=submission_key)
    post.full_clean()
    post.save()
    _auto_follow(author, topic)
    if post.is_held:
        digest.after_new_item()  # a moderator must approve it
        return post
    _refresh_reply_count(topic)
    _bump(topic, now)
    search.index_post(post)
    if topic.is_public():
        notifications.notify_new_post(post)
    return post


@transaction.atomic
def edit_post(*, post: Post, editor, body: str, title: str | None = None) -> Post:
    """Change your own post, keeping what it said before. Refuses anyone but the author,
    and posts in locked topics (the author may still delete them)."""
    html = render_markdown(body)  # before any row lock is taken
    post = Post.objects.select_for_update().select_related("topic", "topic__category").get(pk=post.pk)
    topic = post.topic
    if post.author_id != editor.pk or post.is_status_change():
        raise CannotChangePost
    if post.is_deleted():
        raise PostDeleted("You deleted this post, so it cannot be changed. Copy your text if you want to post it again")
    if topic.is_locked and not can_moderate(editor):
        raise TopicLocked("This topic is locked, so its posts cannot be changed")
    _check_not_suspended(editor)
    new_title = title if (post.is_first and title is not None) else topic.title
    if body == post.body and new_title == topic.title:
        return post
    PostRevision.objects.create(post=post, title=topic.title if post.is_first else "", body=post.body,
                                editor=editor, created_at=post.edited_at or post.created_at)
    post.body = body
    post.body_html = html
    post.edited_at = timezone.now()
    post.edit_count += 1
    was_held = post.is_held
    if not post.is_held and _should_hold(editor, body, post.body_html):
        post.is_held = True
    post.full_clean()
    post.save()
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    if post.is_first:
        topic.title = new_title
        topic.is_held = post.is_held
        topic.full_clean()
        topic.save()
    if post.is_held != was_held:
        _answer_withdrawn(post, topic)
        _refresh_reply_count(topic)
        digest.after_new_item()  # held by this edit: a moderator must approve it
    if post.is_first:
        search.index_topic(topic)
    else:
        search.index_post(post)
    return post


@transaction.atomic
def delete_post(*, post: Post, user) -> Post:
    """Delete your own post. It shows as deleted in the thread; moderators can still read it."""
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.author_id != user.pk or post.is_status_change():
        raise CannotChangePost
    if post.is_deleted():
        return post
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    post.deleted_at = timezone.now()
    post.save(update_fields=["deleted_at"])
    _answer_withdrawn(post, topic)
    _refresh_reply_count(topic)
    search.index_post(post)
    return post


# --- ideas -----------------------------------------------------------------------------------


@transaction.atomic
def support_idea(*, topic: Topic, user) -> Support:
    """Support an idea, once. Refuses topics that are not ideas, closed ideas and suspended members."""
    topic = Topic.objects.select_for_update().select_related("category").get(pk=topic.pk)
    if not topic.category.is_ideas:
        raise NotAnIdea("Only ideas can be supported")
    _check_not_suspended(user)
    if Support.objects.filter(topic=topic, user=user).exists():
        raise AlreadySupported("You already support this idea. You can support an idea only once")
    if not topic.is_open_for_support():
        raise IdeaClosed(f"This idea is marked {topic.get_status_display()}, "
                         "so it can no longer be supported")
    try:
        with transaction.atomic():
            support = Support.objects.create(topic=topic, user=user)
    except IntegrityError:
        raise AlreadySupported("You already support this idea. You can support an idea only once") from None
    count = Support.objects.filter(topic=topic).count()
    Topic.objects.filter(pk=topic.pk).update(support_count=count)
    _auto_follow(user, topic)
    return support


@transaction.atomic
def withdraw_support(*, topic: Topic, user) -> None:
    """Take back your support. Withdrawing support you never gave changes nothing."""
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    Support.objects.filter(topic=topic, user=user).delete()
    count = Support.objects.filter(topic=topic).count()
    Topic.objects.filter(pk=topic.pk).update(support_count=count)


@transaction.atomic
def change_idea_status(*, topic: Topic, moderator, status: str, reason: str) -> Post:
    """Move an idea to a new status and post the change, with who and why, into its thread.
    Moderators only; followers are emailed after commit."""
    require_moderator(moderator)
    topic = Topic.objects.select_for_update().select_related("category").get(pk=topic.pk)
    if not topic.category.is_ideas:
        raise NotAnIdea("Only ideas have a status")
    if status not in IdeaStatus.values:
        raise NotAnIdea("Choose a status from the list")
    if status == IdeaStatus.DUPLICATE or topic.merged_into_id is not None:
        raise StatusUnchanged("A duplicate idea is merged into the other idea, not given a status. Use “Merge "
                              "into another idea” instead" if topic.merged_into_id is None else
                              "This idea was merged into another one. Change the status of that idea instead")
    if topic.status == status:
        raise StatusUnchanged(f"This idea is already marked {topic.get_status_display()}. Choose a "
                              "different status, or reply in the topic to add news")
    now = timezone.now()
    previous = topic.get_status_display() or "no status"
    topic.status, topic.status_reason, topic.status_changed_at = status, reason, now
    topic.last_activity_at = now
    topic.save(update_fields=["status", "status_reason", "status_changed_at", "last_activity_at"])
    post = Post(topic=topic, author=moderator, kind=Post.Kind.STATUS, body=reason,
                body_html=render_markdown(reason), new_status=status, created_at=now)
    post.full_clean()
    post.save()
    log_moderation(moderator=moderator, action=f"changed idea status to {topic.get_status_display()}",
                   target_label=topic.title, target_url=topic.get_absolute_url(),
                   reason=f"Was {previous}. {reason}")
    if topic.is_public():
        notifications.notify_status_change(post)
    return post


# --- following and email ---------------------------------------------------------------------


def follow_topic(*, topic: Topic, user) -> Follow:
    follow, _ = Follow.objects.update_or_create(
        topic=topic, user=user, defaults={"is_following": True, "changed_at": timezone.now()})
    return follow


def unfollow_topic(*, topic: Topic, user) -> Follow:
    """Stop email about a topic; replying to it later does not start the emails again."""
    follow, _ = Follow.objects.update_or_create(
        topic=topic, user=user, defaults={"is_following": False, "changed_at": timezone.now()})
    return follow


def set_email_notifications(*, user, enabled: bool) -> Preferences:
    preferences, _ = Preferences.objects.update_or_create(user=user,
                                                          defaults={"email_notifications": enabled})
    return preferences


# --- reports and moderation ------------------------------------------------------------------


@transaction.atomic
def report_post(*, post: Post, reporter, reason: str, details: str = "") -> Report:
    """Tell the moderators about a post, once per post. Refuses your own posts and suspended members."""
    _check_not_suspended(reporter)
    if post.author_id == reporter.pk:
        raise AlreadyReported("You cannot report your own post. You can edit or delete it instead")
    if Report.objects.filter(post=post, reporter=reporter).exists():
        raise AlreadyReported("You have already reported this post. A moderator will look at it")
    report = Report(post=post, reporter=reporter, reason=reason, details=details)
    report.full_clean()
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:
        raise AlreadyReported("You have already reported this post. A moderator will look at it") from None
    digest.after_new_item()
    return report


def _post_label(post: Post) -> str:
    author = post.author.public_name if post.author else "deleted user"
    kind = "opening post" if post.is_first else "reply"
    return f"{kind} by {author} in “{post.topic.title}”"


def _resolve_reports(post: Post, moderator, outcome: str) -> int:
    """Saved one by one (a post has few): what is made from reports, the moderators' counts among them,
    follows their saves (mycarebudget.shared.bump_on_change), which an UPDATE would pass by."""
    reports = list(Report.objects.open().filter(post=post))
    for report in reports:
        report.resolved_at, report.resolved_by, report.outcome = timezone.now(), moderator, outcome
        report.save(update_fields=["resolved_at", "resolved_by", "outcome"])
    return len(reports)


def _visibility_changed(post: Post, topic: Topic, **topic_flags: bool) -> None:
    """Who may see a post changed: an opening post takes its topic with it; search and counts follow."""
    if post.is_first:
        for name, value in topic_flags.items():
            setattr(topic, name, value)
        topic.save(update_fields=list(topic_flags))
        search.index_topic(topic)
    else:
        search.index_post(post)
    _refresh_reply_count(topic)


@transaction.atomic
def hide_post(*, post: Post, moderator, reason: str) -> Post:
    """Hide a post, with the reason shown in its place; hiding an opening post hides its topic.
    Resolves the post's open reports. Moderators only."""
    require_moderator(moderator)
    post = Post.objects.select_for_update(of=("self",)).select_related("author", "topic").get(pk=post.pk)
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    post.hidden_at, post.hidden_by, post.hidden_reason = timezone.now(), moderator, reason
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _answer_withdrawn(post, topic)
    _resolve_reports(post, moderator, Report.Outcome.HIDDEN)
    _visibility_changed(post, topic, is_hidden=True)
    log_moderation(moderator=moderator, action="hid a post", target_label=_post_label(post),
                   target_url=post.get_absolute_url(), reason=reason)
    notifications.tell_author_post_hidden(post)
    return post


@transaction.atomic
def unhide_post(*, post: Post, moderator) -> Post:
    require_moderator(moderator)
    post = Post.objects.select_for_update(of=("self",)).select_related("author", "topic").get(pk=post.pk)
    topic = Topic.objects.select_for_update().get(pk=post.topic_id)
    post.hidden_at, post.hidden_by, post.hidden_reason = None, None, ""
    post.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    _visibility_changed(post, topic, is_hidden=False)
    log_moderation(moderator=moderator, action="showed a hidden post again", target_label=_post_label(post),
                   target_url=post.get_absolute_url())
    return post


@transaction.atomic
def approve_post(*, post: Post, moderator) -> Post:
    """Publish a held post (links from a brand-new account); followers are emailed then."""
    require_moderator(moderator)
    post = Post.objects.select_for_update(of=("self",)).select_related("author", "topic").get(pk=post.pk)
    if not post.is_held:
        return post
    topic = Topic.objects.select_for_update().select_related("category").get(pk=post.topic_id)
    post.is_held = False
    post.save(update_fields=["is_held"])
    _visibility_changed(post, topic, is_held=False)
    _bump(topic, timezone.now())
    log_moderation(moderator=moderator, action="approved a held post", target_label=_post_label(post),
                   target_url=post.get_absolute_url())
    notifications.tell_author_post_approved(post)
    if topic.is_public() and not post.is_first and post.is_public():
        notifications.notify_new_post(post)
    return post


@transaction.atomic
def dismiss_reports(*, post: Post, moderator) -> int:
    """Close a post's open reports without acting on the post: never on your own post (another moderator judges it)."""
    require_moderator(moderator)
    post = Post.objects.select_related("author", "topic").get(pk=post.pk)
    if post.author_id == moderator.pk:
        raise NotAModerator
    count = _resolve_reports(post, moderator, Report.Outcome.DISMISSED)
    if count:
        log_moderation(moderator=moderator, action="dismissed reports", target_label=_post_label(post),
                       target_url=post.get_absolute_url(),
                       reason=f"{count} report{'s' if count != 1 else ''}")
    return count


@transaction.atomic
def lock_topic(*, topic: Topic, moderator, reason: str = "") -> Topic:
    require_moderator(moderator)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.is_locked = True
    topic.save(update_fields=["is_locked"])
    log_moderation(moderator=moderator, action="locked a topic", target_label=topic.title,
                   target_url=topic.get_absolute_url(), reason=reason)
    return topic


@transaction.atomic
def unlock_topic(*, topic: Topic, moderator) -> Topic:
    require_moderator(moderator)
    topic = Topic.objects.select_for_update().get(pk=topic.pk)
    topic.is_locked = False
    topic.save(update_fields=["is_locked"])
    log_moderation(moderator=moderator, action="unlocked a topic", target_label=topic.title,
                   target_url=topic.get_absolute_url())
    return topic


@transaction.atomic
def move_topic(*, topic: Topic, moderator, category: Category, reason: str = "") -> Topic:
    """Move a topic to another category. A topic moved into ideas starts as Proposed."""
    require_moderator(moderator)
    topic = Topic.objects.select_for_update().select_related("category").get(pk=topic.pk)
    previous = topic.category
    if previous.pk == category.pk:
        return topic
    topic.category = category
    if category.is_ideas and not topic.status:
        topic.status, topic.status_changed_at = IdeaStatus.PROPOSED, timezone.now()
    topic.save(update_fields=["category", "status", "status_changed_at"])
    log_moderation(moderator=moderator, action="moved a topic", target_label=topic.title,
                   target_url=topic.get_absolute_url(),
                   reason=f"From {previous.name} to {category.name}. {reason}".strip())
    return topic


@transaction.atomic
def suspend_member(*, member, moderator, reason: str, days: int | None) -> Suspension:
    """Stop a member posting (they can still read) for some days, or until lifted."""
    require_moderator(moderator)
    if member.pk == moderator.pk or is_moderator(member):
        raise CannotSuspend("Moderators cannot be suspended. Ask another moderator or an administrator")
    now = timezone.now()
    suspension = Suspension(user=member, moderator=moderator, reason=reason, starts_at=now,
                            ends_at=now + timedelta(days=days) if days else None)
    suspension.full_clean()
    suspension.save()
    length = f"for {days} day{'s' if days != 1 else ''}" if days else "until lifted"
    log_moderation(moderator=moderator, action=f"suspended a member {length}",
                   target_label=member.public_name, reason=reason)
    notifications.tell_member_suspended(suspension)
    return suspension


@transaction.atomic
def lift_suspension(*, member, moderator) -> int:
    require_moderator(moderator)
    lifted = (Suspension.objects.active().filter(user=member)
              .update(lifted_at=timezone.now(), lifted_by=moderator))
    if lifted:
        log_moderation(moderator=moderator, action="lifted a suspension", target_label=member.public_name)
        notifications.tell_member_suspension_lifted(member)
    return lifted


# --- answers to questions (Discourse's "solved") ---------------------------------------------


class CannotChooseAnswer(NotAModerator):
    """Only the member who asked the question, or a moderator, may choose its answer (403)."""


class CannotBeTheAnswer(ForumError):
    field = None


def _check_may_choose_answer(topic: Topic, user) -> bool:
    """Whether the user acts as a moderator (True) or as the member who asked (False); refuses anyone else."""
    if can_moderate(user):
        return True
    if topic.author_id is None or topic.author_id != user.pk:
        raise CannotChooseAnswer
    _check_not_suspended(user)
    return False


def _set_answer(topic: Topic, post: Post | None) -> None:
    """One answer per topic, said on the topic (for lists and the summary) and on the post (for its shared
    rendering). Callers hold the topic row lock."""
    for earlier in Post.objects.filter(topic=topic, is_answer=True).exclude(pk=getattr(post, "pk", None)):
        earlier.is_answer = False
        earlier.save(update_fields=["is_answer"])
    if post is not None and not post.is_answer:
        post.is_answer = True
        post.save(update_fields=["is_answer"])
    topic.answer = post
    topic.save(update_fields=["answer"])


@transaction.atomic
def mark_answer(*, post: Post, user) -> Post:
    """Mark the reply that answered a question; marking another reply moves the mark to it.

    The member who asked (unless suspended) or a moderator, who is logged. Only in categories whose
    topics are questions, and only on a reply everyone can read (not held, hidden or deleted).
    """
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=post.topic_id)
    as_moderator = _check_may_choose_answer(topic, user)
    post = Post.objects.select_for_update().get(pk=post.pk)
    if not topic.category.has_answers:
        raise CannotBeTheAnswer(f"Only questions have answers, and {topic.category.name} is not for questions")
    if post.is_first or post.is_status_change() or not post.is_public() or not topic.is_public():
        raise CannotBeTheAnswer("Only a reply that everyone can read can be marked as the answer")
    if topic.answer_id == post.pk:
        return post
    _set_answer(topic, post)
    if as_moderator:
        log_moderation(moderator=user, action="marked a reply as the answer", target_label=_post_label(post),
                       target_url=post.get_absolute_url())
    return post


@transaction.atomic
def unmark_answer(*, topic: Topic, user) -> Topic:
    """Say the question is not answered after all. The same people as mark_answer; logged for moderators."""
    topic = Topic.objects.select_for_update(of=("self",)).select_related("category").get(pk=topic.pk)
    as_moderator = _check_may_choose_answer(topic, user)
    if topic.answer_id is None:
        return topic
    previous = Post.objects.select_related("author", "topic").get(pk=topic.answer_id)
    _set_answer(topic, None)
    if as_moderator:
        log_moderation(moderator=user, action="unmarked the answer to a question",
                       target_label=_post_label(previous), target_url=previous.get_absolute_url())
    return topic


def _answer_withdrawn(post: Post, topic: Topic) -> None:
    """A reply nobody can read any more (hidden, deleted, held) is no longer the answer. Topic row locked."""
    if post.is_answer or topic.answer_id == post.pk:
        _set_answer(topic, None)
        post.is_answer = False


# --- merging duplicate ideas -----------------------------------------------------------------


class CannotMerge(ForumError):
    field = "target"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def merge_refusal(*, duplicate: Topic, target: Topic) -> str:
    """Why these two ideas cannot be merged ("" if they can): checked again by merge_ideas under its locks,
    and by the moderator's form before it asks them to confirm."""
    if duplicate.pk == target.pk:
        return "Choose a different idea: an idea cannot be merged into itself"
    if not (duplicate.category.is_ideas and target.category.is_ideas):
        return "Only ideas can be merged. Choose an idea in the ideas category"
    if duplicate.merged_into_id is not None:
        return "This idea has already been merged into another one"
    if target.merged_into_id is not None:
        return f"“{target.title}” was itself merged into another idea. Merge into that idea instead"
    if not target.is_public():
        return f"“{target.title}” is hidden or waiting for approval. Choose an idea everyone can see"
    return ""


@transaction.atomic
def merge_ideas(*, duplicate: Topic, target: Topic, moderator, reason: str = "") -> Topic:
    """Merge a duplicate idea into another: its supporters and followers move to the target (a member who
    supported both counts once), the duplicate is closed as Duplicate with a post saying where it went,
    and the target gets a post noting the merge. Moderators only; logged.

    Refuses merging an idea into itself, anything that is not an idea, an idea already merged, and a target
    that is hidden, held or itself merged. Followers of the duplicate are emailed its new status.
    """
    require_moderator(moderator)
    if duplicate.pk == target.pk:
        raise CannotMerge("Choose a different idea: an idea cannot be merged into itself")
    extra = f"\n\n{reason.strip()}" if reason.strip() else ""
    closing_text = (f"Merged into the idea “{target.title}”, which asks for the same thing. Its supporters now "
                    f"support that idea, and the discussion continues there.{extra}")
    note_text = (f"The idea [{duplicate.title}]({duplicate.get_absolute_url()}) was merged into this one, and "
                 f"its supporters moved here. A member who supported both counts once.{extra}")
    rendered = {text: render_markdown(text) for text in (closing_text, note_text)}  # before any row lock
    # Both rows locked in id order, so two moderators merging the same pair either way round cannot
    # deadlock, and a member supporting either idea meanwhile waits, then sees the result.
    locked = {topic.pk: topic for topic in Topic.objects.select_for_update(of=("self",)).select_related("category")
              .filter(pk__in=[duplicate.pk, target.pk]).order_by("pk")}
    duplicate, target = locked[duplicate.pk], locked[target.pk]
    refusal = merge_refusal(duplicate=duplicate, target=target)
    if refusal:
        raise CannotMerge(refusal)

    supporters = list(Support.objects.filter(topic=duplicate).values_list("user_id", "created_at"))
    already = set(Support.objects.filter(topic=target, user_id__in=[user for user, _ in supporters])
                  .values_list("user_id", flat=True))
    Support.objects.bulk_create([Support(topic=target, user_id=user, created_at=since)
                                 for user, since in supporters if user not in already], ignore_conflicts=True)
    Support.objects.filter(topic=duplicate).delete()
    for topic in (duplicate, target):
        topic.support_count = Support.objects.filter(topic=topic).count()

    now = timezone.now()
    moved = len(supporters) - len(already)
    closing = Post(topic=duplicate, author=moderator, kind=Post.Kind.STATUS, new_status=IdeaStatus.DUPLICATE,
                   body=closing_text, body_html=rendered[closing_text], created_at=now)
    note = Post(topic=target, author=moderator, kind=Post.Kind.STATUS, new_status="", body=note_text,
                body_html=rendered[note_text], created_at=now)
    for post in (closing, note):
        post.full_clean()
        post.save()

    duplicate.status, duplicate.status_reason, duplicate.status_changed_at = IdeaStatus.DUPLICATE, reason, now
    duplicate.merged_into, duplicate.is_locked, duplicate.last_activity_at = target, True, now
    duplicate.save(update_fields=["status", "status_reason", "status_changed_at", "merged_into", "is_locked",
                                  "last_activity_at", "support_count"])
    target.last_activity_at = now
    target.save(update_fields=["last_activity_at", "support_count"])

    if duplicate.is_public():
        notifications.notify_status_change(closing)  # to the duplicate's followers, before they move
    followers = Follow.objects.filter(topic=duplicate, is_following=True).values_list("user_id", flat=True)
    # A member who chose to stop following the target keeps that choice.
    decided = set(Follow.objects.filter(topic=target).values_list("user_id", flat=True))
    Follow.objects.bulk_create([Follow(topic=target, user_id=user) for user in followers if user not in decided],
                               ignore_conflicts=True)
    Follow.objects.filter(topic=duplicate).delete()

    log_moderation(moderator=moderator, action="merged a duplicate idea into another",
                   target_label=f"“{duplicate.title}” into “{target.title}”", target_url=target.get_absolute_url(),
                   reason=f"{_plural(moved, 'supporter')} moved, {_plural(len(already), 'supporter')} of both. "
                          f"{reason}".strip())
    return target
