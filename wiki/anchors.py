"""Heading anchors that outlive rewording.

When a heading is reworded its id changes (ids come from the words), and every
"#before-you-start" link others made would land at the top of the page. Each
published version keeps the old ids as aliases: an empty element carrying the old
id just before the section's heading, so old links still land on that section.
"""

import re
from difflib import SequenceMatcher

_HEADING = re.compile(r'<h([234]) id="([^"]+)">')
_SAFE_ID = re.compile(r"^[a-z0-9_-]{1,120}$")


def heading_ids(html: str) -> list[str]:
    return [anchor for _, anchor in _HEADING.findall(html)]


def _successors(old: list[str], new: list[str]) -> dict[str, str]:
    """Where each heading id that went away now lives: the heading that took its place,
    or the next one after it (the section it was folded into)."""
    moved: dict[str, str] = {}
    if not new:
        return moved
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        for k, anchor in enumerate(old[i1:i2]):
            if anchor in new:
                continue
            if j2 > j1:  # reworded: the heading in the same place
                moved[anchor] = new[j1 + min(k, j2 - j1 - 1)]
            else:  # removed: the section that follows now holds its place
                moved[anchor] = new[min(j1, len(new) - 1)]
    return moved


def updated_aliases(aliases: dict[str, str], old_html: str, new_html: str) -> dict[str, str]:
    """The page's alias map after a new version: {old id: current id}."""
    old, new = heading_ids(old_html), heading_ids(new_html)
    moved = _successors(old, new)
    result = {}
    for alias, target in {**aliases, **moved}.items():
        target = moved.get(target, target)
        if alias not in new and target in new:  # an id in use again is a real heading, not an alias
            result[alias] = target
    return result


def with_aliases(html: str, aliases: dict[str, str]) -> str:
    """Put each alias just before the heading it points to (ids are slugs we made, checked again here)."""
    by_target: dict[str, list[str]] = {}
    for alias, target in aliases.items():
        if _SAFE_ID.match(alias):
            by_target.setdefault(target, []).append(alias)

    def add(match: re.Match) -> str:
        spans = "".join(f'<span id="{alias}" class="app-anchor-alias"></span>'
                        for alias in sorted(by_target.get(match[2], [])))
        return spans + match[0]

    return _HEADING.sub(add, html) if by_target else html
