"""Guide proposals: the same posting limits as the forum, and none from suspended members."""

import pytest
from django.core.exceptions import ValidationError

from forum.models import Suspension
from tests.wiki.conftest import form_data
from wiki import services
from wiki.models import EditProposal

pytestmark = pytest.mark.django_db


def _propose(page, author, n=0):
    content = {name: getattr(page, name) for name in
               ("title", "slug", "summary", "topic", "body", "sources", "last_checked", "next_review")}
    content["body"] += f"\nChange {n}.\n"
    return services.propose_edit(page=page, author=author, content=content, edit_summary=f"Change {n}",
                                 base_revision=page.revision)


def test_suspended_member_cannot_propose_an_edit(client, user, moderator, make_page):
    page = make_page()
    Suspension.objects.create(user=user, moderator=moderator, reason="Spam")
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="Spam.\n"))
    assert response.status_code == 200
    assert "Your account is suspended" in response.content.decode()
    assert not EditProposal.objects.exists()


def test_proposals_are_rate_limited_like_posts(client, user, make_page, settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 15
    page = make_page()
    _propose(page, user)
    client.force_login(user)
    response = client.post(f"/wiki/{page.slug}/edit/", form_data(page, body="Second.\n"))
    assert "You are sending changes too quickly" in response.content.decode()
    assert EditProposal.objects.count() == 1


def test_hourly_limit_on_proposals(user, make_page, settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0
    settings.FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = 3
    page = make_page()
    for n in range(3):
        _propose(page, user, n)
    with pytest.raises(ValidationError, match="limit of 3 suggested changes an hour"):
        _propose(page, user, 9)


def test_moderators_are_not_limited(moderator, make_page, settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 15
    page = make_page()
    for n in range(3):
        page.refresh_from_db()
        _propose(page, moderator, n)
    assert EditProposal.objects.count() == 3
