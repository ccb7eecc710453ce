"""Content checks shown beside an edit's preview, as Wagtail's content checks are: advice, never a block.

Reading grade (Flesch-Kincaid, with a simple syllable count: textstat needs NLTK data
downloaded at run time, which we will not do), sentences over 25 words, short forms from
the glossary used without their meaning, and links to guides that do not exist.
"""

import re
from dataclasses import dataclass, field

from django.utils.html import strip_tags

from mycarebudget.text import linked_wiki_slugs

LONG_SENTENCE_WORDS = 25
TARGET_GRADE = 8
GLOSSARY_SLUG = "glossary"
# "- **ICB (integrated care board)**: ..." in the glossary page
_GLOSSARY_ENTRY = re.compile(r"^\s*[-*]\s+\*\*([A-Z][A-Z0-9]{1,7})\s*\(([^)]+)\)\*\*", re.MULTILINE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*|\d+")


@dataclass
class Check:
    title: str
    passed: bool
    detail: str = ""
    items: list[str] = field(default_factory=list)


def _syllables(word: str) -> int:
    word = word.lower().strip("'’-")
    groups = re.findall(r"[aeiouy]+", word)
    count = len(groups) - (1 if word.endswith("e") and len(groups) > 1 and not word.endswith("le") else 0)
    return max(1, count)


def sentences(text: str) -> list[str]:
    return [sentence.strip() for sentence in _SENTENCE_END.split(text) if _WORD.search(sentence or "")]


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level: about the US school year a reader needs."""
    found = sentences(text)
    words = _WORD.findall(text)
    if not found or not words:
        return 0.0
    syllables = sum(_syllables(word) for word in words)
    return round(0.39 * len(words) / len(found) + 11.8 * syllables / len(words) - 15.59, 1)


def glossary_terms(glossary_body: str) -> dict[str, str]:
    """Short forms the glossary explains: {"ICB": "integrated care board"}."""
    return {short: meaning.strip() for short, meaning in _GLOSSARY_ENTRY.findall(glossary_body or "")}


def content_checks(*, body: str, body_html: str, glossary_body: str, known_slugs: set[str],
                   title_slugs: dict[str, str]) -> list[Check]:
    text = " ".join(strip_tags(re.sub(r"<(/p|/li|/h[2-4]|br)>", r"<\1>\n", body_html)).split(" "))
    grade = reading_grade(text)
    checks = [Check("Reading grade", grade <= TARGET_GRADE,
                    f"Grade {grade:g}. Aim for {TARGET_GRADE} or lower: shorter sentences and everyday words help.")]
    long = [sentence for sentence in sentences(text) if len(_WORD.findall(sentence)) > LONG_SENTENCE_WORDS]
    checks.append(Check(f"Sentences over {LONG_SENTENCE_WORDS} words", not long,
                        f"{len(long)} found. Split them in two." if long else "None found.",
                        [sentence if len(sentence) <= 160 else sentence[:157] + "…" for sentence in long]))
    unexplained = []
    for short, meaning in glossary_terms(glossary_body).items():
        if re.search(rf"\b{short}s?\b", body) and meaning.lower() not in body.lower():
            unexplained.append(f"{short} ({meaning})")
    checks.append(Check("Short forms without their meaning", not unexplained,
                        "Say what each means the first time you use it." if unexplained else "None found.",
                        unexplained))
    missing = sorted(linked_wiki_slugs(body, title_slugs) - known_slugs)
    checks.append(Check("Links to guides that do not exist", not missing,
                        "Check the titles, or write these guides next." if missing else "None found.",
                        [f"/wiki/{slug}/" for slug in missing]))
    return checks
