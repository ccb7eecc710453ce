"""Bare web addresses in what members write become links, in the one sanitising path (mycarebudget/text.py),
without bleach's linkify: never inside code or an existing link, and without the sentence's punctuation."""

import pytest

from mycarebudget.text import EXTERNAL_REL, render_markdown


def links(html: str) -> list[tuple[str, str]]:
    from tests.wiki.test_text import elements_of

    return [(attrs.get("href"), attrs.get("rel")) for tag, attrs in elements_of(html).elements if tag == "a"]


@pytest.mark.parametrize(("text", "href"), [
    ("See https://www.nhs.uk/personal-health-budgets/ for more", "https://www.nhs.uk/personal-health-budgets/"),
    ("Try http://example.org/a?b=1&c=2 today", "http://example.org/a?b=1&c=2"),
    ("Try www.gov.uk/direct-payments please", "https://www.gov.uk/direct-payments"),
    ("WWW.EXAMPLE.ORG shouting", "https://WWW.EXAMPLE.ORG"),
])
def test_a_bare_address_becomes_an_external_link(text, href):
    assert links(render_markdown(text)) == [(href, EXTERNAL_REL)]


@pytest.mark.parametrize(("text", "href", "after"), [
    ("It is at https://example.org/page.", "https://example.org/page", "</a>.</p>"),
    ("Is it https://example.org/page?", "https://example.org/page", "</a>?</p>"),
    ("(see https://example.org/page)", "https://example.org/page", "</a>)</p>"),
    ("[see https://example.org/page]", "https://example.org/page", "</a>]</p>"),
    ("Read https://en.wikipedia.org/wiki/Budget_(disambiguation), then",
     "https://en.wikipedia.org/wiki/Budget_(disambiguation)", "</a>, then</p>"),
    ("“https://example.org/x”!", "https://example.org/x", "</a>”!</p>"),
])
def test_trailing_punctuation_and_closing_brackets_are_left_out(text, href, after):
    html = render_markdown(text)
    assert links(html) == [(href, EXTERNAL_REL)]
    assert html.endswith(after)


@pytest.mark.parametrize("text", [
    "Inline `https://example.org/code` here",
    "```\nhttps://example.org/fenced\n```",
    "    https://example.org/indented",
])
def test_addresses_in_code_stay_text(text):
    html = render_markdown(text)
    assert links(html) == []
    assert "example.org" in html


def test_an_address_inside_an_existing_link_is_not_linked_again():
    html = render_markdown("[see https://example.org/a](https://example.org/b) and <https://example.org/c>")
    assert links(html) == [("https://example.org/b", EXTERNAL_REL), ("https://example.org/c", EXTERNAL_REL)]


def test_addresses_around_code_and_links_are_still_linked():
    html = render_markdown("https://a.example `b` https://c.example [d](https://d.example) https://e.example")
    assert [href for href, _ in links(html)] == ["https://a.example", "https://c.example", "https://d.example",
                                                 "https://e.example"]


@pytest.mark.parametrize("text", [
    "http:// alone", "www. alone", "javascript:alert(1)//www.evil.example", "foo.www.example.org",
    "mail me@www.example.org", "xhttps://example.org",
])
def test_things_that_are_not_bare_addresses_stay_text(text):
    assert links(render_markdown(text)) == []


def test_a_linked_address_cannot_carry_markup_or_attributes():
    from tests.wiki.test_text import elements_of

    html = render_markdown('https://example.org/"onmouseover="alert(1) and https://example.org/<script>x</script>')
    assert [(tag, sorted(attrs)) for tag, attrs in elements_of(html).elements] == [
        ("p", []), ("a", ["href", "rel"]), ("a", ["href", "rel"])]
    assert links(html) == [("https://example.org/", EXTERNAL_REL)] * 2


def test_a_backslash_escape_inside_an_address_is_kept_as_its_character():
    assert links(render_markdown(r"https://example.org/my\_file")) == [("https://example.org/my_file", EXTERNAL_REL)]


@pytest.mark.django_db
def test_a_bare_address_in_a_forum_post_is_a_link_on_the_page(client):
    from tests.forum.factories import start

    topic = start(body="Details are on www.example.org/phb today.")
    response = client.get(topic.get_absolute_url())
    assert f'<a href="https://www.example.org/phb" rel="{EXTERNAL_REL}">www.example.org/phb</a>' in response.text
