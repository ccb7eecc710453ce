"""One rule for moderator power: a moderator without two-step verification is an ordinary member.

Tested at the services, where the rule is enforced, and at the pages that show it.
"""

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.models import Group
from django.urls import reverse

from forum import services as forum
from forum.models import Post, Topic
from mycarebudget.moderation.powers import MODERATORS_GROUP, NotAModerator, can_moderate, is_moderator
from tests.forum.factories import category, member, reply, start
from tests.wiki.conftest import page_content
from wiki import services as wiki
from wiki.models import EditProposal

pytestmark = pytest.mark.django_db


def _moderator(*, two_step: bool):
    user = member()
    user.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    if two_step:
        TOTP.activate(user, generate_totp_secret())
    return user


def fresh(user):
    """The same member as a new request would load them (nothing cached on the object)."""
    return type(user).objects.get(pk=user.pk)


def test_the_rule_needs_the_role_and_two_step():
    assert can_moderate(_moderator(two_step=True))
    without = _moderator(two_step=False)
    assert is_moderator(without) and not can_moderate(without)
    assert not can_moderate(member()) and not can_moderate(None)


FORUM_ACTIONS = {
    "hide_post": lambda mod, post: forum.hide_post(post=post, moderator=mod, reason="Spam"),
    "unhide_post": lambda mod, post: forum.unhide_post(post=post, moderator=mod),
    "approve_post": lambda mod, post: forum.approve_post(post=post, moderator=mod),
    "dismiss_reports": lambda mod, post: forum.dismiss_reports(post=post, moderator=mod),
    "lock_topic": lambda mod, post: forum.lock_topic(topic=post.topic, moderator=mod),
    "unlock_topic": lambda mod, post: forum.unlock_topic(topic=post.topic, moderator=mod),
    "move_topic": lambda mod, post: forum.move_topic(topic=post.topic, moderator=mod,
                                                     category=category("employing-a-pa")),
    "suspend_member": lambda mod, post: forum.suspend_member(member=post.author, moderator=mod,
                                                             reason="Abuse", days=7),
    "lift_suspension": lambda mod, post: forum.lift_suspension(member=post.author, moderator=mod),
}


@pytest.mark.parametrize("action", FORUM_ACTIONS)
def test_forum_moderation_needs_two_step(action):
    post = reply(start())
    with pytest.raises(NotAModerator):
        FORUM_ACTIONS[action](_moderator(two_step=False), post)
    FORUM_ACTIONS[action](_moderator(two_step=True), post)  # the same call succeeds with two-step


def test_changing_an_ideas_status_needs_two_step():
    topic = start(category_slug="ideas", title="Print a guide")
    with pytest.raises(NotAModerator):
        forum.change_idea_status(topic=topic, moderator=_moderator(two_step=False), status="planned", reason="Yes")
    forum.change_idea_status(topic=topic, moderator=_moderator(two_step=True), status="planned", reason="Yes")


def test_replying_in_a_locked_topic_needs_two_step():
    topic = start()
    forum.lock_topic(topic=topic, moderator=_moderator(two_step=True))
    with pytest.raises(forum.TopicLocked):
        forum.post_reply(topic=topic, author=_moderator(two_step=False), body="Still here")
    assert forum.post_reply(topic=topic, author=_moderator(two_step=True), body="Still here").pk


def test_starting_a_site_news_topic_needs_two_step():
    news = category("questions")
    news.moderators_only_topics = True
    news.save()
    with pytest.raises(forum.ModeratorsOnly):
        forum.start_topic(category=news, author=_moderator(two_step=False), title="New guides", body="Read them")
    assert forum.start_topic(category=news, author=_moderator(two_step=True), title="New guides", body="Read them")


def test_seeing_held_and_hidden_posts_needs_two_step():
    topic = start()
    held = reply(topic, body="Held for review")
    Post.objects.filter(pk=held.pk).update(is_held=True)
    hidden = reply(topic, body="Rude words")
    forum.hide_post(post=hidden, moderator=_moderator(two_step=True), reason="Rude")
    without = Post.objects.filter(topic=topic).visible_to(_moderator(two_step=False))
    assert held.pk not in {post.pk for post in without}
    assert not without.get(pk=hidden.pk).is_readable
    with_two_step = Post.objects.filter(topic=topic).visible_to(_moderator(two_step=True))
    assert with_two_step.get(pk=held.pk).is_readable and with_two_step.get(pk=hidden.pk).is_readable


