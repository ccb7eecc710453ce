"""What the site search shows, whichever app found it (guides or discussions)."""

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "guide" or "discussion"
    title: str
    url: str
    snippet: list[tuple[str, bool]] = field(default_factory=list)  # (text, is_match) parts
    rank: float = 0.0
    meta: str = ""


def query_terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query.lower()) if len(term) > 1][:10]


_SUFFIXES = ("ments", "ment", "ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s", "y")


def stem(term: str) -> str:
    """A crude English stem, for highlighting only: "employing" and "employer" both mark "employ"."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def highlight(text: str, terms: list[str], *, width: int = 220) -> list[tuple[str, bool]]:
    """A window of text around the first match, split into (text, is_match) parts.

    Parts are rendered with autoescaping ({% if part.1 %}<mark>...), so no HTML
    is built here. Terms match word prefixes, so "employ" marks "employing".
    """
    text = " ".join(text.split())
    if not terms:
        return [(text[:width], False)]
    stems = sorted({stem(term) for term in terms}, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(term) for term in stems) + r")\w*", re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, (first.start() if first else 0) - width // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 30 else start
    window = text[start:start + width]
    parts: list[tuple[str, bool]] = [("…", False)] if start else []
    position = 0
    for match in pattern.finditer(window):
        if match.start() > position:
            parts.append((window[position:match.start()], False))
        parts.append((match.group(0), True))
        position = match.end()
    parts.append((window[position:], False))
    if start + width < len(text):
        parts.append(("…", False))
    return parts
