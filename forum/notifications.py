"""Email to followers of a topic: new replies and idea status changes.

Every message goes through mycarebudget.mail.queue_email, so it is sent by a task
after the post has committed; a failing mail server never fails a post. Each email
carries a signed, one-click unsubscribe link (no email address in it) and the
List-Unsubscribe headers of RFC 2369 and RFC 8058.
"""

from email.headerregistry import UnstructuredHeader
from email.policy import default as default_email_policy

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from forum.models import Follow, Post, Topic
from mycarebudget.mail import queue_email

UNSUBSCRIBE_SALT = "forum.unsubscribe"
EXCERPT_LENGTH = 600


class ListHeader(UnstructuredHeader):
    """List-Unsubscribe holds <URL>s, which RFC 2369 and RFC 8058 do not allow to be RFC 2047-encoded.

    Python's mail policy encodes any word longer than 78 characters, so a signed link would
    arrive as "=?utf-8?q?...": written on one line instead (RFC 5322 allows 998).
    """

    def fold(self, *, policy) -> str:
        return f"{self.name}: {self}{policy.linesep}"


def use_list_headers() -> None:
    """Called once at start-up. Every policy cloned from email.policy.default shares this registry."""
    for name in ("list-unsubscribe", "list-unsubscribe-post"):
        default_email_policy.header_factory.map_to_type(name, ListHeader)


def quote_member_text(text: str) -> str:
    """A member's words, each line marked '> ', so they cannot pass for ours in an email."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines()) or ">"


def unsubscribe_token(*, user_id: int, topic_id: int) -> str:
    """Signed ids of a member and a topic. It never expires: old emails keep working."""
    return signing.dumps({"u": user_id, "t": topic_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(user id, topic id), or None when the token was not made by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("t"), int):
        return None
    return data["u"], data["t"]


def unsubscribe_url(*, user_id: int, topic_id: int) -> str:
    return settings.SITE_URL + reverse("forum:unsubscribe",
                                       args=[unsubscribe_token(user_id=user_id, topic_id=topic_id)])


def _recipients(topic: Topic, *, exclude_user_id: int | None):
    """Active followers who have not turned forum email off."""
    follows = (Follow.objects.filter(topic=topic, is_following=True, user__is_active=True)
               .exclude(user__forum_preferences__email_notifications=False)
               .select_related("user").order_by("pk"))
    if exclude_user_id is not None:
        follows = follows.exclude(user_id=exclude_user_id)
    return [follow.user for follow in follows]


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= EXCERPT_LENGTH else text[:EXCERPT_LENGTH].rsplit(" ", 1)[0] + " …"


def _send(*, topic: Topic, recipients, subject: str, template: str, context: dict,
          unsubscribe_from: Topic | None = None, quotes_post: int | None = None) -> None:
    for user in recipients:
        link = unsubscribe_url(user_id=user.pk, topic_id=(unsubscribe_from or topic).pk)
        body = render_to_string(template, {
            **context, "recipient": user, "topic": topic, "unsubscribe_url": link,
            "settings_url": settings.SITE_URL + reverse("forum:settings"), "site_name": settings.SITE_NAME,
        })
        queue_email(to=user.email, subject=subject, body=body, quotes_post=quotes_post, headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        })


def notify_new_post(post: Post) -> None:
    """Tell the topic's followers (except the author) about a new public reply."""
    topic = post.topic
    author = post.author.public_name if post.author else "deleted user"
    _send(topic=topic, recipients=_recipients(topic, exclude_user_id=post.author_id),
          subject=f"New reply: {topic.title}", template="forum/email/new_reply.txt", quotes_post=post.pk,
          context={"author": author, "excerpt": quote_member_text(_excerpt(post.body)),
                   "post_url": settings.SITE_URL + post.get_absolute_url()})


def notify_status_change(post: Post) -> None:
    """Tell an idea's followers (supporters follow automatically) that its status changed."""
    topic = post.topic
    status = post.get_new_status_display()
    # A merged duplicate's followers move to the idea it joined: point them there, and let them stop
    # emails about that one.
    merged_into = topic.merged_into if topic.merged_into_id else None
    _send(topic=topic, recipients=_recipients(topic, exclude_user_id=post.author_id),
          subject=f"Idea {'merged' if merged_into else status.lower()}: {topic.title}",
          template="forum/email/status_change.txt", unsubscribe_from=merged_into,
          context={"moderator": post.author.public_name if post.author else "a moderator", "status": status,
                   "reason": quote_member_text(_excerpt(post.body)),
                   "post_url": settings.SITE_URL + post.get_absolute_url(), "merged_into": merged_into,
                   "merged_url": settings.SITE_URL + merged_into.get_absolute_url() if merged_into else ""})


# --- to one member, about a moderator's decision (not a list: no unsubscribe) ---------------------


def _tell(user, *, subject: str, template: str, context: dict) -> None:
    if user is None or not user.is_active:
        return
    body = render_to_string(template, {**context, "site_name": settings.SITE_NAME, "site_url": settings.SITE_URL,
                                       "rules_url": settings.SITE_URL + reverse("forum:index")})
    queue_email(to=user.email, subject=subject, body=body)


def tell_author_post_approved(post: Post) -> None:
    """The author of a held post: a moderator checked it and it is now public."""
    _tell(post.author, subject=f"Your post is now public: {post.topic.title}",
          template="forum/email/post_approved.txt",
          context={"topic": post.topic, "post_url": settings.SITE_URL + post.get_absolute_url()})


def tell_author_post_hidden(post: Post) -> None:
    """The author of a hidden post, with the moderator's reason quoted."""
    _tell(post.author, subject=f"A moderator hid your post: {post.topic.title}",
          template="forum/email/post_hidden.txt",
          context={"topic": post.topic, "reason": quote_member_text(post.hidden_reason),
                   "post_url": settings.SITE_URL + post.get_absolute_url()})


def tell_member_suspended(suspension) -> None:
    """A suspended member: why, and until when."""
    _tell(suspension.user, subject="You cannot post on the forum for now",
          template="forum/email/suspended.txt",
          context={"suspension": suspension, "reason": quote_member_text(suspension.reason)})


def tell_member_suspension_lifted(member) -> None:
    _tell(member, subject="You can post on the forum again", template="forum/email/suspension_lifted.txt",
          context={})
