"""Plain text of a guide, sentence by sentence, and its Flesch-Kincaid grade (textstat)."""

import re
from html.parser import HTMLParser

import textstat

from mycarebudget.text import render_markdown

_BLOCKS = {"p", "li", "h2", "h3", "h4", "td", "th", "dt", "dd"}
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
# A sentence ends at . ? or ! followed by a space and a capital, a digit or a quote.
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=[A-Z0-9“\"'£(])")

textstat.set_lang("en_GB")


class _Blocks(HTMLParser):
    """Collects the text of each block (paragraph, list item, heading, cell) on its own."""

    def __init__(self):
        super().__init__()
        self.blocks: list[str] = []
        self._current: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag):
        if tag in _BLOCKS:
            self._flush()

    def handle_data(self, data):
        self._current.append(data)

    def _flush(self):
        text = " ".join(" ".join(self._current).split())
        if text:
            self.blocks.append(text)
        self._current = []


def sentences(markdown_text: str) -> list[str]:
    """Each sentence of the rendered page; a heading or list item without a full stop is one sentence."""
    parser = _Blocks()
    parser.feed(render_markdown(markdown_text))
    parser.close()
    parser._flush()
    found = []
    for block in parser.blocks:
        block = _URL.sub("", block).strip()
        for sentence in _SENTENCE_END.split(block):
            sentence = sentence.strip()
            if re.search(r"[A-Za-z0-9]", sentence):
                found.append(sentence)
    return found


def plain_text(markdown_text: str) -> str:
    """The sentences joined, each closed with a full stop, as textstat expects."""
    return " ".join(s if s[-1] in ".?!" else s.rstrip(":;,") + "." for s in sentences(markdown_text))


def grade(markdown_text: str) -> float:
    return textstat.flesch_kincaid_grade(plain_text(markdown_text))


def words(sentence: str) -> int:
    return len(re.findall(r"[A-Za-z0-9£][A-Za-z0-9£'’.,%-]*", sentence))
