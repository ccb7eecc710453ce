"""Reading and writing through the web pages: categories, topics, replies, quotes, edits, deletes."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from forum import services
from forum.models import RESERVED_CATEGORY_SLUGS, Category, Post, PostRevision, Topic
from forum.urls import urlpatterns
from tests.forum.factories import category, idea, member, opening_post, reply, start

pytestmark = pytest.mark.django_db


def html_of(response) -> str:
    return response.content.decode()


# --- categories and lists ------------------------------------------------------------------


def test_forum_index_lists_the_five_categories(client):
    response = client.get("/forum/")
    html = html_of(response)
    assert response.status_code == 200
    for name in ("Ideas for the site", "Questions and answers", "Employing a PA", "Your story", "Site news"):
        assert name in html
    assert html.count("<h1") == 1


def test_category_lists_topics_newest_activity_first(client):
    older = start(title="Older topic here")
    newer = start(title="Newer topic here")
    reply(older)  # activity moves the older one to the top
    html = html_of(client.get("/forum/questions/"))
    assert html.index("Older topic here") < html.index("Newer topic here")
    assert newer.get_absolute_url() in html


def test_category_is_paginated(client, settings):
    settings.FORUM_TOPICS_PER_PAGE = 2
    for number in range(3):
        start(title=f"Topic number {number}")
    first = html_of(client.get("/forum/questions/"))
    second = html_of(client.get("/forum/questions/?page=2"))
    assert "Page 1 of 2" in first and "Topic number 2" in first and "Topic number 0" not in first
    assert "Topic number 0" in second


def test_unknown_category_is_404(client):
    assert client.get("/forum/no-such-place/").status_code == 404


def test_only_ideas_are_filtered_by_status(client):
    """Other categories list by activity alone: a status in their address filters nothing and is never named."""
    questions = html_of(client.get("/forum/questions/?status=done&sort=support"))
    assert "Nothing here yet." in questions and "No ideas are marked" not in questions
    assert "No ideas are marked Done yet." in html_of(client.get("/forum/ideas/?status=done"))


def test_fixed_forum_pages_are_reserved_category_words():
    """Every fixed first segment under /forum/ must be a word no category can take."""
    fixed = set()
    for pattern in urlpatterns:
        route = str(pattern.pattern)
        if route.startswith("forum/") and not route.startswith("forum/<"):
            segment = route.split("/")[1]
            if segment:
                fixed.add(segment)
    assert fixed <= RESERVED_CATEGORY_SLUGS
    reserved = Category(name="Done", slug="done", description="x")
    with pytest.raises(ValidationError, match="address of another forum page"):
        reserved.full_clean()


def test_held_and_hidden_topics_are_not_listed_for_others(client, moderator):
    public = start(title="A public topic")
    hidden = start(title="A hidden topic")
    services.hide_post(post=opening_post(hidden), moderator=moderator, reason="Spam")
    html = html_of(client.get("/forum/questions/"))
    assert public.title in html and hidden.title not in html


# --- topic page ----------------------------------------------------------------------------


def test_topic_page_shows_posts_in_order_with_names_not_emails(client):
    author = member(display_name="Sam Carer")
    topic = start(author=author, body="First message")
    reply(topic, body="Second message")
    html = html_of(client.get(topic.get_absolute_url()))
    assert html.index("First message") < html.index("Second message")
    assert "Sam Carer" in html and author.email not in html
    assert html.count("<h1") == 1


def test_wrong_slug_redirects_permanently(client):
    topic = start()
    response = client.get(f"/forum/topics/{topic.pk}-wrong-words/?page=1")
    assert response.status_code == 301
    assert response["Location"] == topic.get_absolute_url() + "?page=1"


def test_topic_page_is_paginated(client, settings):
    settings.FORUM_POSTS_PER_PAGE = 2
    topic = start(body="Opening words")
    for number in range(3):
        reply(topic, body=f"Reply number {number}")
    html = html_of(client.get(topic.get_absolute_url() + "?page=2"))
    assert "Reply number 1" in html and "Reply number 2" in html and "Opening words" not in html


def test_post_link_goes_to_the_right_page(client, settings):
    settings.FORUM_POSTS_PER_PAGE = 2
    topic = start()
    posts = [reply(topic, body=f"Reply {n}") for n in range(3)]
    response = client.get(reverse("forum:post_detail", args=[posts[2].pk]))
    assert response["Location"] == f"{topic.get_absolute_url()}?page=2#post-{posts[2].pk}"


def test_deleted_user_shows_as_deleted_user(client):
    author = member(display_name="Gone Person")
    topic = start(author=author)
    author.is_active = False
    author.save()
    html = html_of(client.get(topic.get_absolute_url()))
    assert "deleted user" in html and "Gone Person" not in html


def test_signed_out_reader_is_asked_to_sign_in_to_reply(client):
    html = html_of(client.get(start().get_absolute_url()))
    assert "Sign in to reply" in html and 'name="body"' not in html


# --- starting topics -----------------------------------------------------------------------


def test_new_topic_page_needs_sign_in(client):
    response = client.get("/forum/questions/new/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]


def test_start_a_topic_through_the_form(client):
    author = member()
    client.force_login(author)
    response = client.post("/forum/questions/new/", {"title": "  Where do   I start? ", "body": "Help *please*"})
    topic = Topic.objects.get()
    assert response.status_code == 302 and response["Location"] == topic.get_absolute_url()
    assert topic.title == "Where do I start?" and topic.author == author
    assert opening_post(topic).body_html == "<p>Help <em>please</em></p>"


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"title": "", "body": "Some text"}, "title", "Enter a title"),
    ({"title": "Hi", "body": "Some text"}, "title", "Title must be at least 5 characters"),
    ({"title": "x" * 151, "body": "Some text"}, "title", "Title must be 150 characters or fewer"),
    ({"title": "A fine title", "body": "   "}, "body", "Enter your message"),
    ({"title": "A fine title", "body": "x" * 20_001}, "body", "Your message must be 20,000 characters or fewer"),
])
def test_bad_topic_input_gets_a_clear_message_and_keeps_the_text(client, data, field, message):
    client.force_login(member())
    response = client.post("/forum/questions/new/", data)
    html = html_of(response)
    assert response.status_code == 200
    assert html.startswith("<!DOCTYPE html>") and "<title>Error: " in html
    assert message in html
    assert f'id="id_{field}-error"' in html
    assert re.search(f'aria-describedby="[^"]*id_{field}-error"', html)
    assert 'href="#id_' + field + '"' in html  # the error summary links to the field
    if data["body"].strip() and len(data["body"]) < 100:
        assert data["body"] in html
    assert Topic.objects.count() == 0


def test_site_news_form_is_refused_to_members(client, moderator):
    client.force_login(member())
    assert client.get("/forum/site-news/new/").status_code == 403


def test_get_on_post_only_views_is_405(client):
    client.force_login(member())
    topic = idea()
    for name in ("idea_support", "idea_withdraw", "topic_follow", "topic_unfollow"):
        assert client.get(reverse(f"forum:{name}", args=[topic.pk])).status_code == 405


# --- replying and quoting ------------------------------------------------------------------


def test_reply_through_the_form_lands_on_the_new_post(client):
    topic = start()
    client.force_login(member())
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "My *answer*"})
    post = Post.objects.get(topic=topic, is_first=False)
    assert response.status_code == 302 and response["Location"].endswith(f"#post-{post.pk}")
    assert post.body_html == "<p>My <em>answer</em></p>"
    page = html_of(client.get(response["Location"]))
    assert "Your reply has been posted" in page and "My <em>answer</em>" in page


def test_empty_reply_keeps_the_form_and_says_what_to_do(client):
    topic = start()
    client.force_login(member())
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": " "})
    assert response.status_code == 200 and "Enter your reply" in html_of(response)


def test_quote_prefills_a_blockquote_with_the_public_name(client):
    author = member(display_name="Quoted Person")
    topic = start()
    post = reply(topic, author=author, body="Line one\n\nLine two")
    client.force_login(member())
    html = html_of(client.get(reverse("forum:reply_create", args=[topic.pk]) + f"?quote={post.pk}"))
    assert "&gt; **Quoted Person** wrote:\n&gt;\n&gt; Line one\n&gt;\n&gt; Line two" in html
    assert f'name="reply_to" value="{post.pk}"' in html
    assert author.email not in html


def test_quoting_a_deleted_post_quotes_nothing(client):
    author = member()
    topic = start()
    post = reply(topic, author=author, body="Regrettable words")
    services.delete_post(post=post, user=author)
    client.force_login(member())
    html = html_of(client.get(reverse("forum:reply_create", args=[topic.pk]) + f"?quote={post.pk}"))
    assert "Regrettable words" not in html


def test_reply_to_locked_topic_shows_error_and_keeps_text(client, moderator):
    topic = start()
    services.lock_topic(topic=topic, moderator=moderator)
    client.force_login(member())
    response = client.post(reverse("forum:reply_create", args=[topic.pk]), {"body": "Words I typed"})
    html = html_of(response)
    assert response.status_code == 200
    assert "This topic is locked, so nobody can reply to it. Your text is kept below" in html
    assert "Words I typed" in html and 'id="id_body-error"' in html
    assert Post.objects.filter(topic=topic).count() == 1


def test_locked_topic_page_has_no_reply_form(client, moderator):
    topic = start()
    services.lock_topic(topic=topic, moderator=moderator)
    client.force_login(member())
    html = html_of(client.get(topic.get_absolute_url()))
    assert "This topic is locked" in html and 'name="body"' not in html


def test_double_submitted_reply_form_makes_one_post(client):
    topic = start()
    client.force_login(member())
    data = {"body": "Clicked twice", "submission_key": "b" * 32}
    url = reverse("forum:reply_create", args=[topic.pk])
    first, second = client.post(url, data), client.post(url, data)
    assert first["Location"] == second["Location"]
    assert Post.objects.filter(topic=topic, is_first=False).count() == 1


# --- editing and deleting ------------------------------------------------------------------


def test_edit_your_own_post(client):
    author = member()
    topic = start(author=author, title="Title before edit", body="Before")
    client.force_login(author)
    post = opening_post(topic)
    url = reverse("forum:post_edit", args=[post.pk])
    assert "Before" in html_of(client.get(url))
    response = client.post(url, {"title": "Title after edit", "body": "After"})
    topic.refresh_from_db()
    assert response["Location"] == f"{topic.get_absolute_url()}#post-{post.pk}"
    assert topic.title == "Title after edit"
    assert PostRevision.objects.filter(post=post).count() == 1
    assert "Edited" in html_of(client.get(topic.get_absolute_url()))


def test_others_get_404_for_editing_or_deleting_a_post(client):
    post = reply(start())
    client.force_login(member())
    assert client.get(reverse("forum:post_edit", args=[post.pk])).status_code == 404
    assert client.post(reverse("forum:post_edit", args=[post.pk]), {"body": "Hijack"}).status_code == 404
    assert client.post(reverse("forum:post_delete", args=[post.pk])).status_code == 404
    post.refresh_from_db()
    assert post.body == "Thank you, that helped." and post.deleted_at is None


def test_edit_with_empty_body_keeps_the_form(client):
    author = member()
    post = reply(start(), author=author)
    client.force_login(author)
    response = client.post(reverse("forum:post_edit", args=[post.pk]), {"body": ""})
    assert response.status_code == 200 and "Enter your message" in html_of(response)


def test_delete_shows_as_deleted_and_moderators_can_still_read_it(client, moderator):
    author = member()
    topic = start()
    post = reply(topic, author=author, body="Words to delete")
    client.force_login(author)
    assert "Delete your post?" in html_of(client.get(reverse("forum:post_delete", args=[post.pk])))
    assert client.post(reverse("forum:post_delete", args=[post.pk])).status_code == 302
    reader_html = html_of(client.get(topic.get_absolute_url()))
    assert "This post was deleted by its author" in reader_html and "Words to delete" not in reader_html
    client.force_login(moderator)
    moderator_html = html_of(client.get(topic.get_absolute_url()))
    assert "Words to delete" in moderator_html and "Only moderators see what it said" in moderator_html


def test_saving_an_edit_to_a_post_deleted_in_another_tab_keeps_the_text(client):
    author = member()
    post = reply(start(), author=author, body="Words to delete")
    client.force_login(author)
    url = reverse("forum:post_edit", args=[post.pk])
    assert client.get(url).status_code == 200  # tab A opens the edit page
    client.post(reverse("forum:post_delete", args=[post.pk]))  # tab B deletes the post
    response = client.post(url, {"body": "A long change typed in tab A"})
    html = html_of(response)
    assert response.status_code == 200  # the form again, as for any refusal, with the text sent
    assert "You deleted this post, so it cannot be changed" in html and "A long change typed in tab A" in html
    assert "Save changes" not in html
    assert Post.objects.get(pk=post.pk).body == "Words to delete"
    assert client.get(url).status_code == 404  # nothing to edit any more
    client.force_login(member())
    assert client.post(url, {"body": "Not mine"}).status_code == 404


def test_edit_history_is_for_its_author_and_moderators(client, moderator):
    author = member()
    post = reply(start(), author=author, body="Original words")
    services.edit_post(post=post, editor=author, body="Changed words")
    url = reverse("forum:post_history", args=[post.pk])
    client.force_login(author)
    html = html_of(client.get(url))
    assert "Original words" in html and "Changed words" in html
    assert "Only you and the moderators can see this page" in html
    assert url in html_of(client.get(post.topic.get_absolute_url()))  # linked from their own post
    client.force_login(member())
    assert client.get(url).status_code == 403
    client.force_login(moderator)
    html = html_of(client.get(url))
    assert "Original words" in html and "Changed words" in html
    assert "Only its author and the moderators can see this page" in html


def test_no_user_text_is_marked_safe_outside_the_sanitiser(client):
    topic = start(title="<img src=x onerror=alert(1)> title", body="<b onmouseover=alert(1)>x</b>")
    html = html_of(client.get(topic.get_absolute_url()))
    assert "<img src=x" not in html and "<b onmouseover" not in html
    assert "&lt;img src=x onerror=alert(1)&gt; title" in html


def test_forum_templates_use_no_safe_filter():
    from pathlib import Path

    from django.conf import settings

    for path in (Path(settings.BASE_DIR) / "templates").glob("**/*.html"):
        if "forum" in path.parts or "moderation" in path.parts:
            text = path.read_text()
            assert "|safe" not in text and "autoescape off" not in text, path
    for path in (Path(settings.BASE_DIR) / "forum").glob("**/*.py"):
        assert "mark_safe" not in path.read_text(), path


def test_id_in_topic_address_must_exist(client):
    assert client.get("/forum/topics/999999-nothing/").status_code == 404


def test_topic_page_links_each_post_by_anchor(client):
    topic = start()
    post = reply(topic)
    html = html_of(client.get(topic.get_absolute_url()))
    assert re.search(rf'id="post-{post.pk}"', html) and f'href="#post-{post.pk}"' in html


def test_category_model_rejects_reserved_slug():
    with pytest.raises(ValidationError):
        Category(name="Settings", slug="settings", description="d").full_clean()
    assert category("ideas").is_ideas


def test_a_topic_address_without_its_title_leads_to_the_topic(client):
    topic = start(title="Paying a PA in hospital")
    response = client.get(f"/forum/topics/{topic.pk}/")
    assert response.status_code == 301 and response["Location"] == topic.get_absolute_url()
    assert client.get("/forum/topics/999999/").status_code == 404


def test_a_locked_topic_does_not_ask_anonymous_readers_to_sign_in_to_reply(client):
    topic = start(title="Closed question")
    type(topic).objects.filter(pk=topic.pk).update(is_locked=True)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "nobody can reply" in html and "Sign in to reply" not in html and "Jump to reply" not in html