def test_opening_a_hidden_topic_needs_two_step():
    topic = start()
    forum.hide_post(post=Post.objects.get(topic=topic, is_first=True), moderator=_moderator(two_step=True),
                    reason="Spam")
    assert not Topic.objects.visible_to(_moderator(two_step=False)).filter(pk=topic.pk).exists()
    assert Topic.objects.visible_to(_moderator(two_step=True)).filter(pk=topic.pk).exists()


def test_a_moderators_posts_skip_the_limits_only_with_two_step(settings):
    settings.FORUM_MIN_SECONDS_BETWEEN_POSTS = 60
    topic = start()
    without = _moderator(two_step=False)
    forum.post_reply(topic=topic, author=without, body="One")
    with pytest.raises(forum.PostingTooFast):
        forum.post_reply(topic=topic, author=without, body="Two")


def test_publishing_a_guide_without_review_needs_two_step(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = wiki.propose_edit(page=None, author=_moderator(two_step=False),
                                   content=page_content(title="Paying tax", slug="paying-tax"),
                                   edit_summary="New", base_revision=0)
        published = wiki.propose_edit(page=None, author=_moderator(two_step=True),
                                      content=page_content(title="Paying rent", slug="paying-rent"),
                                      edit_summary="New", base_revision=0)
    assert queued.status == EditProposal.Status.PENDING
    assert published.status == EditProposal.Status.APPROVED


@pytest.mark.parametrize("action", ["approve", "reject", "restore", "retire"])
def test_wiki_moderation_needs_two_step(action, make_page, django_capture_on_commit_callbacks):
    page = make_page()
    proposal = wiki.propose_edit(page=page, author=member(), content=page_content(summary="Shorter."),
                                 edit_summary="Tidy", base_revision=page.revision)
    calls = {
        "approve": lambda mod: wiki.approve_edit(proposal=proposal, moderator=mod),
        "reject": lambda mod: wiki.reject_edit(proposal=proposal, moderator=mod, reason="Not needed"),
        "restore": lambda mod: wiki.restore_version(page=page, number=1, moderator=mod),
        "retire": lambda mod: wiki.retire_page(page=page, moderator=mod, reason="Old", replaced_by=None),
    }
    with pytest.raises(NotAModerator):
        calls[action](_moderator(two_step=False))
    with django_capture_on_commit_callbacks(execute=True):
        calls[action](_moderator(two_step=True))


def test_moderation_pages_send_a_moderator_without_two_step_to_set_it_up(client):
    client.force_login(_moderator(two_step=False))
    for name in ("moderation:queue", "moderation:reports", "moderation:log"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


def test_the_guide_editor_tells_a_moderator_without_two_step_how_to_turn_it_on(client):
    client.force_login(_moderator(two_step=False))
    html = client.get(reverse("wiki:page_new")).content.decode()
    assert "Turn on two-step verification" in html and reverse("mfa_activate_totp") in html
    assert "published straight away" not in html


def test_a_moderator_without_two_step_reads_the_topic_as_a_member(client):
    topic = start()
    hidden = reply(topic, body="Rude words here")
    forum.hide_post(post=hidden, moderator=_moderator(two_step=True), reason="Rude")
    client.force_login(_moderator(two_step=False))
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "Rude words here" not in html and "Moderator tools" not in html
    assert "Turn on two-step verification" in html


def test_the_old_addresses_still_answer():
    assert reverse("moderation:queue") == "/moderation/"
    assert reverse("moderation:reports") == "/moderation/reports/"
    assert reverse("moderation:log") == "/moderation/log/"
    assert reverse("moderation:review", args=[3]) == "/moderation/edits/3/"
    assert reverse("moderation:approve", args=[3]) == "/moderation/edits/3/approve/"
    assert reverse("moderation:reject", args=[3]) == "/moderation/edits/3/reject/"
