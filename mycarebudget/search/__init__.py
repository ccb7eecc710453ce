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


class MatchCount(int):
    """How many results matched: exact up to a cap, and past it a lower bound.

    Counting every match of a common word costs as much as the search itself, so
    searches stop counting at a cap. It is still an int (comparisons such as "is
    there a next page" work unchanged); `is_lower_bound` says the true count is
    higher, and `label` is what the page shows: "25" or "more than 1,000".
    """

    is_lower_bound: bool
    shown: int

    def __new__(cls, counted: int, *, cap: int | None = None) -> "MatchCount":
        count = super().__new__(cls, counted)
        count.is_lower_bound = cap is not None and counted > cap
        count.shown = cap if count.is_lower_bound else counted
        return count

    @property
    def label(self) -> str:
        return f"more than {self.shown:,}" if self.is_lower_bound else f"{self.shown:,}"


def query_terms(query: str) -> list[str]:
    return [term for term in re.findall(r"\w+", query.lower()) if len(term) > 1][:10]


_SUFFIXES = ("ments", "ment", "ings", "ing", "ers", "er", "ies", "ied", "es", "ed", "s", "y")


def stem(term: str) -> str:
    """A crude English stem, for highlighting only: "employing" and "employer" both mark "employ"."""
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def match_stems(terms: list[str]) -> list[str]:
    """What highlight marks: each term's stem, longest first, matched at the start of a word."""
    return sorted({stem(term) for term in terms}, key=len, reverse=True)


def match_pattern(terms: list[str]) -> re.Pattern:
    return re.compile(r"\b(" + "|".join(re.escape(term) for term in match_stems(terms)) + r")\w*", re.IGNORECASE)


def highlight(text: str, terms: list[str], *, width: int = 220) -> list[tuple[str, bool]]:
    """A window of text around the first match, split into (text, is_match) parts.

    Parts are rendered with autoescaping ({% if part.1 %}<mark>...), so no HTML
    is built here. Terms match word prefixes, so "employ" marks "employing".
    """
    text = " ".join(text.split())
    if not terms:
        return [(text[:width], False)]
    pattern = match_pattern(terms)
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
