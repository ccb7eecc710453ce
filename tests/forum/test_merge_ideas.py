"""Merging a duplicate idea into another, through the moderator's pages."""

import pytest
from django.core import mail
from django.urls import reverse

from forum import services
from forum.models import Follow, IdeaStatus, Post, Support, Topic
from mycarebudget.moderation.models import ModerationLogEntry
from tests.forum.factories import idea, member, start

pytestmark = pytest.mark.django_db


@pytest.fixture
def ideas():
    """A duplicate with three supporters (its proposer, one who supports both, one only it), and the target."""
    target = idea(author=member(display_name="First"), title="Print a guide as a checklist")
    duplicate = idea(author=member(display_name="Second"), title="Checklists I can print")
    both, only_duplicate = member(), member()
    services.support_idea(topic=target, user=both)
    services.support_idea(topic=duplicate, user=both)
    services.support_idea(topic=duplicate, user=only_duplicate)
    return duplicate, target, both, only_duplicate


def merge(client, duplicate, target, **extra):
    url = reverse("forum:idea_merge", args=[duplicate.pk])
    return client.post(url, {"target": target if isinstance(target, str) else target.get_absolute_url(), **extra})


def test_a_moderator_checks_then_merges_and_supporters_count_once(client, moderator, ideas, run_on_commit):
    duplicate, target, both, only_duplicate = ideas
    client.force_login(moderator)
    check = merge(client, duplicate, target, reason="Same request.")
    assert check.status_code == 200 and "Check before you merge the ideas" in check.text
    assert Topic.objects.get(pk=duplicate.pk).merged_into_id is None  # nothing changes before confirming
    with run_on_commit():
        response = merge(client, duplicate, str(target.pk), reason="Same request.", confirmed="True")
    assert response.status_code == 302 and response["Location"] == target.get_absolute_url()

    duplicate.refresh_from_db()
    target.refresh_from_db()
    # Target: its proposer and `both` before; the duplicate's proposer and only_duplicate join; `both` once.
    assert target.support_count == 4 == Support.objects.filter(topic=target).count()
    assert set(Support.objects.filter(topic=target).values_list("user", flat=True)) == {
        target.author_id, duplicate.author_id, both.pk, only_duplicate.pk}
    assert duplicate.support_count == 0 and not Support.objects.filter(topic=duplicate).exists()
    assert duplicate.status == IdeaStatus.DUPLICATE and duplicate.merged_into == target and duplicate.is_locked
    closing = Post.objects.get(topic=duplicate, kind=Post.Kind.STATUS)
    assert closing.new_status == IdeaStatus.DUPLICATE and "Print a guide as a checklist" in closing.body
    note = Post.objects.get(topic=target, kind=Post.Kind.STATUS)
    assert note.new_status == "" and duplicate.get_absolute_url() in note.body_html
    entry = ModerationLogEntry.objects.get(action="merged a duplicate idea into another")
    assert entry.moderator == moderator and "2 supporters moved, 1 supporter of both" in entry.reason
    # The duplicate's followers were told, then moved.
    assert {message.to[0] for message in mail.outbox} >= {duplicate.author.email, only_duplicate.email}
    # The email sends them where the discussion goes on, and its unsubscribe link is for that idea.
    told = next(message for message in mail.outbox if message.to == [only_duplicate.email])
    assert told.subject == "Idea merged: Checklists I can print"
    assert target.get_absolute_url() + "\n" in told.body
    assert f"Stop emails about “{target.title}”" in told.body
    import re

    from forum.notifications import read_unsubscribe_token
    # (read, not rebuilt: the token carries the second it was signed)
    token = re.search(r"/forum/unsubscribe/([^/\s]+)/", told.body)[1]
    assert read_unsubscribe_token(token) == (only_duplicate.pk, target.pk)
    assert set(Follow.objects.filter(topic=target, is_following=True).values_list("user", flat=True)) >= {
        duplicate.author_id, only_duplicate.pk, both.pk}
    assert not Follow.objects.filter(topic=duplicate).exists()


