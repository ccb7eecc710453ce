"""Reports, hiding, locking, moving, suspensions and the moderation log, through the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from forum import services
from forum.models import Post, Report, Suspension, Topic
from mycarebudget.moderation.models import ModerationLogEntry
from mycarebudget.moderation.powers import NotAModerator
from mycarebudget.moderation.services import log_moderation
from tests.forum.factories import category, idea, member, new_member, opening_post, reply, start

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


# --- reports -------------------------------------------------------------------------------


def test_member_reports_a_post_and_moderators_see_it(client, moderator):
    post = reply(start(title="Topic with a bad reply"), body="Something nasty")
    reporter = member(display_name="Careful Reader")
    client.force_login(reporter)
    url = reverse("forum:post_report", args=[post.pk])
    assert "What is wrong with this post?" in html_of(client.get(url))
    response = client.post(url, {"reason": "abuse", "details": "It insults a carer"})
    assert response.status_code == 302
    report = Report.objects.get()
    assert (report.post, report.reporter, report.reason) == (post, reporter, "abuse")
    assert "You reported this post" in html_of(client.get(post.topic.get_absolute_url()))
    client.force_login(moderator)
    queue = html_of(client.get("/moderation/reports/"))
    assert "Topic with a bad reply" in queue and "It is rude, abusive or threatening" in queue
    assert "It insults a carer" in queue and "Careful Reader" in queue
    assert 'href="/moderation/reports/" aria-current="page"' in queue


def test_reporting_twice_is_refused_next_to_the_field(client):
    post = reply(start())
    client.force_login(member())
    url = reverse("forum:post_report", args=[post.pk])
    client.post(url, {"reason": "spam"})
    response = client.post(url, {"reason": "spam", "details": "Still spam"})
    html = html_of(response)
    assert response.status_code == 200 and "You have already reported this post" in html
    assert 'id="id_reason-error"' in html and "Still spam" in html
    assert Report.objects.count() == 1


def test_report_needs_a_reason_and_other_needs_details(client):
    post = reply(start())
    client.force_login(member())
    url = reverse("forum:post_report", args=[post.pk])
    assert "Choose what is wrong with the post" in html_of(client.post(url, {}))
    assert "Say what is wrong with the post" in html_of(client.post(url, {"reason": "other"}))
    assert Report.objects.count() == 0


def test_cannot_report_your_own_post(client):
    author = member()
    post = reply(start(), author=author)
    client.force_login(author)
    response = client.post(reverse("forum:post_report", args=[post.pk]), {"reason": "spam"})
    assert "You cannot report your own post" in html_of(response)


def test_moderation_pages_are_for_moderators_only(client):
    client.force_login(member())
    for path in ("/moderation/reports/", "/moderation/log/"):
        assert client.get(path).status_code == 403
    client.logout()
    assert "/account/login/" in client.get("/moderation/reports/")["Location"]


# --- hiding --------------------------------------------------------------------------------


def test_hide_a_reported_post_with_a_reason_shown_in_its_place(client, moderator):
    author = member()
    post = reply(start(), author=author, body="Call me on 07700 900123")
    services.report_post(post=post, reporter=member(), reason="personal")
    client.force_login(moderator)
    url = reverse("forum:post_hide", args=[post.pk])
    assert "Call me on 07700 900123" in html_of(client.get(url))
    response = client.post(url, {"reason": "Removed: it shared a phone number"})
    assert response.status_code == 302
    assert Report.objects.get().outcome == Report.Outcome.HIDDEN
    client.logout()
    html = html_of(client.get(post.topic.get_absolute_url()))
    assert "This post was hidden by a moderator. Reason: Removed: it shared a phone number" in html
    assert "07700 900123" not in html
    client.force_login(author)
    assert "07700 900123" in html_of(client.get(post.topic.get_absolute_url()))
    entry = ModerationLogEntry.objects.get()
    assert entry.moderator == moderator and entry.action == "hid a post"
    assert entry.reason == "Removed: it shared a phone number"


def test_hiding_needs_a_reason(client, moderator):
    post = reply(start())
    client.force_login(moderator)
    response = client.post(reverse("forum:post_hide", args=[post.pk]), {"reason": ""})
    assert "Enter the reason the post is hidden" in html_of(response)
    assert Post.objects.get(pk=post.pk).hidden_at is None


def test_show_a_hidden_post_again(client, moderator):
    post = reply(start(), body="Fine after all")
    services.hide_post(post=post, moderator=moderator, reason="Checking")
    client.force_login(moderator)
    client.post(reverse("forum:post_unhide", args=[post.pk]))
    client.logout()
    assert "Fine after all" in html_of(client.get(post.topic.get_absolute_url()))


def test_hidden_topic_is_404_for_others_but_open_to_its_author(client, moderator):
    author = member()
    topic = start(author=author)
    services.hide_post(post=opening_post(topic), moderator=moderator, reason="Spam")
    assert client.get(topic.get_absolute_url()).status_code == 404
    client.force_login(member())
    assert client.get(topic.get_absolute_url()).status_code == 404
    client.force_login(author)
    assert client.get(topic.get_absolute_url()).status_code == 200


def test_dismissing_reports_keeps_the_post(client, moderator):
    post = reply(start(), body="Borderline words")
    services.report_post(post=post, reporter=member(), reason="wrong")
    client.force_login(moderator)
    assert "Forum reports and held posts (1<span" in html_of(client.get("/moderation/reports/"))
    client.post(reverse("forum:post_dismiss_reports", args=[post.pk]))
    assert Report.objects.get().outcome == Report.Outcome.DISMISSED
    queue = html_of(client.get("/moderation/reports/"))
    assert "No posts are reported" in queue
    assert "Forum reports and held posts (0<span" in queue  # counted again at once (found on a walk)
    assert Post.objects.get(pk=post.pk).is_public()


def test_reports_on_a_moderators_own_post_are_for_another_moderator(client, moderator):
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.contrib.auth.models import Group

    post = reply(start(title="Mo's advice"), author=moderator, body="Advice some think wrong")
    services.report_post(post=post, reporter=member(display_name="Careful Reader"), reason="wrong")
    client.force_login(moderator)
    queue = html_of(client.get("/moderation/reports/"))
    assert "Careful Reader" not in queue and "Advice some think wrong" not in queue
    assert "1 reported post of yours is for another moderator to look at." in queue
    assert client.post(reverse("forum:post_dismiss_reports", args=[post.pk])).status_code == 403
    with pytest.raises(NotAModerator):
        services.dismiss_reports(post=post, moderator=moderator)
    assert Report.objects.open().count() == 1
    other = member(display_name="Val Moderator")
    other.groups.add(Group.objects.get(name="Moderators"))
    TOTP.activate(other, generate_totp_secret())
    client.force_login(other)
    assert "Careful Reader" in html_of(client.get("/moderation/reports/"))
    client.post(reverse("forum:post_dismiss_reports", args=[post.pk]))
    assert Report.objects.open().count() == 0


def test_members_cannot_use_moderator_actions(client):
    topic = start()
    post = reply(topic)
    client.force_login(member())
    for name, arg in [("post_hide", post.pk), ("post_unhide", post.pk), ("post_approve", post.pk),
                      ("post_dismiss_reports", post.pk), ("topic_lock", topic.pk), ("topic_unlock", topic.pk),
                      ("topic_move", topic.pk), ("member_suspend", post.author_id),
                      ("member_lift", post.author_id)]:
        assert client.post(reverse(f"forum:{name}", args=[arg]), {"reason": "x"}).status_code == 403, name
    assert Post.objects.get(pk=post.pk).is_public() and not Topic.objects.get(pk=topic.pk).is_locked


# --- lock and move -------------------------------------------------------------------------


def test_lock_and_unlock_a_topic(client, moderator):
    topic = start()
    client.force_login(moderator)
    assert client.get(reverse("forum:topic_lock", args=[topic.pk])).status_code == 405
    client.post(reverse("forum:topic_lock", args=[topic.pk]))
    assert Topic.objects.get(pk=topic.pk).is_locked
    client.post(reverse("forum:topic_unlock", args=[topic.pk]))
    assert not Topic.objects.get(pk=topic.pk).is_locked
    assert [entry.action for entry in ModerationLogEntry.objects.all()] == ["unlocked a topic", "locked a topic"]


def test_move_a_topic(client, moderator):
    topic = start(category_slug="questions")
    client.force_login(moderator)
    url = reverse("forum:topic_move", args=[topic.pk])
    assert "Employing a PA" in html_of(client.get(url))
    response = client.post(url, {"category": category("employing-a-pa").pk, "reason": "It is about PAs"})
    assert response["Location"] == topic.get_absolute_url()
    assert Topic.objects.get(pk=topic.pk).category.slug == "employing-a-pa"
    assert "From Questions and answers to Employing a PA" in ModerationLogEntry.objects.get().reason


# --- suspensions ---------------------------------------------------------------------------


def test_suspended_member_can_read_but_not_post(client, moderator):
    topic = start(title="Readable topic here")
    target = member(display_name="Rude Rory")
    client.force_login(moderator)
    response = client.post(reverse("forum:member_suspend", args=[target.pk]),
                           {"length": "7", "reason": "Repeated insults"})
    assert response.status_code == 302
    suspension = Suspension.objects.get(user=target)
    assert suspension.ends_at - suspension.starts_at == timedelta(days=7)
    client.force_login(target)
    page = html_of(client.get(topic.get_absolute_url()))
    assert "Readable topic here" in page and "Your account is suspended until" in page
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "My angry words"})
    html = html_of(response)
    assert "Your account is suspended" in html and "My angry words" in html and 'id="id_body-error"' in html
    response = client.post("/forum/questions/new/", {"title": "A new topic", "body": "Words"})
    assert "Your account is suspended" in html_of(response)
    ideas_topic = idea()
    assert client.post(reverse("forum:idea_support", args=[ideas_topic.pk])).status_code == 409
    assert Post.objects.filter(author=target).count() == 0
    assert "suspended a member for 7 days" in ModerationLogEntry.objects.get().action


def test_suspension_needs_a_length_and_a_reason(client, moderator):
    target = member()
    client.force_login(moderator)
    html = html_of(client.post(reverse("forum:member_suspend", args=[target.pk]), {}))
    assert "Choose how long the suspension lasts" in html and "Enter the reason for the suspension" in html
    assert not Suspension.objects.exists()


def test_lifting_or_expiry_lets_a_member_post_again(client, moderator):
    topic = start()
    target = member()
    services.suspend_member(member=target, moderator=moderator, reason="Cool off", days=None)
    with pytest.raises(services.MemberSuspended):
        reply(topic, author=target)
    client.force_login(moderator)
    assert "Cool off" in html_of(client.get("/moderation/reports/"))
    client.post(reverse("forum:member_lift", args=[target.pk]))
    reply(topic, author=target)
    services.suspend_member(member=target, moderator=moderator, reason="Short", days=1)
    Suspension.objects.filter(user=target, lifted_at__isnull=True).update(
        ends_at=timezone.now() - timedelta(minutes=1))
    reply(topic, author=target, body="Back again")


# --- held posts ----------------------------------------------------------------------------


def test_links_from_a_brand_new_account_are_held_for_approval(client, moderator):
    topic = start(title="Where to buy equipment")
    newcomer = new_member()
    client.force_login(newcomer)
    client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "See [this shop](https://shop.example)"})
    post = Post.objects.get(topic=topic, is_first=False)
    assert post.is_held and Topic.objects.get(pk=topic.pk).reply_count == 0
    assert "Waiting for a moderator to check this post" in html_of(client.get(topic.get_absolute_url()))
    client.force_login(member())
    assert "shop.example" not in html_of(client.get(topic.get_absolute_url()))
    client.force_login(moderator)
    queue = html_of(client.get("/moderation/reports/"))
    assert "Posts waiting for approval" in queue and "shop.example" in queue
    response = client.post(reverse("forum:post_approve", args=[post.pk]), {"from": "reports"})
    assert response.url == "/moderation/reports/"  # approved from the queue: back to the queue
    client.logout()
    assert "shop.example" in html_of(client.get(topic.get_absolute_url()))
    assert Topic.objects.get(pk=topic.pk).reply_count == 1


def test_approving_from_the_topic_page_returns_to_the_post(client, moderator):
    topic = start(title="Where to buy equipment")
    client.force_login(new_member())
    client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "See [this shop](https://shop.example)"})
    post = Post.objects.get(topic=topic, is_first=False)
    client.force_login(moderator)
    assert 'name="from"' not in html_of(client.get(topic.get_absolute_url()))
    response = client.post(reverse("forum:post_approve", args=[post.pk]))
    assert response.url == f"{topic.get_absolute_url()}#{post.anchor}"


def test_new_topic_with_a_bare_link_from_a_new_account_is_held(client):
    client.force_login(new_member())
    client.post("/forum/questions/new/", {"title": "Great offer", "body": "Visit www.spam.example now"})
    topic = Topic.objects.get()
    assert topic.is_held
    client.logout()
    assert "Great offer" not in html_of(client.get("/forum/questions/"))
    assert client.get(topic.get_absolute_url()).status_code == 404


def test_links_from_established_members_are_not_held():
    post = reply(start(), author=member(), body="The NHS page: https://www.nhs.uk/")
    assert not post.is_held


def test_editing_links_into_a_new_accounts_post_holds_it():
    newcomer = new_member()
    post = reply(start(), author=newcomer, body="No links yet")
    services.edit_post(post=post, editor=newcomer, body="Now with https://spam.example")
    assert Post.objects.get(pk=post.pk).is_held


def test_an_edit_that_is_held_says_so_instead_of_saved(client):
    newcomer = new_member()
    post = reply(start(), author=newcomer, body="No links yet")
    client.force_login(newcomer)
    url = reverse("forum:post_edit", args=[post.pk])
    html = html_of(client.post(url, {"body": "Now with https://spam.example"}, follow=True))
    assert "your reply is hidden from others until a moderator has checked it" in html
    assert "Your changes have been saved" not in html
    html = html_of(client.post(url, {"body": "Still https://spam.example, held already"}, follow=True))
    assert "Your changes have been saved" in html  # it was hidden before this edit


# --- the log -------------------------------------------------------------------------------


def test_log_shows_who_what_and_when_newest_first_with_wiki_entries_too(client, moderator):
    topic = start(title="Locked topic title")
    services.lock_topic(topic=topic, moderator=moderator)
    log_moderation(moderator=moderator, action="approved a guide edit", target_label="Employing a PA",
                   target_url="/wiki/employing-a-pa/")
    client.force_login(moderator)
    html = html_of(client.get("/moderation/log/"))
    assert html.index("Approved a guide edit") < html.index("Locked a topic")
    assert f'<a href="{topic.get_absolute_url()}">Locked topic title</a>' in html
    assert "Mo Moderator" in html and "<time datetime=" in html
    assert 'href="/moderation/log/" aria-current="page"' in html


def test_log_is_paginated(client, moderator):
    for number in range(55):
        log_moderation(moderator=moderator, action=f"action {number}", target_label="x")
    client.force_login(moderator)
    assert "Page 1 of 2" in html_of(client.get("/moderation/log/"))
    assert "Action 0:" in html_of(client.get("/moderation/log/?page=2"))


def test_suspend_page_shows_the_members_latest_posts_and_refuses_moderators(client, moderator):
    from django.contrib.auth.models import Group

    target = member(display_name="Posting Pat")
    reply(start(title="Pat's favourite topic"), author=target)
    client.force_login(moderator)
    html = html_of(client.get(reverse("forum:member_suspend", args=[target.pk])))
    assert "Suspend Posting Pat" in html and "Pat&#x27;s favourite topic" in html
    other_moderator = member(display_name="Other Mod")
    other_moderator.groups.add(Group.objects.get(name="Moderators"))
    response = client.post(reverse("forum:member_suspend", args=[other_moderator.pk]),
                           {"length": "1", "reason": "Testing"})
    assert "Moderators cannot be suspended" in html_of(response)
    assert not Suspension.objects.exists()


@pytest.mark.parametrize("model", ["category", "topic", "post", "postrevision", "report", "suspension", "support",
                                   "follow", "preferences"])
def test_admin_lists_forum_models(staff_client, model):
    post = reply(start())
    services.report_post(post=post, reporter=member(), reason="spam")
    assert staff_client.get(f"/admin/forum/{model}/").status_code == 200


def test_admin_cannot_edit_posts_behind_the_services_back(staff_client):
    post = reply(start())
    assert staff_client.get("/admin/forum/post/add/").status_code == 403
    response = staff_client.post(f"/admin/forum/post/{post.pk}/change/", {"body": "Changed in admin"})
    assert response.status_code == 403
    assert Post.objects.get(pk=post.pk).body == "Thank you, that helped."


def test_opening_the_report_form_again_says_it_was_reported(client):
    post = reply(start())
    client.force_login(member())
    url = reverse("forum:post_report", args=[post.pk])
    assert "Send report" in html_of(client.get(url))
    client.post(url, {"reason": "spam"})
    html = html_of(client.get(url))
    assert "You reported this post on" in html and "Send report" not in html


def test_a_locked_topics_reply_page_offers_no_box_to_members(client, moderator):
    topic = start()
    services.lock_topic(topic=topic, moderator=moderator)
    client.force_login(member())
    html = client.get(f"/forum/topics/{topic.pk}/reply/").text
    assert "nobody can reply" in html and 'name="body"' not in html
    client.force_login(moderator)
    html = client.get(f"/forum/topics/{topic.pk}/reply/").text
    assert "only moderators can reply" in html and 'name="body"' in html
