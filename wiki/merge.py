"""Three-way merge of page text, so edits that do not overlap never conflict."""

from difflib import SequenceMatcher


class MergeConflict(Exception):
    """Both sides changed the same lines in different ways."""


def _changes(base: list[str], other: list[str]) -> list[tuple[int, int, list[str]]]:
    """(start, end, replacement) hunks that turn base into other."""
    matcher = SequenceMatcher(a=base, b=other, autojunk=False)
    return [(i1, i2, other[j1:j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _overlap(a: tuple[int, int, list[str]], b: tuple[int, int, list[str]]) -> bool:
    (a1, a2, _), (b1, b2, _) = a, b
    if a1 == a2 and b1 == b2:  # two insertions at the same point
        return a1 == b1
    # Touching hunks count as overlapping: the same neighbourhood is being rewritten.
    return a1 <= b2 and b1 <= a2


def _lines(text: str) -> tuple[list[str], bool]:
    """The text's lines without their line breaks, and whether it ends with a line break.

    The edit form trims the final line break, so a page saved from it can differ from an
    older version only there. Kept apart, that is not a change to the last line, which
    would otherwise clash with anyone who changed or added to the end of the page.
    """
    body = text.removesuffix("\n")
    return body.split("\n"), body != text


def merge_text(base: str, ours: str, theirs: str) -> str:
    """Apply both sets of changes to base. Raises MergeConflict where they overlap.

    base: the text both started from; ours: the page as it is now; theirs: the new edit.
    """
    if ours == theirs or theirs == base:
        return ours
    if ours == base:
        return theirs
    base_lines, base_ends = _lines(base)
    our_lines, our_ends = _lines(ours)
    their_lines, their_ends = _lines(theirs)
    our_hunks = _changes(base_lines, our_lines)
    their_hunks = _changes(base_lines, their_lines)
    for mine in our_hunks:
        for other in their_hunks:
            if _overlap(mine, other) and mine != other:
                raise MergeConflict
    merged_hunks = sorted({(h[0], h[1], tuple(h[2])) for h in our_hunks + their_hunks}, key=lambda h: (h[0], h[1]))
    result: list[str] = []
    position = 0
    for start, end, replacement in merged_hunks:
        result.extend(base_lines[position:start])
        result.extend(replacement)
        position = end
    result.extend(base_lines[position:])
    ends_with_break = our_ends if our_ends != base_ends else their_ends
    return "\n".join(result) + ("\n" if ends_with_break else "")


def merge_fields(base: dict, ours: dict, theirs: dict) -> dict:
    """Merge a page's fields: text fields line by line, the rest whole. Raises MergeConflict."""
    merged = {}
    for name, their_value in theirs.items():
        base_value, our_value = base.get(name), ours.get(name)
        if name in ("body", "sources"):
            merged[name] = merge_text(base_value or "", our_value or "", their_value or "")
        elif their_value == base_value:
            merged[name] = our_value
        elif our_value == base_value or our_value == their_value:
            merged[name] = their_value
        else:
            raise MergeConflict(name)
    return merged
