"""Shared renderings (mycarebudget/shared.py) can never carry one person's page to another.

The suite runs with production cache settings (shared renderings on; Redis when REDIS_URL is set).
"""

import re

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache as django_cache
from django.db import connection
from django.template.loader import get_template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from forum import services
from forum.models import Post
from mycarebudget import shared
from tests.factories import UserFactory
from tests.forum.factories import idea, member, new_member, reply, start

pytestmark = pytest.mark.django_db

# What a future contributor might write into a template: everything that names the reader.
CANARY = ("CANARY[{{ request.user.email }}|{{ user.email }}|{{ user.display_name }}|{{ csrf_token }}"
          "|{{ perms.forum }}|{{ request.session.session_key }}|{% for m in messages %}{{ m }}{% endfor %}]")
SHARED_PARTS = ["forum/_post.html", "forum/_post_content.html", "forum/_topic_summary.html", "wiki/_article.html"]
WHOLE_PAGES = ["base.html", "forum/topic_detail.html", "forum/category_detail.html", "wiki/page_detail.html"]
LIVE = ["includes/live_forms.html"]  # rendered for each request: the reader's own canary shows there


# A page that used a CSRF token is never shared with anonymous readers: without one, only the rest can leak.
WITHOUT_TOKEN = CANARY.replace("{{ csrf_token }}", "")


@pytest.fixture(params=[CANARY])
def canaries(settings, request):
    """Every cached template, with the canary added where a contributor might add it."""
    CANARY = request.param
    sources = {}
    for name in SHARED_PARTS + WHOLE_PAGES + LIVE:
        source = get_template(name).template.source
        sources[name] = (source.replace("<body>", "<body>" + CANARY) if name == "base.html"
                         else source.replace("{% block content %}", "{% block content %}" + CANARY)
                         if "{% block content %}" in source else source + CANARY)
    _use_templates(settings, sources)


def _use_templates(settings, sources: dict) -> None:
    """These template sources instead of the files' (each test starts with an empty cache)."""
    engine = {**django_settings.TEMPLATES[0], "APP_DIRS": False}
    engine["OPTIONS"] = {**engine["OPTIONS"], "loaders": [
        ("django.template.loaders.locmem.Loader", sources),
        "django.template.loaders.filesystem.Loader", "django.template.loaders.app_directories.Loader"]}
    settings.TEMPLATES = [engine]


def _pages(make_page):
    topic = start(title="Holiday pay for a PA")
    reply(topic, body="Public words")
    idea(title="Print a guide")
    return [topic.get_absolute_url(), "/forum/ideas/", "/forum/questions/", make_page().get_absolute_url()]


@pytest.mark.parametrize("canaries", [CANARY, WITHOUT_TOKEN], indirect=True, ids=["canary", "without-token"])
def test_canary_in_every_cached_template_never_reaches_another_reader(canaries, make_page):
    urls = _pages(make_page)
    alice = UserFactory(email="alice.canary@example.com", display_name="Alice Canary")
    bob = UserFactory(email="bob.canary@example.com")
    readers = {"alice": Client(), "bob": Client(), "carol": Client(), "anonymous": Client()}
    readers["alice"].force_login(alice)
    readers["bob"].force_login(bob)
    carol = readers["carol"].session  # not signed in, with a session of her own (words she had not sent)
    carol["unsent"] = "carol's words"
    carol.save()
    for _ in range(2):  # first the parts are rendered, then they come from the cache
        for url in urls:
            for name, client in readers.items():
                html = client.get(url).content.decode()
                if name != "alice":
                    assert alice.email not in html and "Alice Canary" not in html, (url, name)
                    assert readers["alice"].session.session_key not in html, (url, name)
                if name != "bob":
                    assert bob.email not in html, (url, name)
                if name != "carol":
                    assert carol.session_key not in html, (url, name)
                canaries = re.findall(r"CANARY\[[^\]]*\]", html)
                # Each page has its own canary (live, the reader's own) and the shared parts' (always empty).
                assert len(canaries) >= 2, (url, name)
                assert {"CANARY[||||||]", "CANARY[|||||]"} & set(canaries), (url, name)


def test_shared_parts_are_rendered_without_anyone(canaries, make_page):
    alice = UserFactory(email="alice.canary@example.com")
    client = Client()
    client.force_login(alice)
    topic = start()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert alice.email not in html  # her page is shared with every member who may do the same there
    live = [canary for canary in re.findall(r"CANARY\[[^\]]*\]", html) if canary != "CANARY[||||||]"]
    assert len(live) == 1 and re.fullmatch(r"CANARY\[\|\|\|\w{64}\|\|\|\]", live[0])  # only her token, live
    # The page (base and topic) and the opening post's rendering (and its content) know nobody.
    assert html.count("CANARY[||||||]") == 4


