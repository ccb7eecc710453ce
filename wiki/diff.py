"""Readable differences between two versions of a page."""

import re
from difflib import SequenceMatcher

from wiki.models import PageVersion, Topic

FIELD_LABELS = {
    "title": "Title", "slug": "Web address", "summary": "Summary", "topic": "Topic",
    "sources": "Sources", "last_checked": "Facts last checked", "next_review": "Next review due",
}


def _show(name: str, value) -> str:
    if name == "topic":
        return Topic(value).label if value in Topic.values else str(value)
    return "" if value is None else str(value)


def field_changes(old: dict, new: dict) -> list[dict]:
    """Changed fields other than the body, as label/old/new."""
    return [{"label": label, "old": _show(name, old.get(name)), "new": _show(name, new.get(name))}
            for name, label in FIELD_LABELS.items() if _show(name, old.get(name)) != _show(name, new.get(name))]


def line_diff(old: str, new: str, *, context: int = 2) -> list[list[tuple[str, str]]]:
    """Hunks of (kind, line) with kind "same", "added" or "removed"; unchanged stretches trimmed."""
    old_lines, new_lines = (old or "").splitlines(), (new or "").splitlines()
    matcher = SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunk = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.extend(("same", line) for line in old_lines[i1:i2])
                continue
            hunk.extend(("removed", line) for line in old_lines[i1:i2])
            hunk.extend(("added", line) for line in new_lines[j1:j2])
        hunks.append(hunk)
    return hunks


_BLOCKS = re.compile(r"\n\s*\n")
_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# Below this likeness two paragraphs are shown as one removed and one added, not as word soup.
_PAIR_LIKENESS = 0.4


def _blocks(text: str) -> list[str]:
    return [block.strip("\n") for block in _BLOCKS.split((text or "").replace("\r\n", "\n")) if block.strip()]


def _word_parts(old: str, new: str) -> list[tuple[str, str]] | None:
    """(op, text) parts that turn old into new word by word, op "same", "removed" or "added";
    None when they have too little in common to read that way."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    if matcher.ratio() < _PAIR_LIKENESS:
        return None
    parts: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(("added", "".join(b[j1:j2])))
    return parts


def word_diff(old: str, new: str, *, context: int = 1) -> list[list[dict]]:
    """Hunks of paragraphs, each {"kind": same|changed|removed|added, "parts": [(op, text)]}.

    Paragraphs (Markdown blocks) are compared, and a changed paragraph shows the words that
    changed inside it, so a reader sees "pay £10 → £12" rather than two whole lines, and
    the blank lines between paragraphs never show as empty rows.
    """
    old_blocks, new_blocks = _blocks(old), _blocks(new)
    matcher = SequenceMatcher(a=old_blocks, b=new_blocks, autojunk=False)
    hunks = []
    for group in matcher.get_grouped_opcodes(context):
        hunk: list[dict] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                hunk.extend({"kind": "same", "parts": [("same", block)]} for block in old_blocks[i1:i2])
                continue
            removed, added = old_blocks[i1:i2], new_blocks[j1:j2]
            for index in range(max(len(removed), len(added))):
                before = removed[index] if index < len(removed) else None
                after = added[index] if index < len(added) else None
                parts = _word_parts(before, after) if before is not None and after is not None else None
                if parts is not None:
                    hunk.append({"kind": "changed", "parts": parts})
                    continue
                if before is not None:
                    hunk.append({"kind": "removed", "parts": [("removed", before)]})
                if after is not None:
                    hunk.append({"kind": "added", "parts": [("added", after)]})
        hunks.append(hunk)
    return hunks


def removes_anything(hunks: list[list[dict]]) -> bool:
    """Whether a word diff takes anything out of the old text."""
    return any(op == "removed" for hunk in hunks for block in hunk for op, _ in block["parts"])


def own_change(proposal) -> dict:
    """An edit against the version its author edited (empty for a new page): what the author changed.

    For the author's own view, and a decided edit's review: once published, the page matches the edit,
    so comparing with the page now would show no change at all.
    """
    new = proposal.content()
    base = (PageVersion.objects.filter(page_id=proposal.page_id, number=proposal.base_revision).first()
            if proposal.page_id and proposal.base_revision else None)
    old = base.content() if base else {name: "" for name in new}
    return {"changes": field_changes(old, new), "hunks": word_diff(old["body"], new["body"]),
            "is_stale": bool(proposal.is_pending() and proposal.page_id
                             and proposal.page.revision != proposal.base_revision)}
