"""The only place user-written text becomes HTML.

Markdown (with raw HTML switched off) then bleach.clean against an allowlist.
Wiki pages and forum posts both come through render_markdown; the HTML it
returns is stored, and stored_html() is the one way to put it back on a page.
"""

import re
import xml.etree.ElementTree as etree
from urllib.parse import urlsplit

import bleach
import markdown
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify
from markdown.extensions import Extension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "ul", "ol", "li", "a", "strong", "em", "b", "i",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "span",
    "img",  # pictograms only: see _pictogram_attribute
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel", "class"],
    "h2": ["id"], "h3": ["id"], "h4": ["id"],
    "th": ["align"], "td": ["align"],
    # A wide table scrolls sideways on a phone: it takes keyboard focus so it can be scrolled (WCAG 2.1.1).
    "table": lambda tag, name, value: name == "tabindex" and value == "0",
    "span": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "nofollow ugc noopener"
MISSING_LINK_CLASS = "app-missing-link"

WIKI_LINK_RE = r"\[\[([^\[\]\n|]{1,200})(?:\|([^\[\]\n]{1,200}))?\]\]"
_WIKI_LINK = re.compile(WIKI_LINK_RE)
_INTERNAL_WIKI_PATH = re.compile(r"^/wiki/([a-z0-9][a-z0-9-]*)/?(?:#.*)?$")
RESERVED_WIKI_SLUGS = frozenset({"new", "recent", "id", "feed", "search", "topics", "my-edits", "edits", "index"})

# Easy Read pictures: {picture:name} places one of our own drawings (static/pictograms/) with its
# text alternative. They are the only images the sanitiser lets through.
PICTOGRAMS = {
    "money": "Money", "doctor": "Doctor", "plan": "Plan", "person": "Person", "helper": "Helper",
    "home": "Home", "phone": "Phone", "calendar": "Calendar", "question": "Question", "yes": "Yes",
    "no": "No", "letter": "Letter", "bank": "Bank",
}
PICTOGRAM_RE = r"\{picture:([a-z]+)\}"
PICTOGRAM_CLASS = "app-pictogram"
PICTOGRAM_SIZE = "64"


def pictogram_url(name: str) -> str:
    # STATIC_URL, written out: the renderer process runs without Django settings, and the stored HTML keeps it.
    return f"/static/pictograms/{name}.svg"


def _pictogram_attribute(tag: str, name: str, value: str) -> bool:
    return ((name == "src" and value in {pictogram_url(known) for known in PICTOGRAMS})
            or (name == "alt" and value in PICTOGRAMS.values())
            or (name == "class" and value == PICTOGRAM_CLASS)
            or (name in ("width", "height") and value == PICTOGRAM_SIZE))


ALLOWED_ATTRIBUTES["img"] = _pictogram_attribute


def wiki_slug(title: str) -> str:
    """The slug a [[Page title]] link points at."""
    return slugify(title)[:80]


def wiki_link_titles(text: str) -> set[str]:
    """The page titles named in [[Page title]] links."""
    return {match.group(1).strip() for match in _WIKI_LINK.finditer(text or "")}


def _title_slug(title: str, title_slugs: dict[str, str] | None) -> str:
    return (title_slugs or {}).get(title.strip().lower()) or wiki_slug(title)


def linked_wiki_slugs(text: str, title_slugs: dict[str, str] | None = None) -> set[str]:
    """Slugs of the wiki pages that this Markdown links to, by either syntax.

    title_slugs maps lower-cased titles of existing pages to their slugs, so
    [[Page title]] finds a page whatever its address.
    """
    slugs = {_title_slug(title, title_slugs) for title in wiki_link_titles(text)}
    for path in re.findall(r"\]\(\s*<?(/wiki/[^)\s>]+)", text):
        found = _INTERNAL_WIKI_PATH.match(path)
        if found and found.group(1) not in RESERVED_WIKI_SLUGS:
            slugs.add(found.group(1))
    return {slug for slug in slugs if slug}


