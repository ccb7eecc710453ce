"""Readable differences between two versions of a page."""

from difflib import SequenceMatcher

from wiki.models import Topic

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


def proposal_diff(proposal) -> dict:
    """A proposed edit against the page as it is now (empty for a new page), for its author and moderators."""
    new = proposal.content()
    current = ({name: getattr(proposal.page, name) for name in new} if proposal.page_id
               else {name: "" for name in new})
    return {"changes": field_changes(current, new), "hunks": line_diff(current["body"], new["body"]),
            "is_stale": bool(proposal.page_id and proposal.page.revision != proposal.base_revision)}
