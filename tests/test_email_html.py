"""The HTML part made from an email's text (mycarebudget.mail.html_version): same words, our links only."""

import pytest

from mycarebudget.mail import html_version

SITE = "https://care.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def test_a_link_under_a_short_line_becomes_a_button_with_its_address_shown():
    html = html_version(subject="New reply", body=f"Read it and reply:\n{SITE}/forum/posts/3/\n")
    assert f'class="email-button" href="{SITE}/forum/posts/3/"' in html and ">Read it and reply</a>" in html
    assert f">{SITE}/forum/posts/3/</a>" in html  # the address itself, visible, for when buttons fail


def test_a_button_says_what_it_does():
    html = html_version(subject="Reset", body=f"To choose a new password, open this link. It works once:\n{SITE}/r/\n")
    assert "To choose a new password, open this link. It works once:" in html
    assert ">Choose a new password</a>" in html


def test_a_labelled_link_is_named_by_its_own_sentence_only():
    html = html_version(subject="Digest", body=f"We send this every 6 hours. Turn it off: {SITE}/off/\n")
    assert f'We send this every 6 hours. <a href="{SITE}/off/"' in html and ">Turn it off</a>" in html


def test_quoted_member_text_is_a_quote_and_never_a_link():
    body = f"They wrote:\n\n> <b>hi</b> see https://evil.example/x and {SITE}/forum/\n> more\n"
    html = html_version(subject="x", body=body)
    assert "<blockquote" in html and "&lt;b&gt;hi&lt;/b&gt;" in html
    assert 'href="https://evil.example' not in html and f'href="{SITE}/forum/"' not in html


def test_other_sites_addresses_are_text_not_links():
    html = html_version(subject="x", body="Their reason: see https://evil.example/x\n")
    assert 'href="https://evil.example' not in html and "https://evil.example/x" in html


def test_an_address_that_only_starts_like_ours_is_not_ours():
    html = html_version(subject="x", body=f"Go: {SITE}.evil.example/x\n")
    assert f'href="{SITE}.evil' not in html


def test_lists_stay_lists_and_the_subject_is_the_title():
    html = html_version(subject="2 <waiting>", body="Waiting:\n\n- 1 edit\n- 1 report\n")
    assert "<li" in html and html.count("<li") == 2 and "<title>2 &lt;waiting&gt;</title>" in html
    assert '<html lang="en-GB"' in html and '<meta name="color-scheme" content="light dark">' in html
