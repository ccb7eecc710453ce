"""Email to members who watch a guide, when it gets a new version.

Sent through mycarebudget.mail.queue_email (after the version commits). Each email carries
a signed one-click unsubscribe link (no email address in it) and the List-Unsubscribe
headers of RFC 2369 and RFC 8058, as the forum's do.
"""

from django.conf import settings
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse

from mycarebudget.mail import queue_email
from wiki.models import PageVersion, Watch

UNSUBSCRIBE_SALT = "wiki.watch.unsubscribe"


def unsubscribe_token(*, user_id: int, page_id: int) -> str:
    """Signed ids of a member and a guide. It never expires: old emails keep working."""
    return signing.dumps({"u": user_id, "p": page_id}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(user id, page id), or None when the token was not made by us."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("p"), int):
        return None
    return data["u"], data["p"]


def _quoted(text: str) -> str:
    """A member's words, each line marked '> ', so they cannot pass for ours."""
    return "\n".join(f"> {line}".rstrip() for line in text.strip().splitlines()) or ">"


def notify_watchers(version: PageVersion) -> None:
    """Email each active watcher of the guide (but not the version's author) about this version."""
    page = version.page
    watches = (Watch.objects.filter(page=page, user__is_active=True).exclude(user_id=version.author_id)
               .select_related("user").order_by("pk"))
    site = settings.SITE_URL
    for watch in watches:
        link = site + reverse("wiki:unsubscribe", args=[unsubscribe_token(user_id=watch.user_id, page_id=page.pk)])
        body = render_to_string("wiki/email/new_version.txt", {
            "site_name": settings.SITE_NAME, "page": page, "version": version,
            "summary": _quoted(version.edit_summary),
            "version_url": site + reverse("wiki:version_by_id", args=[page.pk, version.number]),
            "compare_url": site + reverse("wiki:page_compare", args=[page.slug, version.number - 1, version.number])
            if version.number > 1 else "",
            "unsubscribe_url": link,
        })
        queue_email(to=watch.user.email, subject=f"Guide updated: {page.title}", body=body, headers={
            "List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"})
