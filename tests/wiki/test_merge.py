"""The three-way merge of page text: changes in different places merge, changes in the same place do not."""

import pytest

from wiki.merge import MergeConflict, merge_text

# A guide's text as the starter loader stores it: ending with a line break. Text sent from
# the edit form has its last line break trimmed, so both shapes meet in a merge.
BASE = ("This page is for anyone unhappy with a decision about their budget.\n\n"
        "## Where to get help\n\n"
        "- Citizens Advice gives free advice on rights, money and complaints.\n")
AT_START = BASE.replace("anyone unhappy", "anyone who is unhappy")
AT_END = BASE.replace("and complaints.", "and complaints. It can help you write a letter.")
NEW_LAST_LINE = BASE + "- Your local Healthwatch can help too.\n"


@pytest.mark.parametrize(("base", "ours", "theirs", "expected"), [
    # One person changed the start, the other added to the last line; each sent from the form.
    (BASE, AT_START.rstrip("\n"), AT_END.rstrip("\n"),
     AT_START.replace("and complaints.", "and complaints. It can help you write a letter.").rstrip("\n")),
    # The same, the other way round.
    (BASE, AT_END.rstrip("\n"), AT_START.rstrip("\n"),
     AT_START.replace("and complaints.", "and complaints. It can help you write a letter.").rstrip("\n")),
    # Only the edit at the end came from the form (the last line break goes with whoever changed it).
    (BASE, AT_START, AT_END.rstrip("\n"),
     AT_START.replace("and complaints.", "and complaints. It can help you write a letter.").rstrip("\n")),
    # Neither text ends with a line break.
    (BASE.rstrip("\n"), AT_START.rstrip("\n"), AT_END.rstrip("\n"),
     AT_START.replace("and complaints.", "and complaints. It can help you write a letter.").rstrip("\n")),
    # A new line added at the end, rather than text added to the last line.
    (BASE, AT_START.rstrip("\n"), NEW_LAST_LINE.rstrip("\n"),
     AT_START + "- Your local Healthwatch can help too."),
    (BASE.rstrip("\n"), AT_START.rstrip("\n"), NEW_LAST_LINE.rstrip("\n"),
     AT_START + "- Your local Healthwatch can help too."),
])
def test_a_change_at_the_start_and_one_at_the_end_merge(base, ours, theirs, expected):
    assert merge_text(base, ours, theirs) == expected


def test_trimming_the_last_line_break_alone_is_not_a_change():
    assert merge_text(BASE, BASE.rstrip("\n"), AT_END) == AT_END.rstrip("\n")
    assert merge_text(BASE, AT_END, BASE.rstrip("\n")) == AT_END.rstrip("\n")


@pytest.mark.parametrize(("ours", "theirs"), [
    # Both changed the last line, in different ways.
    (BASE.replace("and complaints.", "and appeals.").rstrip("\n"), AT_END.rstrip("\n")),
    (BASE.replace("and complaints.", "and appeals."), AT_END.rstrip("\n")),
    # Both added a different line at the end.
    (BASE + "- Healthwatch can help.", NEW_LAST_LINE.rstrip("\n")),
])
def test_changes_to_the_same_place_at_the_end_still_conflict(ours, theirs):
    with pytest.raises(MergeConflict):
        merge_text(BASE, ours, theirs)
