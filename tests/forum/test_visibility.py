"""One rule for who sees a post (PostQuerySet.visible_to), used by the topic page, search and exports."""

import pytest
from django.contrib.auth.models import AnonymousUser

from forum import services
from forum.exports import user_data
from forum.models import Post
from forum.search import search_discussions
from tests.forum.factories import member, reply, start

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["first-view", "cached-parts"])
def caching(request, client):
    """Each reader's page is checked with the shared parts already rendered, and without."""
    return request.param


def _hidden_reply(moderator, body="Phone me on 07700 900123 tonight"):
    topic = start(title="Holiday pay for a PA")
    post = reply(topic, body=body)
    services.hide_post(post=post, moderator=moderator, reason="Personal information")
    return topic, Post.objects.get(pk=post.pk)


def test_a_hidden_post_stays_hidden_when_its_author_is_deleted(client, moderator, caching):
    """Regression: "is this the author?" compared None with None for anonymous readers."""
    topic, post = _hidden_reply(moderator)
    post.author.delete()
    assert Post.objects.get(pk=post.pk).author_id is None
    url = topic.get_absolute_url()
    if caching == "cached-parts":
        client.get(url)
    anonymous = client.get(url).content.decode()
    client.force_login(member())
    signed_in = client.get(url).content.decode()
    for html in (anonymous, signed_in):
        assert "This post was hidden by a moderator" in html
        assert "07700 900123" not in html and "see what it said" not in html
    client.force_login(moderator)
    assert "07700 900123" in client.get(url).content.decode()


def test_only_the_author_and_moderators_read_a_hidden_post(client, moderator, caching):
    topic, post = _hidden_reply(moderator)
    client.force_login(post.author)
    own = client.get(topic.get_absolute_url()).content.decode()
    assert "07700 900123" in own and "Only you and moderators see what it said" in own
    client.force_login(member())
    assert "07700 900123" not in client.get(topic.get_absolute_url()).content.decode()


def test_nobody_is_the_author_of_a_post_without_one(moderator):
    _, post = _hidden_reply(moderator)
    Post.objects.filter(pk=post.pk).update(author=None)
    for reader in (AnonymousUser(), None, member()):
        found = Post.objects.visible_to(reader).get(pk=post.pk)
        assert not found.is_own and not found.is_readable


def test_search_uses_the_rule(moderator):
    _hidden_reply(moderator, body="Hidden zebra words")
    topic = start(title="Visible question")
    reply(topic, body="Public zebra words")
    hits = search_discussions("zebra")
    assert [hit.snippet for hit in hits] and all("Hidden" not in "".join(t for t, _ in hit.snippet) for hit in hits)
    assert len(hits) == 1


def test_a_stale_index_row_never_leaks_a_post(moderator):
    topic = start(title="Visible question")
    post = reply(topic, body="Quokka words")
    # Hidden behind the index's back: the index still lists it, the rule does not.
    Post.objects.filter(pk=post.pk).update(hidden_at=post.created_at)
    assert search_discussions("quokka") == []


def test_an_export_has_every_post_of_the_members_own(moderator):
    topic, hidden = _hidden_reply(moderator)
    deleted = reply(topic, author=hidden.author, body="Deleted later")
    services.delete_post(post=deleted, user=hidden.author)
    posts = user_data(hidden.author)["forum/posts.json"]
    assert {post["id"] for post in posts} == {hidden.pk, deleted.pk}
