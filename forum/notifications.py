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


def _send(*, topic: Topic, recipients, subject: str, template: str, context: dict) -> None:
    for user in recipients:
        link = unsubscribe_url(user_id=user.pk, topic_id=topic.pk)
        body = render_to_string(template, {
            **context, "recipient": user, "topic": topic, "unsubscribe_url": link,
            "settings_url": settings.SITE_URL + reverse("forum:settings"), "site_name": settings.SITE_NAME,
        })
        queue_email(to=user.email, subject=subject, body=body, headers={
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        })


def notify_new_post(post: Post) -> None:
    """Tell the topic's followers (except the author) about a new public reply."""
    topic = post.topic
    author = post.author.public_name if post.author else "deleted user"
    _send(topic=topic, recipients=_recipients(topic, exclude_user_id=post.author_id),
          subject=f"New reply: {topic.title}", template="forum/email/new_reply.txt",
          context={"author": author, "excerpt": quote_member_text(_excerpt(post.body)),
                   "post_url": settings.SITE_URL + post.get_absolute_url()})


def notify_status_change(post: Post) -> None:
    """Tell an idea's followers (supporters follow automatically) that its status changed."""
    topic = post.topic
    status = post.get_new_status_display()
    _send(topic=topic, recipients=_recipients(topic, exclude_user_id=post.author_id),
          subject=f"Idea {status.lower()}: {topic.title}", template="forum/email/status_change.txt",
          context={"moderator": post.author.public_name if post.author else "a moderator", "status": status,
                   "reason": quote_member_text(_excerpt(post.body)),
                   "post_url": settings.SITE_URL + post.get_absolute_url()})
