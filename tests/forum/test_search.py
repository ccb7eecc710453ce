"""forum.search.search_discussions on whichever database the run uses (SQLite FTS5 or PostgreSQL)."""

import pytest

from forum import services
from forum.models import Post
from forum.search import search_discussions
from tests.forum.factories import idea, member, new_member, opening_post, reply, start

pytestmark = pytest.mark.django_db


def titles(hits) -> list[str]:
    return [hit.title for hit in hits]


def test_employing_finds_employ_as_a_discussion():
    topic = start(title="How to employ a carer", body="We need help at night.")
    hits = search_discussions("employing")
    assert titles(hits) == ["How to employ a carer"]
    hit = hits[0]
    assert hit.kind == "discussion" and hit.url == topic.get_absolute_url()
    assert hit.meta == "Questions and answers"


def test_body_matches_link_to_the_post_and_highlight_the_words():
    topic = start(title="Weekly timesheets", body="Nothing relevant here.")
    post = reply(topic, body="Our payroll company handles the pension for us.")
    hits = search_discussions("pensions")
    assert titles(hits) == ["Weekly timesheets"]
    assert hits[0].url == post.get_absolute_url()
    assert ("pension", True) in hits[0].snippet


def test_title_matches_come_before_body_matches():
    start(title="Questions about holidays", body="General chat.")
    body_only = start(title="Something else entirely", body="holiday holiday holiday holiday pay rules")
    reply(body_only, body="More about holiday entitlement and holiday pay and holiday cover.")
    assert titles(search_discussions("holiday")) == ["Questions about holidays", "Something else entirely"]


def test_one_hit_per_topic():
    topic = start(title="Respite care options", body="Respite is hard to find.")
    for _ in range(3):
        reply(topic, body="Respite worked for us.")
    assert titles(search_discussions("respite")) == ["Respite care options"]


def test_all_words_must_match():
    start(title="Direct payment audit", body="The council audits twice a year.")
    start(title="Direct payment cards", body="Prepaid cards are simple.")
    assert titles(search_discussions("direct audit")) == ["Direct payment audit"]


def test_hidden_deleted_and_held_posts_are_never_found(moderator):
    topic = start(title="An ordinary topic", body="Nothing to see.")
    author = member()
    hidden = reply(topic, body="zebracorn hidden words")
    deleted = reply(topic, author=author, body="zebracorn deleted words")
    held = reply(topic, author=new_member(), body="zebracorn held https://spam.example")
    services.hide_post(post=hidden, moderator=moderator, reason="Rude")
    services.delete_post(post=deleted, user=author)
    assert held.is_held
    assert search_discussions("zebracorn") == []


def test_a_hidden_or_held_topic_is_never_found(moderator):
    topic = start(title="Unicornfish spam topic", body="Buy now")
    reply(topic, body="unicornfish reply")
    held = start(author=new_member(), title="Unicornfish held topic", body="www.spam.example")
    assert held.is_held
    services.hide_post(post=opening_post(topic), moderator=moderator, reason="Spam")
    assert search_discussions("unicornfish") == []
    services.unhide_post(post=opening_post(topic), moderator=moderator)
    assert titles(search_discussions("unicornfish")) == ["Unicornfish spam topic"]


def test_approved_post_becomes_findable(moderator):
    held = reply(start(), author=new_member(), body="quokkafish see https://example.org")
    assert search_discussions("quokkafish") == []
    services.approve_post(post=held, moderator=moderator)
    assert len(search_discussions("quokkafish")) == 1


def test_edits_are_reindexed():
    author = member()
    topic = start(author=author, title="Original title words", body="alpacas everywhere")
    services.edit_post(post=opening_post(topic), editor=author, body="llamas instead", title="Changed heading")
    assert search_discussions("alpacas") == [] and search_discussions("original") == []
    assert titles(search_discussions("llamas")) == ["Changed heading"]
    assert titles(search_discussions("heading")) == ["Changed heading"]


def test_idea_hits_say_their_status():
    idea(title="Printable checklists idea")
    assert search_discussions("checklists")[0].meta == "Ideas for the site · Proposed"


def test_status_change_posts_are_not_hits(moderator):
    topic = idea(title="Some idea title")
    services.change_idea_status(topic=topic, moderator=moderator, status="planned", reason="marmosets reason")
    assert search_discussions("marmosets") == []


@pytest.mark.parametrize("query", ['"', "*", "AND OR NOT", 'a" OR "b', "NEAR(x y)", "title:x", "'; DROP", "ü", "pay\x00ment"])
def test_odd_queries_never_raise(query):
    start(title="Plain topic title")
    assert isinstance(search_discussions(query), list)


def test_empty_query_and_limit():
    for number in range(3):
        start(title=f"Wombat topic {number}", body="wombat")
    assert search_discussions("") == []
    assert len(search_discussions("wombat", limit=2)) == 2
    assert Post.objects.count() == 3


def test_site_search_page_marks_forum_hits_as_discussions(client, moderator):
    """End to end through /search/ (the wiki's page mixes guide and discussion hits)."""
    topic = start(title="Tortoiseshell budgeting question", body="How do I plan tortoiseshell costs?")
    hidden = start(title="Tortoiseshell spam", body="tortoiseshell offer")
    services.hide_post(post=opening_post(hidden), moderator=moderator, reason="Spam")
    html = client.get("/search/?q=tortoiseshell").content.decode()
    assert f'href="{topic.get_absolute_url()}"' in html and ">Discussion<" in html
    assert "Tortoiseshell spam" not in html
