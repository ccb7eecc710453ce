"""The one sanitising path: render_markdown."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from mycarebudget.text import render_markdown

CORPUS = Path(__file__).resolve().parent.parent / "data" / "xss_payloads.txt"


def load_payloads() -> list[str]:
    payloads = []
    for line in CORPUS.read_text(encoding="utf-8").split("\n"):
        if not line.strip() or line.startswith("#"):
            continue
        payloads.append(re.sub(r"\\(n|\\)", lambda m: "\n" if m.group(1) == "n" else "\\", line))
    return payloads


PAYLOADS = load_payloads()
ALLOWED_TAG_NAMES = {"p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "b", "i",
                     "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "span"}
ALLOWED_ATTRS = {"href", "title", "rel", "class", "id", "align"}


class _Elements(HTMLParser):
    """What a browser would build: every element and attribute, entities decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_comment(self, data):
        self.comments.append(data)


def elements_of(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


def test_corpus_has_at_least_150_payloads():
    assert len(PAYLOADS) >= 150


@pytest.mark.parametrize("payload", PAYLOADS, ids=range(len(PAYLOADS)))
def test_no_payload_survives(payload):
    html = str(render_markdown(payload))
    parsed = elements_of(html)
    assert parsed.comments == [], html
    for tag, attrs in parsed.elements:
        assert tag in ALLOWED_TAG_NAMES, f"<{tag}> in {html!r}"
        assert set(attrs) <= ALLOWED_ATTRS | ({"tabindex"} if tag == "table" else set()), f"{attrs} in {html!r}"
        assert attrs.get("tabindex", "0") == "0", f"{attrs} in {html!r}"
        href = "".join((attrs.get("href") or "").split()).lower()
        href = re.sub(r"[\x00-\x20\u200b-\u200f\u2060\ufeff]", "", href)
        # What a browser takes as the scheme (WHATWG URL): letters, digits, + - . before a colon.
        scheme = re.match(r"^([a-z][a-z0-9+.\-]*):", href)
        assert scheme is None or scheme.group(1) in {"http", "https", "mailto"}, f"href {href!r} in {html!r}"


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown('<a href="https://x.example" onclick="alert(1)">hi</a> <b>bold</b>')
    assert "&lt;a href" in html and "&lt;b&gt;" in html and "<b>" not in html
    # The address in the text becomes a link of our own (bare addresses do); the typed tag never does.
    assert [attrs for tag, attrs in elements_of(html).elements if tag == "a"] == [
        {"href": "https://x.example", "rel": "nofollow ugc noopener"}]


def test_external_links_get_rel_nofollow_ugc_noopener():
    html = render_markdown("[NHS](https://www.england.nhs.uk/) and <https://example.com>")
    assert html.count('rel="nofollow ugc noopener"') == 2


def test_internal_links_have_no_rel():
    assert "rel=" not in render_markdown("[Guide](/wiki/glossary/)")


def test_javascript_link_loses_its_address():
    html = render_markdown("[x](javascript:alert(1)) [y](JaVaScRiPt:alert(1)) [z](java&#09;script:alert(1))")
    assert "javascript" not in html.lower().replace("&amp;", "&").replace("java&#09;script", "")
    assert "href" not in html


def test_headings_get_stable_ids_and_h1_becomes_h2():
    html = render_markdown("# Top\n\n## Paying your PA\n\n## Paying your PA\n\n###### Deep")
    assert '<h2 id="top">Top</h2>' in html
    assert 'id="paying-your-pa"' in html and 'id="paying-your-pa_1"' in html
    assert "<h4" in html and "<h1" not in html and "<h6" not in html


def test_tables_lists_quotes_and_code_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n- one\n\n> quote\n\n`code`")
    for tag in ('<table tabindex="0">', "<td>", "<ul>", "<blockquote>", "<code>"):
        assert tag in html


def test_missing_wiki_link_is_marked():
    html = render_markdown("[[Not written yet]] and [[Glossary]]", known_pages={"glossary"})
    assert 'class="app-missing-link" href="/wiki/not-written-yet/"' in html
    assert '<a href="/wiki/glossary/">Glossary</a>' in html
    assert "page not written yet" in html


def test_wiki_link_uses_the_page_slug_for_its_title():
    html = render_markdown("[[Who has a right?]]", title_slugs={"who has a right?": "who-can-get"},
                           known_pages={"who-can-get"})
    assert 'href="/wiki/who-can-get/"' in html and "missing" not in html


def test_only_the_sanitiser_marks_text_safe():
    """mark_safe appears only in mycarebudget/text.py; no template uses |safe."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    for path in list(root.glob("*/**/*.py")) + list(root.glob("templates/**/*.html")):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if ("mark_safe(" in text and path.name != "text.py") or "|safe" in text or "{% autoescape off" in text:
            offenders.append(str(path.relative_to(root)))
    assert offenders == []


def test_a_table_can_be_reached_by_keyboard_to_scroll_it_on_a_phone():
    """Tables scroll sideways at 320 px, so they take focus (axe scrollable-region-focusable, found by a
    first user); no other tabindex gets through the sanitiser."""
    from mycarebudget.text import render_markdown

    html = render_markdown("| Option | Who pays |\n|---|---|\n| Direct payment | You |\n")
    assert '<table tabindex="0">' in html
    assert "<p tabindex" not in render_markdown('<p tabindex="5">x</p>')