class _WikiLinkPattern(InlineProcessor):
    def __init__(self, pattern, md, title_slugs):
        super().__init__(pattern, md)
        self.title_slugs = title_slugs

    def handleMatch(self, match, data):
        title, label = match.group(1).strip(), (match.group(2) or "").strip()
        link = etree.Element("a")
        link.set("href", f"/wiki/{_title_slug(title, self.title_slugs)}/")
        link.text = label or title
        return link, match.start(0), match.end(0)


class _LinkAndHeadingPolicy(Treeprocessor):
    """Marks external and missing links; keeps headings at h2 to h4 (h1 is the page title); lets a
    keyboard reach a table, which may scroll sideways."""

    def __init__(self, md, known_pages):
        super().__init__(md)
        self.known_pages = known_pages

    def run(self, root):
        for element in root.iter():
            if element.tag in ("h1", "h5", "h6"):
                element.tag = {"h1": "h2", "h5": "h4", "h6": "h4"}[element.tag]
            if element.tag == "table":
                element.set("tabindex", "0")
            if element.tag != "a":
                continue
            href = (element.get("href") or "").strip()
            parts = urlsplit(href)
            if parts.scheme or parts.netloc:
                element.set("rel", EXTERNAL_REL)
                continue
            internal = _INTERNAL_WIKI_PATH.match(href)
            if (self.known_pages is not None and internal
                    and internal.group(1) not in RESERVED_WIKI_SLUGS
                    and internal.group(1) not in self.known_pages):
                element.set("class", MISSING_LINK_CLASS)
                element.set("title", "This page has not been written yet")
                hidden = etree.SubElement(element, "span")
                hidden.set("class", "govuk-visually-hidden")
                hidden.text = " (page not written yet)"


# A bare web address in the text: http(s)://… or www.…, not in the middle of a word or another address.
# It stops at spaces, quotes, angle brackets and Markdown's stashed entities; a backslash escape
# (\x02<code point>\x03) stays in it, and Markdown's own unescape step turns it back into the character.
_BARE_ADDRESS = re.compile(r"(?<![\w@./:-])(?:https?://|www\.)(?:[^\s<>\"\x02\x03]|\x02\d+\x03)+",
                           re.IGNORECASE)
_SENTENCE_END = frozenset(".,:;!?'*_~”’»")
_CLOSER_OF = {")": "(", "]": "[", "}": "{"}
_NOT_LINKED_INSIDE = frozenset({"a", "code", "pre"})


def _trim_address(address: str) -> str:
    """Leave out what ends the sentence, not the address: trailing punctuation, and a closing bracket
    with no opening one in the address (so a Wikipedia "…_(film)" keeps its own)."""
    while address:
        last = address[-1]
        if last in _SENTENCE_END or (last in _CLOSER_OF
                                     and address.count(last) > address.count(_CLOSER_OF[last])):
            address = address[:-1]
        else:
            break
    return address


def _address_link(address: str) -> etree.Element | None:
    href = address if "://" in address else f"https://{address}"
    if not urlsplit(href).hostname or "." not in address.split("://")[-1].split("/")[0].strip("."):
        return None  # "http://" or "www." alone
    link = etree.Element("a", {"href": href})
    link.text = AtomicString(address)
    return link


def _split_addresses(text: str | None) -> tuple[str | None, list]:
    """(text before the first address, [links, each with the text after it as its tail])."""
    if not text or isinstance(text, AtomicString) or ("www" not in text.lower() and "http" not in text.lower()):
        return text, []
    head, links, end = None, [], 0
    for match in _BARE_ADDRESS.finditer(text):
        address = _trim_address(match.group(0))
        link = _address_link(address) if address else None
        if link is None:
            continue
        before = text[end:match.start()]
        if links:
            links[-1].tail = before
        else:
            head = before
        links.append(link)
        end = match.start() + len(address)
    if not links:
        return text, []
    links[-1].tail = text[end:]
    return head, links


class _BareAddresses(Treeprocessor):
    """Bare web addresses become links (never inside code or an existing link). Runs before
    _LinkAndHeadingPolicy, which marks them external like any other link."""

    def run(self, root):
        skipped = set()
        for element in root.iter():
            if element.tag in _NOT_LINKED_INSIDE:
                skipped.update(id(inner) for inner in element.iter())
        for element in list(root.iter()):
            if id(element) in skipped:
                continue
            children = []
            element.text, links = _split_addresses(element.text)
            children.extend(links)
            for child in list(element):  # a child's tail is its parent's text, even after a link or code
                children.append(child)
                child.tail, links = _split_addresses(child.tail)
                children.extend(links)
            if len(children) != len(element):
                element[:] = children