def test_the_duplicates_page_points_to_the_target_and_the_target_notes_the_merge(client, moderator, ideas):
    duplicate, target, _, _ = ideas
    services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    html = client.get(duplicate.get_absolute_url()).text
    assert (f'This idea was merged into <a href="{target.get_absolute_url()}">Print a guide as a checklist</a>'
            in html)
    assert "Status changed to <strong class=\"app-tag app-tag--grey\">Duplicate</strong>" in html
    assert "Support this idea" not in html and "Sign in to support" not in html
    html = client.get(target.get_absolute_url()).text
    assert "Another idea was merged into this one" in html
    assert f'<a href="{duplicate.get_absolute_url()}">Checklists I can print</a>' in html


def test_a_member_who_supported_both_keeps_one_support_and_can_withdraw_it(moderator, ideas):
    duplicate, target, both, _ = ideas
    services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    assert Support.objects.filter(user=both).count() == 1
    services.withdraw_support(topic=target, user=both)
    assert Topic.objects.get(pk=target.pk).support_count == 3


def test_a_follower_who_stopped_following_the_target_is_not_made_to_follow_it(moderator, ideas):
    duplicate, target, _, only_duplicate = ideas
    services.unfollow_topic(topic=target, user=only_duplicate)
    services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    assert not Follow.objects.get(topic=target, user=only_duplicate).is_following


def test_the_merged_duplicate_can_no_longer_be_supported_or_given_a_status(client, moderator, ideas):
    duplicate, target, _, _ = ideas
    services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    with pytest.raises(services.IdeaClosed):
        services.support_idea(topic=duplicate, user=member())
    with pytest.raises(services.StatusUnchanged):
        services.change_idea_status(topic=duplicate, moderator=moderator, status=IdeaStatus.PLANNED, reason="x")
    with pytest.raises(services.StatusUnchanged):
        services.change_idea_status(topic=target, moderator=moderator, status=IdeaStatus.DUPLICATE, reason="x")
    client.force_login(moderator)
    assert "Duplicate" not in client.get(reverse("forum:idea_status", args=[target.pk])).text


@pytest.mark.parametrize(("target", "message"), [
    ("self", "an idea cannot be merged into itself"),
    ("question", "Only ideas can be merged"),
    ("missing", "We cannot find an idea at that address"),
    ("nonsense", "Enter the idea’s address"),
    ("", "Enter the address or number of the idea to merge it into"),
])
def test_a_wrong_target_is_refused_next_to_the_field_and_kept(client, moderator, ideas, target, message):
    duplicate, _, _, _ = ideas
    typed = {"self": duplicate.get_absolute_url(), "question": start().get_absolute_url(),
             "missing": "/forum/topics/999999-nothing/", "nonsense": "the other one"}.get(target, target)
    client.force_login(moderator)
    response = merge(client, duplicate, typed, confirmed="True")
    assert response.status_code == 200
    html = response.text
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    assert 'class="govuk-error-summary"' in html and '<a href="#id_target">' in html
    assert 'id="id_target-error"' in html and message.replace("’", "&#x27;") in html.replace("’", "&#x27;")
    assert f'value="{typed}"' in html if typed else True
    assert Topic.objects.get(pk=duplicate.pk).merged_into_id is None


def test_an_idea_merged_already_or_a_merged_target_is_refused(moderator, ideas):
    duplicate, target, _, _ = ideas
    third = idea(title="A third idea about printing")
    services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    with pytest.raises(services.CannotMerge, match="already been merged"):
        services.merge_ideas(duplicate=duplicate, target=third, moderator=moderator)
    with pytest.raises(services.CannotMerge, match="itself merged into another idea"):
        services.merge_ideas(duplicate=third, target=duplicate, moderator=moderator)


def test_a_hidden_target_is_refused(moderator, ideas):
    duplicate, target, _, _ = ideas
    services.hide_post(post=Post.objects.get(topic=target, is_first=True), moderator=moderator, reason="Spam")
    with pytest.raises(services.CannotMerge, match="hidden or waiting for approval"):
        services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)


