"""What every email must be: a plain-text part and an HTML part in our design, links only to SITE_URL."""

import re
from html.parser import HTMLParser

from django.conf import settings

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"')\]]+")


class _Links(HTMLParser):
    """Every href and src in the HTML, and its visible text with tags removed."""

    def __init__(self):
        super().__init__()
        self.links, self.text, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.links += [value for name, value in attrs if name in ("href", "src", "action") and value]

    def handle_data(self, data):
        self.text.append(data)


def html_part(message) -> str:
    """The one text/html alternative of a sent email (its text/plain part is message.body)."""
    assert message.content_subtype == "plain", message.subject
    html = [content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html"]
    assert len(html) == 1, f"{message.subject}: no HTML part"
    return html[0]


def check_parts(message, *, member_hosts: tuple[str, ...] = ()) -> str:
    """Assert both parts exist and every link in the HTML goes to SITE_URL; return the HTML.

    ``member_hosts``: hosts a member wrote into their quoted text; they may appear as text, never as a link.
    """
    site = settings.SITE_URL
    assert message.body.strip(), message.subject
    html = html_part(message)
    parser = _Links()
    parser.feed(html)
    assert parser.links, message.subject
    assert all(link == site + "/" or link.startswith(site + "/") for link in parser.links), parser.links
    visible = [url for url in URL.findall("".join(parser.text)) if not any(host in url for host in member_hosts)]
    assert all(url.startswith(site + "/") for url in visible), (message.subject, visible)
    assert '<html lang="en' in html and "img" not in parser.tags and "script" not in parser.tags
    # Every button has its address shown as a visible link beside it.
    for button in re.findall(r'class="email-button" href="([^"]+)"', html):
        assert f">{button}</a>" in html, button
    return html
