"""The public profile and the moderator badge: what anyone may see of a member, and nothing more."""

import pytest
from django.urls import reverse

from forum import services as forum_services
from tests.factories import UserFactory
from tests.forum.factories import member, opening_post, reply, start

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_posting_gap(settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 0


def test_profile_shows_public_posts_and_nothing_private(client, moderator):
    priya = member(display_name="Priya")
    topic = start(author=priya, title="Paying my PA on holiday")
    hidden = reply(topic, author=priya, body="Something a moderator hid")
    forum_services.hide_post(post=hidden, moderator=moderator, reason="Personal details")
    response = client.get(reverse("accounts:profile", args=[priya.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Priya" in html and "Joined" in html and "Paying my PA on holiday" in html
    assert priya.email not in html
    assert f'href="{reverse("forum:post_detail", args=[hidden.pk])}"' not in html
    assert "Moderator</strong>" not in html


def test_the_header_is_the_readers_own_not_the_profiled_members(client, user):
    """The profile's member is not the reader: an anonymous reader is offered Sign in (a first user found
    "Sign out" here, the profile's member having taken the name of base.html's signed-in flag)."""
    url = reverse("accounts:profile", args=[member(display_name="Priya").pk])
    html = client.get(url).content.decode()
    assert "Sign in" in html and "Sign out" not in html
    client.force_login(user)
    assert "Sign out" in client.get(url).content.decode()


def test_no_profile_until_the_address_is_confirmed(client):
    from allauth.account.models import EmailAddress

    carol = member(display_name="Carol Unconfirmed")
    EmailAddress.objects.filter(user=carol).update(verified=False)
    assert client.get(reverse("accounts:profile", args=[carol.pk])).status_code == 404
    EmailAddress.objects.filter(user=carol).update(verified=True)
    assert client.get(reverse("accounts:profile", args=[carol.pk])).status_code == 200


def test_deleted_members_have_no_profile(client):
    from accounts.services import delete_account

    gone = UserFactory()
    delete_account(user=gone)
    assert client.get(reverse("accounts:profile", args=[gone.pk])).status_code == 404


def test_profile_queries_do_not_grow_with_posts(client, django_assert_max_num_queries):
    priya = member(display_name="Priya")
    for number in range(15):
        start(author=priya, title=f"Question {number}")
    with django_assert_max_num_queries(7):
        assert client.get(reverse("accounts:profile", args=[priya.pk])).status_code == 200


def test_moderators_posts_carry_a_badge_and_members_do_not(client, moderator):
    topic = start(author=member(display_name="Priya"), title="Paying my PA on holiday")
    reply(topic, author=moderator, body="Welcome! Here is the guide.")
    html = client.get(topic.get_absolute_url()).content.decode()
    assert html.count('<strong class="app-tag app-tag--purple">Moderator</strong>') == 1
    assert f'<a href="{reverse("accounts:profile", args=[moderator.pk])}">Mo Moderator</a> <strong' in html
    assert reverse("accounts:profile", args=[opening_post(topic).author_id]) in html
    profile = client.get(reverse("accounts:profile", args=[moderator.pk])).content.decode()
    assert "Moderator</strong>" in profile


def test_the_badge_goes_when_a_moderator_steps_down(client, moderator):
    topic = start(author=moderator, title="Site news")
    assert "Moderator</strong>" in client.get(topic.get_absolute_url()).content.decode()
    moderator.groups.clear()
    assert "Moderator</strong>" not in client.get(topic.get_absolute_url()).content.decode()