def test_only_moderators_may_merge(client, ideas):
    duplicate, target, _, _ = ideas
    for who in (duplicate.author, target.author, member()):
        client.force_login(who)
        assert merge(client, duplicate, target, confirmed="True").status_code == 403
        with pytest.raises(services.NotAModerator):
            services.merge_ideas(duplicate=duplicate, target=target, moderator=who)
    client.logout()
    assert merge(client, duplicate, target, confirmed="True").status_code == 302  # to sign in
    assert Topic.objects.get(pk=duplicate.pk).merged_into_id is None
    assert Support.objects.filter(topic=duplicate).count() == 3


def test_the_merge_link_is_in_the_moderator_tools_only(client, moderator, ideas):
    duplicate, _, _, _ = ideas
    link = reverse("forum:idea_merge", args=[duplicate.pk])
    assert link not in client.get(duplicate.get_absolute_url()).text
    client.force_login(moderator)
    assert link in client.get(duplicate.get_absolute_url()).text


def test_merge_queries_do_not_grow_with_supporters(moderator, django_assert_max_num_queries):
    """Guards a query per supporter or follower when they move."""
    target, duplicate = idea(title="Target idea here"), idea(title="Duplicate idea here")
    for _ in range(30):
        services.support_idea(topic=duplicate, user=member())
    with django_assert_max_num_queries(45):
        services.merge_ideas(duplicate=duplicate, target=target, moderator=moderator)
    assert Topic.objects.get(pk=target.pk).support_count == 32


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_merging_while_members_support_both_ideas_counts_each_member_once():
    """select_for_update on both ideas: a support racing the merge is moved or refused, never lost or doubled."""
    from django.contrib.auth.models import Group

    from tests.conftest import UserFactory
    from tests.forum.factories import ensure_categories
    from tests.forum.test_concurrency import at_the_same_moment

    ensure_categories()
    moderator = UserFactory()
    moderator.groups.add(Group.objects.get_or_create(name="Moderators")[0])
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    TOTP.activate(moderator, generate_totp_secret())
    for _ in range(3):
        target, duplicate = idea(title="Target idea here"), idea(title="Duplicate idea here")
        racers = [member() for _ in range(4)]

        def supporter(user, topic):
            def act():
                try:
                    services.support_idea(topic=topic, user=user)
                except (services.IdeaClosed, services.AlreadySupported):
                    return "refused"  # the duplicate is closed, or their support already moved to the target
                return "ok"
            return act

        actions = [lambda duplicate=duplicate, target=target: services.merge_ideas(
            duplicate=duplicate, target=target, moderator=moderator)]
        actions += [supporter(user, topic) for user in racers for topic in (duplicate, target)]
        _, errors = at_the_same_moment(*actions)
        assert errors == []
        target.refresh_from_db()
        supporters = list(Support.objects.filter(topic=target).values_list("user", flat=True))
        assert len(supporters) == len(set(supporters)) == target.support_count == 2 + len(racers)
        assert not Support.objects.filter(topic=duplicate).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_moderators_merging_a_pair_both_ways_at_once_merge_once():
    from django.contrib.auth.models import Group

    from tests.conftest import UserFactory
    from tests.forum.factories import ensure_categories
    from tests.forum.test_concurrency import at_the_same_moment

    ensure_categories()
    group = Group.objects.get_or_create(name="Moderators")[0]
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    moderators = []
    for _ in range(2):
        moderators.append(UserFactory())
        moderators[-1].groups.add(group)
        TOTP.activate(moderators[-1], generate_totp_secret())
    first, second = idea(title="First idea here"), idea(title="Second idea here")
    results, errors = at_the_same_moment(
        lambda: services.merge_ideas(duplicate=first, target=second, moderator=moderators[0]),
        lambda: services.merge_ideas(duplicate=second, target=first, moderator=moderators[1]))
    assert len(errors) == 1 and isinstance(errors[0], services.CannotMerge)
    merged = Topic.objects.filter(merged_into__isnull=False)
    assert merged.count() == 1
    assert Topic.objects.get(merged_into__isnull=True, pk__in=[first.pk, second.pk]).support_count == 2