def test_a_changed_post_gets_a_new_rendering(client, moderator):
    topic = start()
    post = reply(topic, body="Phone me on 07700 900123")
    client.get(topic.get_absolute_url())  # the reply's rendering is now shared
    services.hide_post(post=post, moderator=moderator, reason="Personal details")
    for viewer in (None, member()):
        if viewer:
            client.force_login(viewer)
        html = client.get(topic.get_absolute_url()).content.decode()
        assert "07700 900123" not in html and "hidden by a moderator" in html


def test_an_author_reads_their_held_reply_on_a_page_others_share(client):
    topic = start()
    author = new_member()
    reply(topic, author=author, body="My payroll firm is at https://example.com/pay")
    client.get(topic.get_absolute_url())  # anonymous: the page of posts is shared, without the held reply
    client.force_login(author)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "example.com/pay" in html and "Only you and moderators can see it" in html
    client.force_login(member())
    assert "example.com/pay" not in client.get(topic.get_absolute_url()).content.decode()


def test_an_author_finds_their_held_topic_in_a_category_others_share(client):
    author = new_member()
    start(author=author, title="Payroll firms I tried", body="They are listed at https://example.com/firms")
    client.get("/forum/questions/")  # anonymous: the listing is shared, without the held topic
    client.force_login(author)
    assert "Payroll firms I tried" in client.get("/forum/questions/").content.decode()
    client.force_login(member())
    assert "Payroll firms I tried" not in client.get("/forum/questions/").content.decode()


def test_an_odd_page_number_never_stands_in_for_the_first_page(client):
    topic = start(body="The very first words")
    for number in range(25):
        Post.objects.create(topic=topic, author=member(), body=f"Reply {number}", body_html=f"<p>Reply {number}</p>")
    client.force_login(member())
    client.get(topic.get_absolute_url() + "?page=-1")
    assert "The very first words" in client.get(topic.get_absolute_url()).content.decode()


def test_a_member_who_reported_a_post_is_told_so_on_a_page_others_share(client):
    topic = start()
    post = reply(topic, body="Buy cheap watches")
    reporter = member()
    services.report_post(post=post, reporter=reporter, reason="spam")
    client.force_login(member())
    assert "You reported this post" not in client.get(topic.get_absolute_url()).content.decode()  # now shared
    client.force_login(reporter)
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "You reported this post" in html and f"/forum/posts/{post.pk}/report/" not in html


def test_a_renamed_author_is_shown_by_their_new_name(client):
    author = member(display_name="Old Name")
    topic = start(author=author)
    client.force_login(member())
    assert "Old Name" in client.get(topic.get_absolute_url()).content.decode()
    author.display_name = "New Name"
    author.save()
    html = client.get(topic.get_absolute_url()).content.decode()
    assert "New Name" in html and "Old Name" not in html