class _PicturePattern(InlineProcessor):
    def handleMatch(self, match, data):
        name = match.group(1)
        if name not in PICTOGRAMS:
            return None, None, None  # left as typed
        image = etree.Element("img", {"src": pictogram_url(name), "alt": PICTOGRAMS[name], "class": PICTOGRAM_CLASS,
                                      "width": PICTOGRAM_SIZE, "height": PICTOGRAM_SIZE})
        return image, match.start(0), match.end(0)


class _OnlyPictograms(Treeprocessor):
    """Markdown's own image syntax would load anything from anywhere: it shows its alt text instead."""

    def run(self, root):
        for element in root.iter("img"):
            if element.get("class") != PICTOGRAM_CLASS:
                alt, tail = element.get("alt", ""), element.tail
                element.clear()
                element.tag, element.text, element.tail = "span", alt, tail


class _SafeMarkdown(Extension):
    def __init__(self, known_pages, title_slugs):
        super().__init__()
        self.known_pages = known_pages
        self.title_slugs = title_slugs

    def extendMarkdown(self, md):
        # Raw HTML is text, never markup: drop the processors that pass it through.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.inlinePatterns.register(_WikiLinkPattern(WIKI_LINK_RE, md, self.title_slugs), "wikilink", 175)
        md.treeprocessors.register(_LinkAndHeadingPolicy(md, self.known_pages), "mcb_policy", 1)
        md.inlinePatterns.register(_PicturePattern(PICTOGRAM_RE, md), "pictogram", 176)
        md.treeprocessors.register(_OnlyPictograms(md), "mcb_pictograms", 2)
        md.treeprocessors.register(_BareAddresses(md), "mcb_bare_addresses", 3)


def render_markdown(text: str, *, known_pages: set[str] | None = None,
                    title_slugs: dict[str, str] | None = None) -> SafeString:
    """The only place user-written text becomes HTML.

    known_pages: slugs of wiki pages that exist; internal wiki links to other
    slugs are marked as missing. None skips that check (forum posts).
    title_slugs: lower-cased page titles to slugs, for [[Page title]] links.

    Runs within a time and nesting budget (mycarebudget/render_budget.py): raises
    TextTooComplex, with a message for the writer, rather than work without bound.
    """
    from mycarebudget.render_budget import render_within_budget

    html = render_within_budget(text or "", known_pages=known_pages, title_slugs=title_slugs)
    return mark_safe(html)  # noqa: S308 -- sanitised by _render_html, in the budgeted renderer


def validate_markdown(text: str) -> None:
    """Form validator: refuse, before anything is saved or locked, text the renderer would refuse."""
    from django.core.exceptions import ValidationError

    from mycarebudget.render_budget import TextTooComplex

    try:
        render_markdown(text)
    except TextTooComplex as refusal:
        raise ValidationError(str(refusal), code="too_complex") from None


def _render_html(text: str, known_pages: set[str] | None, title_slugs: dict[str, str] | None) -> str:
    """Markdown, then bleach. Runs in the renderer process; the result is safe to mark safe."""
    converter = markdown.Markdown(
        extensions=["tables", "fenced_code", "sane_lists",
                    TocExtension(slugify=lambda value, sep: slugify(value), toc_depth="2-4"),
                    _SafeMarkdown(known_pages, title_slugs)],
        output_format="html",
    )
    html = converter.convert(text)
    return bleach.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        protocols=ALLOWED_PROTOCOLS, strip=True, strip_comments=True)


def stored_html(value: str | None) -> SafeString:
    """HTML we made and stored: render_markdown's output, or a template's (wiki.services.article, escaped as
    it was rendered). Never call it on anything else."""
    return mark_safe(value or "")  # noqa: S308 -- only render_markdown or template output is ever stored


if __name__ == "__main__":  # the budgeted renderer process that mycarebudget/render_budget.py starts
    from mycarebudget.render_budget import serve

    serve(_render_html)
