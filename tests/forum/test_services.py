"""The forum's rules, tested against the database through forum.services."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from forum import services
from forum.models import Follow, IdeaStatus, Post, PostRevision, Support, Topic
from tests.forum.factories import category, idea, member, opening_post, reply, start

pytestmark = pytest.mark.django_db


def test_starting_a_topic_makes_its_opening_post_with_stored_html():
    topic = start(body="Hello **there**")
    post = opening_post(topic)
    assert post.body == "Hello **there**"
    assert post.body_html == "<p>Hello <strong>there</strong></p>"
    assert topic.slug == "how-do-i-pay-my-pa"
    assert topic.reply_count == 0


def test_starter_follows_their_topic():
    author = member()
    topic = start(author=author)
    assert Follow.objects.get(topic=topic, user=author).is_following


def test_reply_counts_and_bumps_activity():
    topic = start()
    before = Topic.objects.get(pk=topic.pk).last_activity_at
    post = reply(topic)
    topic.refresh_from_db()
    assert topic.reply_count == 1
    assert topic.last_activity_at == post.created_at
    assert topic.last_activity_at >= before


def test_replier_follows_the_topic():
    topic = start()
    replier = member()
    reply(topic, author=replier)
    assert Follow.objects.get(topic=topic, user=replier).is_following


def test_replying_does_not_undo_an_unfollow():
    topic = start()
    replier = member()
    reply(topic, author=replier)
    services.unfollow_topic(topic=topic, user=replier)
    reply(topic, author=replier, body="One more thing")
    assert not Follow.objects.get(topic=topic, user=replier).is_following


def test_markdown_is_sanitised_when_saved():
    post = reply(start(), body='<script>alert(1)</script> [x](javascript:alert(1))')
    assert "<script" not in post.body_html
    assert "javascript:" not in post.body_html


def test_reply_to_a_locked_topic_is_refused(moderator):
    topic = start()
    services.lock_topic(topic=topic, moderator=moderator)
    with pytest.raises(services.TopicLocked):
        reply(topic)
    assert Post.objects.filter(topic=topic).count() == 1


def test_moderators_can_reply_to_a_locked_topic(moderator):
    topic = start()
    services.lock_topic(topic=topic, moderator=moderator)
    reply(topic, author=moderator, body="Locked because the question is answered.")
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


def test_empty_body_is_refused_by_the_model():
    with pytest.raises(ValidationError):
        reply(start(), body="")


def test_same_submission_twice_makes_one_post():
    topic = start()
    author = member()
    first = services.post_reply(topic=topic, author=author, body="Hi", submission_key="a" * 32)
    second = services.post_reply(topic=topic, author=author, body="Hi", submission_key="a" * 32)
    assert first.pk == second.pk
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


def test_edit_keeps_the_earlier_version():
    author = member()
    topic = start(author=author, title="Old title here", body="First words")
    post = opening_post(topic)
    services.edit_post(post=post, editor=author, body="Better words", title="New title here")
    post.refresh_from_db()
    topic.refresh_from_db()
    assert post.body_html == "<p>Better words</p>" and post.edit_count == 1 and post.edited_at
    assert topic.title == "New title here" and topic.slug == "new-title-here"
    revision = PostRevision.objects.get(post=post)
    assert (revision.title, revision.body) == ("Old title here", "First words")


def test_only_the_author_can_edit():
    post = reply(start())
    with pytest.raises(PermissionDenied):
        services.edit_post(post=post, editor=member(), body="Mine now")


def test_delete_keeps_the_post_for_moderators_and_uncounts_it():
    author = member()
    topic = start()
    post = reply(topic, author=author)
    services.delete_post(post=post, user=author)
    post.refresh_from_db()
    assert post.deleted_at is not None and post.body == "Thank you, that helped."
    assert Topic.objects.get(pk=topic.pk).reply_count == 0


def test_only_the_author_can_delete():
    post = reply(start())
    with pytest.raises(PermissionDenied):
        services.delete_post(post=post, user=member())


def test_idea_starts_proposed_and_supported_by_its_author():
    author = member()
    topic = idea(author=author)
    assert topic.status == IdeaStatus.PROPOSED
    assert topic.support_count == 1
    assert Support.objects.filter(topic=topic, user=author).exists()


def test_support_once_then_withdraw():
    topic = idea()
    supporter = member()
    services.support_idea(topic=topic, user=supporter)
    assert Topic.objects.get(pk=topic.pk).support_count == 2
    with pytest.raises(services.AlreadySupported):
        services.support_idea(topic=topic, user=supporter)
    services.withdraw_support(topic=topic, user=supporter)
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_supporter_follows_the_idea():
    topic = idea()
    supporter = member()
    services.support_idea(topic=topic, user=supporter)
    assert Follow.objects.get(topic=topic, user=supporter).is_following


def test_supporting_your_own_idea_twice_is_refused():
    author = member()
    topic = idea(author=author)
    with pytest.raises(services.AlreadySupported):
        services.support_idea(topic=topic, user=author)
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_only_ideas_can_be_supported():
    with pytest.raises(services.NotAnIdea):
        services.support_idea(topic=start(), user=member())


def test_done_ideas_cannot_be_supported(moderator):
    topic = idea()
    services.change_idea_status(topic=topic, moderator=moderator, status=IdeaStatus.DONE, reason="Shipped.")
    with pytest.raises(services.IdeaClosed):
        services.support_idea(topic=topic, user=member())


def test_status_change_is_posted_into_the_thread_with_who_and_why(moderator):
    topic = idea()
    post = services.change_idea_status(topic=topic, moderator=moderator, status=IdeaStatus.PLANNED,
                                       reason="We will build it in spring.")
    topic.refresh_from_db()
    assert topic.status == IdeaStatus.PLANNED and topic.status_reason == "We will build it in spring."
    assert post.kind == Post.Kind.STATUS and post.author == moderator and post.new_status == IdeaStatus.PLANNED
    assert post.body_html == "<p>We will build it in spring.</p>"
    assert topic.reply_count == 0


def test_only_moderators_change_status():
    with pytest.raises(PermissionDenied):
        services.change_idea_status(topic=idea(), moderator=member(), status=IdeaStatus.PLANNED, reason="Because")


def test_moving_a_topic_into_ideas_makes_it_proposed(moderator):
    topic = start()
    services.move_topic(topic=topic, moderator=moderator, category=category("ideas"))
    topic.refresh_from_db()
    assert topic.category.slug == "ideas" and topic.status == IdeaStatus.PROPOSED


def test_site_news_topics_are_for_moderators(moderator):
    with pytest.raises(services.ModeratorsOnly):
        start(category_slug="site-news")
    assert start(author=moderator, category_slug="site-news").pk


def test_hiding_the_opening_post_hides_the_topic(moderator):
    topic = start()
    services.hide_post(post=opening_post(topic), moderator=moderator, reason="Spam")
    topic.refresh_from_db()
    assert topic.is_hidden
    assert not Topic.objects.public().filter(pk=topic.pk).exists()
    services.unhide_post(post=opening_post(topic), moderator=moderator)
    assert Topic.objects.public().filter(pk=topic.pk).exists()


def test_hiding_a_reply_uncounts_it(moderator):
    topic = start()
    post = reply(topic)
    services.hide_post(post=post, moderator=moderator, reason="Rude")
    assert Topic.objects.get(pk=topic.pk).reply_count == 0


def test_cannot_suspend_a_moderator(moderator):
    other = member()
    from django.contrib.auth.models import Group

    other.groups.add(Group.objects.get(name="Moderators"))
    with pytest.raises(services.CannotSuspend):
        services.suspend_member(member=other, moderator=moderator, reason="No", days=1)


def test_topic_slug_never_empty():
    topic = start(title="!!!!! ?????")
    assert topic.slug == "topic"