def test_anonymous_readers_share_the_page_and_get_304(client, make_page, django_assert_num_queries):
    page = make_page()
    first = client.get(page.get_absolute_url())
    with django_assert_num_queries(0):
        again = client.get(page.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert "public" in first["Cache-Control"]


def test_a_workers_own_anonymous_copy_lasts_a_second_and_a_bump_here_forgets_it(client, make_page):
    """Another worker's change (the area's version moved in the shared cache, not in this worker) reaches
    anonymous readers here within the worker cache's TIMEOUT; a change made in this worker, at once."""
    import time_machine

    page = make_page(title="Before")
    url = page.get_absolute_url()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert b"Before" in client.get(url).content
        type(page).objects.filter(pk=page.pk).update(title="Elsewhere")
        django_cache.incr("version:wiki")  # what shared.bump does in another worker
        assert b"Before" in client.get(url).content  # this worker's copy, under a second old
        clock.shift(django_settings.CACHES["worker"]["TIMEOUT"])
        assert b"Elsewhere" in client.get(url).content
        type(page).objects.filter(pk=page.pk).update(title="Here")
        shared.bump("wiki")
        assert b"Here" in client.get(url).content


def test_members_never_get_a_workers_anonymous_copy(client, make_page):
    page = make_page(title="Before")
    assert b"Before" in client.get(page.get_absolute_url()).content
    type(page).objects.filter(pk=page.pk).update(title="Changed", revision=page.revision + 1)
    django_cache.incr("version:wiki")
    client.force_login(member())
    assert b"Changed" in client.get(page.get_absolute_url()).content


def test_members_pages_are_private(client, make_page):
    client.force_login(member())
    for url in (make_page().get_absolute_url(), start().get_absolute_url(), "/forum/questions/"):
        response = client.get(url)
        assert "private" in response["Cache-Control"] and "ETag" not in response


def test_former_marker_text_in_a_post_is_shown_verbatim():
    """The old design replaced a secret-derived CSRF marker anywhere in the page, user text included."""
    csrf = "csrf" + salted_hmac("microcache-marker", "csrf", algorithm="sha256").hexdigest()[:24]
    submission = "submission" + salted_hmac("microcache-marker", "submission", algorithm="sha256").hexdigest()[:24]
    writer, reader = member(), member()
    topic = start(author=writer, title="<!--v:viewer=member--> title",
                  body=f"{csrf} and {submission} and `<!--v:follow=yes-->` and `<!--/v-->`")
    for who in (None, writer, reader):
        client = Client()
        if who:
            client.force_login(who)
        html = client.get(topic.get_absolute_url()).content.decode()
        assert f"{csrf} and {submission} and" in html
        assert "&lt;!--v:follow=yes--&gt;" in html and "&lt;!--/v--&gt;" in html
        assert "&lt;!--v:viewer=member--&gt; title" in html


def _warm_and_cold_queries(client, url: str) -> tuple[int, int]:
    """Queries of a repeat visit, and of one after a change to the forum (its shared copies made again)."""
    client.get(url)
    counts = []
    for change in (False, True):
        if change:
            shared.bump("forum")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    return tuple(counts)


# Signed-in pages: the session (none with Redis), the member, what is theirs (forum.readers, one query), and
# the page's rows unless the forum's shared copy of them is current: the topic, the count, the page's posts,
# the authors of posts not everyone reads. The equality with a page ten times longer is the n+1 guard.
def test_a_signed_in_topic_page_costs_the_same_queries_however_long(client):
    client.force_login(member())
    counts = []
    for replies in (3, 30):
        topic = start()
        for number in range(replies):
            Post.objects.create(topic=topic, author=member(), body=f"Reply {number}", body_html=f"<p>{number}</p>")
        counts.append(_warm_and_cold_queries(client, topic.get_absolute_url()))
    assert counts[0] == counts[1]
    warm, cold = counts[0]
    assert warm <= 3 and cold <= 7


def test_a_signed_in_ideas_page_costs_the_same_queries_however_many_ideas(client):
    client.force_login(member())
    counts = []
    for ideas in (3, 25):
        for number in range(ideas):
            idea(title=f"Idea number {ideas}-{number}")
        counts.append(_warm_and_cold_queries(client, "/forum/ideas/"))
    assert counts[0] == counts[1]
    warm, cold = counts[0]
    assert warm <= 4 and cold <= 8  # and the ideas this member supports; the category


def test_the_site_search_address_is_kept():
    assert reverse("search") == "/search/"


def test_a_guide_saved_outside_the_wiki_services_is_not_served_from_an_old_copy(client, make_page):
    """The admin saves a guide itself: the save alone makes the copies out of date (wiki.signals)."""
    page = make_page(title="Before")
    assert b"Before" in client.get(page.get_absolute_url()).content
    page.title = "After"
    page.save()
    assert b"After" in client.get(page.get_absolute_url()).content


def test_a_deploy_makes_new_keys_for_every_copy(settings, tmp_path, monkeypatch):
    """Copies are kept until their version changes: new code or templates must not be served old pages."""
    (tmp_path / "templates").mkdir()
    page = tmp_path / "templates" / "page.html"
    page.write_text("before")
    settings.BASE_DIR = tmp_path
    monkeypatch.setattr(shared, "SERVED", ("templates",))
    shared._build.cache_clear()
    before = shared._build()
    page.write_text("after")
    shared._build.cache_clear()
    assert shared._build() != before
    shared._build.cache_clear()


def test_a_new_deploy_is_never_served_the_last_ones_copies(client, make_page, monkeypatch):
    page = make_page(title="Before")
    assert b"Before" in client.get(page.get_absolute_url()).content
    type(page).objects.filter(pk=page.pk).update(title="After")  # what the new code would show
    shared.forget_worker_copies()  # a new worker starts with none of its own
    monkeypatch.setattr(shared, "_build", lambda: "the-next-deploy")
    assert b"After" in client.get(page.get_absolute_url()).content


def test_a_lost_version_never_brings_back_a_copy_made_before_it():
    """Redis deletes the versions it was told of while it was down (mycarebudget.fallback_cache): a version
    started again must match no copy made under the old one."""
    assert shared.current("test-area", "row", lambda: "before") == "before"
    shared.bump("test-area")  # the change...
    django_cache.delete("version:test-area")  # ...whose version is then lost
    assert shared.current("test-area", "row", lambda: "after") == "after"


def test_with_redis_a_members_busy_pages_ask_the_database_nothing(client, with_redis, make_page):
    """Production's caches: the member's row (accounts.backends), their forum facts (forum.readers) and the
    shared page all come from Redis once made."""
    topic = start()
    reply(topic)
    client.force_login(member())
    for url in (make_page().get_absolute_url(), topic.get_absolute_url(), "/forum/questions/", "/forum/ideas/"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            assert "Sign out" in client.get(url).text
        assert len(queries) == 0, (url, [query["sql"] for query in queries])
