"""Ideas through the web pages: status, support, sorting and "What we've done"."""

import pytest
from django.urls import reverse

from forum import services
from forum.models import IdeaStatus, Post, Topic
from mycarebudget.moderation.models import ModerationLogEntry
from tests.forum.factories import idea, member, start

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


def test_idea_page_shows_status_as_a_written_tag_in_a_summary_list(client):
    topic = idea()
    html = html_of(client.get(topic.get_absolute_url()))
    assert 'class="govuk-summary-list app-idea-summary"' in html
    assert '<strong class="app-tag app-tag--grey">Proposed</strong>' in html
    assert 'id="support-count">1<' in html


def test_proposing_an_idea_through_the_page(client):
    client.force_login(member())
    response = client.post("/forum/ideas/new/", {"title": "Dark mode please", "body": "Easier on my eyes."})
    topic = Topic.objects.get()
    assert response["Location"] == topic.get_absolute_url()
    assert topic.status == IdeaStatus.PROPOSED and topic.support_count == 1


def test_support_and_withdraw_through_the_page(client):
    topic = idea()
    client.force_login(member())
    response = client.post(reverse("forum:idea_support", args=[topic.pk]))
    assert response.status_code == 302
    html = html_of(client.get(topic.get_absolute_url()))
    assert "You support this idea" in html and "Withdraw your support" in html
    assert Topic.objects.get(pk=topic.pk).support_count == 2
    client.post(reverse("forum:idea_withdraw", args=[topic.pk]))
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_supporting_twice_shows_the_error_next_to_the_button(client):
    author = member()
    topic = idea(author=author)
    client.force_login(author)
    response = client.post(reverse("forum:idea_support", args=[topic.pk]))
    html = html_of(response)
    assert response.status_code == 409
    assert "<title>Error: " in html
    assert 'id="support-error"' in html and "You already support this idea" in html
    assert 'aria-describedby="support-error"' in html and 'href="#support-button"' in html
    assert Topic.objects.get(pk=topic.pk).support_count == 1


def test_signed_out_visitor_is_sent_to_sign_in_to_support(client):
    topic = idea()
    response = client.post(reverse("forum:idea_support", args=[topic.pk]))
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert "Sign in to support this idea" in html_of(client.get(topic.get_absolute_url()))


def test_non_ideas_have_no_support_button(client):
    client.force_login(member())
    html = html_of(client.get(start().get_absolute_url()))
    assert "Support this idea" not in html


def test_moderator_changes_status_and_it_is_posted_with_who_and_why(client, moderator):
    topic = idea()
    client.force_login(moderator)
    url = reverse("forum:idea_status", args=[topic.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"status": "planned", "reason": "We will build this in March."})
    assert response.status_code == 302
    html = html_of(client.get(topic.get_absolute_url()))
    assert "Status changed to" in html and '<strong class="app-tag app-tag--purple">Planned</strong>' in html
    assert "By Mo Moderator (moderator)" in html and "We will build this in March." in html
    entry = ModerationLogEntry.objects.get()
    assert entry.moderator == moderator and "Planned" in entry.action and entry.target_label == topic.title


def test_status_change_needs_a_reason(client, moderator):
    topic = idea()
    client.force_login(moderator)
    response = client.post(reverse("forum:idea_status", args=[topic.pk]), {"status": "planned", "reason": ""})
    assert response.status_code == 200 and "Say why the status is changing" in html_of(response)
    assert Topic.objects.get(pk=topic.pk).status == IdeaStatus.PROPOSED


def test_not_doing_needs_a_reason_and_shows_it(client, moderator):
    topic = idea()
    client.force_login(moderator)
    url = reverse("forum:idea_status", args=[topic.pk])
    response = client.post(url, {"status": "not-doing", "reason": " "})
    assert "Say why we are not doing this idea" in html_of(response)
    client.post(url, {"status": "not-doing", "reason": "It would cost too much to run."})
    html = html_of(client.get(topic.get_absolute_url()))
    assert "Why not" in html and "It would cost too much to run." in html
    assert "no longer open for support" in html


def test_members_cannot_change_status(client):
    topic = idea()
    client.force_login(member())
    url = reverse("forum:idea_status", args=[topic.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"status": "done", "reason": "Me"}).status_code == 403
    assert Topic.objects.get(pk=topic.pk).status == IdeaStatus.PROPOSED


def test_status_page_is_only_for_ideas(client, moderator):
    client.force_login(moderator)
    assert client.get(reverse("forum:idea_status", args=[start().pk])).status_code == 404


def test_ideas_sorted_by_most_supported(client):
    quiet = idea(title="Quiet idea here")
    popular = idea(title="Popular idea here")
    for _ in range(2):
        services.support_idea(topic=popular, user=member())
    services.post_reply(topic=quiet, author=member(), body="Bump")  # latest activity
    by_activity = html_of(client.get("/forum/ideas/"))
    by_support = html_of(client.get("/forum/ideas/?sort=support"))
    assert by_activity.index("Quiet idea here") < by_activity.index("Popular idea here")
    assert by_support.index("Popular idea here") < by_support.index("Quiet idea here")
    assert "3 supporters" in by_support


def test_ideas_filtered_by_status(client, moderator):
    planned = idea(title="Planned idea here")
    idea(title="Proposed idea here")
    services.change_idea_status(topic=planned, moderator=moderator, status="planned", reason="Soon")
    html = html_of(client.get("/forum/ideas/?status=planned"))
    assert "Planned idea here" in html and "Proposed idea here" not in html


def test_unknown_sort_or_status_falls_back(client):
    idea(title="Any idea at all")
    response = client.get("/forum/ideas/?sort=evil&status=nope")
    assert response.status_code == 200 and "Any idea at all" in html_of(response)


def test_what_weve_done_lists_done_ideas_newest_first_with_links(client, moderator):
    first = idea(title="First finished idea")
    second = idea(title="Second finished idea")
    idea(title="Still proposed idea")
    services.change_idea_status(topic=first, moderator=moderator, status="done", reason="Shipped in May")
    services.change_idea_status(topic=second, moderator=moderator, status="done", reason="Shipped in June")
    html = html_of(client.get("/forum/done/"))
    assert html.index("Second finished idea") < html.index("First finished idea")
    assert "Still proposed idea" not in html
    assert first.get_absolute_url() in html and second.get_absolute_url() in html


def test_hidden_done_idea_is_not_on_what_weve_done(client, moderator):
    topic = idea(title="Spammy finished idea")
    services.change_idea_status(topic=topic, moderator=moderator, status="done", reason="Done")
    services.hide_post(post=Post.objects.get(topic=topic, is_first=True), moderator=moderator, reason="Spam")
    assert "Spammy finished idea" not in html_of(client.get("/forum/done/"))
