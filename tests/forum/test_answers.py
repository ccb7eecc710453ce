"""Marking the reply that answered a question (Discourse's "solved"), through the web pages."""

import pytest
from django.urls import reverse

from forum import services
from forum.models import Post, Topic
from mycarebudget.moderation.models import ModerationLogEntry
from tests.forum.factories import idea, member, reply, start

pytestmark = pytest.mark.django_db


def mark(client, post):
    return client.post(reverse("forum:post_mark_answer", args=[post.pk]))


@pytest.fixture
def question():
    asker = member(display_name="Asker")
    topic = start(author=asker, title="How do I pay my PA?")
    answer = reply(topic, author=member(display_name="Helper"), body="Use a payroll service.")
    return topic, asker, answer


def test_the_member_who_asked_marks_the_answer_and_everyone_sees_it(client, question):
    topic, asker, answer = question
    client.force_login(asker)
    response = mark(client, answer)
    assert response.status_code == 302 and response["Location"].endswith(f"#{answer.anchor}")
    topic.refresh_from_db()
    answer.refresh_from_db()
    assert topic.answer_id == answer.pk and answer.is_answer
    assert not ModerationLogEntry.objects.exists()  # the asker's own choice is not a moderator's act
    client.logout()
    html = client.get(topic.get_absolute_url()).text
    assert "Answered</strong> Helper answered this question." in html
    assert f'<a href="{reverse("forum:post_detail", args=[answer.pk])}">Go to the answer</a>' in html
    assert html.count('<strong class="app-tag app-tag--green">Answer</strong>') == 1  # on the reply itself
    assert "Answered</strong>" in client.get("/forum/questions/").text


def test_marking_another_reply_moves_the_mark_and_unmarking_clears_it(client, question):
    topic, asker, answer = question
    better = reply(topic, body="Or ask your ICB about a payroll provider.")
    client.force_login(asker)
    mark(client, answer)
    mark(client, better)
    assert list(Post.objects.filter(is_answer=True)) == [better]
    assert Topic.objects.get(pk=topic.pk).answer_id == better.pk
    response = client.post(reverse("forum:topic_unmark_answer", args=[topic.pk]))
    assert response.status_code == 302
    assert not Post.objects.filter(is_answer=True).exists() and Topic.objects.get(pk=topic.pk).answer_id is None
    assert "Answered</strong>" not in client.get(topic.get_absolute_url()).text


def test_only_the_asker_or_a_moderator_sees_the_button(client, question, moderator):
    topic, asker, answer = question
    for who, shown in ((asker, True), (moderator, True), (answer.author, False), (member(), False)):
        client.force_login(who)
        assert ("Mark as the answer" in client.get(topic.get_absolute_url()).text) is shown, who
    client.logout()
    assert "Mark as the answer" not in client.get(topic.get_absolute_url()).text


def test_anyone_else_is_refused_even_the_replys_author(client, question):
    topic, _, answer = question
    for who in (answer.author, member()):
        client.force_login(who)
        assert mark(client, answer).status_code == 403
        assert client.post(reverse("forum:topic_unmark_answer", args=[topic.pk])).status_code == 403
    assert Topic.objects.get(pk=topic.pk).answer_id is None


def test_a_moderator_marks_the_answer_and_it_is_logged(client, question, moderator):
    topic, _, answer = question
    client.force_login(moderator)
    assert mark(client, answer).status_code == 302
    entry = ModerationLogEntry.objects.get()
    assert entry.moderator == moderator and entry.action == "marked a reply as the answer"
    client.post(reverse("forum:topic_unmark_answer", args=[topic.pk]))
    assert ModerationLogEntry.objects.filter(action="unmarked the answer to a question").count() == 1


def test_a_suspended_asker_cannot_mark_an_answer(client, question, moderator):
    topic, asker, answer = question
    services.suspend_member(member=asker, moderator=moderator, reason="Spam", days=7)
    client.force_login(asker)
    response = mark(client, answer)
    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).answer_id is None
    assert "your account is suspended" in client.get(response["Location"]).text.lower()


def test_only_questions_have_answers(client):
    asker = member()
    topic = start(author=asker, category_slug="your-story", title="Our first year")
    other = reply(topic)
    client.force_login(asker)
    response = mark(client, other)
    assert Topic.objects.get(pk=topic.pk).answer_id is None
    assert "is not for questions" in client.get(response["Location"]).text
    assert "Mark as the answer" not in client.get(topic.get_absolute_url()).text
    an_idea = idea(author=asker)
    with pytest.raises(services.CannotBeTheAnswer):
        services.mark_answer(post=reply(an_idea), user=asker)


def test_the_question_itself_and_status_posts_cannot_be_the_answer(question):
    topic, asker, _ = question
    with pytest.raises(services.CannotBeTheAnswer):
        services.mark_answer(post=Post.objects.get(topic=topic, is_first=True), user=asker)


def test_hidden_held_or_deleted_replies_cannot_be_the_answer(question, moderator, settings):
    topic, asker, answer = question
    services.hide_post(post=answer, moderator=moderator, reason="Rude")
    with pytest.raises(services.CannotBeTheAnswer):
        services.mark_answer(post=answer, user=asker)
    mine = reply(topic, author=asker, body="Solved it myself.")
    services.delete_post(post=mine, user=asker)
    with pytest.raises(services.CannotBeTheAnswer):
        services.mark_answer(post=mine, user=asker)
    from tests.forum.factories import new_member

    held = reply(topic, author=new_member(), body="See https://example.org")
    assert held.is_held
    with pytest.raises(services.CannotBeTheAnswer):
        services.mark_answer(post=held, user=moderator)


@pytest.mark.parametrize("how", ["hidden", "deleted"])
def test_an_answer_that_is_hidden_or_deleted_stops_being_the_answer(question, moderator, how):
    topic, asker, answer = question
    services.mark_answer(post=answer, user=asker)
    if how == "hidden":
        services.hide_post(post=answer, moderator=moderator, reason="Wrong and harmful")
    else:
        services.delete_post(post=answer, user=answer.author)
    assert Topic.objects.get(pk=topic.pk).answer_id is None
    assert not Post.objects.get(pk=answer.pk).is_answer


def test_the_answer_tag_is_part_of_the_posts_shared_rendering(client, question):
    """The mark is a property of the post, so an anonymous reader's cached page and parts show it at once."""
    topic, asker, answer = question
    assert "app-tag--green\">Answer<" not in client.get(topic.get_absolute_url()).text  # now cached
    services.mark_answer(post=answer, user=asker)
    assert '<strong class="app-tag app-tag--green">Answer</strong>' in client.get(topic.get_absolute_url()).text


def test_the_mark_button_posts_the_pages_one_form_with_this_readers_csrf_token(client, question):
    """The button is in the post's shared rendering; the token is only in the page's live form it names."""
    topic, asker, answer = question
    client.force_login(asker)
    response = client.get(topic.get_absolute_url())
    html = response.text
    button = (f'<button type="submit" form="page-actions" '
              f'formaction="{reverse("forum:post_mark_answer", args=[answer.pk])}"')
    assert button in html
    form = html[html.index('<form id="page-actions" method="post">'):]
    token = response.context["csrf_token"]
    assert f'name="csrfmiddlewaretoken" value="{token}"' in form[:form.index("</form>")]
    assert html.count("csrfmiddlewaretoken") == html.count("<form") - html.count('<form method="get"')
    assert client.get(reverse("forum:post_mark_answer", args=[answer.pk])).status_code == 405


@pytest.mark.parametrize("who", ["anonymous", "asker"])
def test_an_answered_topic_page_costs_two_queries_more_whatever_its_size(client, who, django_assert_max_num_queries):
    """The summary reads the answer and its author (only when there is one); nothing per post."""
    from tests.forum.test_queries import TOPIC_PAGE_MAX, count_queries

    counts = []
    for size in (3, 12):
        asker = member()
        topic = start(author=asker, title=f"Question with {size} replies")
        replies = [reply(topic) for _ in range(size)]
        services.mark_answer(post=replies[1], user=asker)
        if who == "asker":
            client.force_login(asker)
        client.get(topic.get_absolute_url())
        counts.append(count_queries(client, topic.get_absolute_url()))
    assert counts[0] == counts[1], counts
    assert counts[0] <= TOPIC_PAGE_MAX["anonymous" if who == "anonymous" else "member"] + 2, counts
