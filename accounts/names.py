"""Display names no one can fake: one key per name, blind to case and look-alike characters.

Unicode's confusables (TR39) would be the full answer; this folds what people actually use to
impersonate on a Latin-script site: case, accents, full-width and styled letters (NFKC),
Cyrillic and Greek look-alikes, digits for letters, and spacing or punctuation.
"""

import re
import unicodedata

# Cyrillic and Greek letters that look like Latin ones, after casefolding.
LOOKALIKES = str.maketrans({
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p", "с": "c",
    "т": "t", "у": "y", "х": "x", "і": "i", "ї": "i", "ј": "j", "ѕ": "s", "ԁ": "d", "ԛ": "q", "ԝ": "w",
    "һ": "h", "ɡ": "g", "ɑ": "a", "ο": "o", "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k",
    "ν": "v", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "γ": "y", "μ": "u",
    # Letters and digits that pass for each other in most fonts.
    "0": "o", "1": "i", "l": "i", "|": "i", "!": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b",
    "$": "s", "@": "a",
})

# Names that pretend to a role or to speak for the site or the NHS. Long ones are refused
# anywhere in the name ("TheModeratorTeam"); short ones as a word ("NHS Priya", not "Badminton").
ROLE_ANYWHERE = ("moderator", "administrator", "mycarebudget", "carebudgetteam", "sitestaff")
ROLE_WORDS = {"mod", "mods", "admin", "admins", "nhs", "icb", "staff", "official", "sysadmin", "helpdesk",
              "webmaster"}


def fold(name: str) -> str:
    """Lower case, compatibility forms (full-width, styled letters) and accents removed, look-alikes mapped."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return text.translate(LOOKALIKES)


def name_key(name: str) -> str:
    """The key two names share when they would look the same: 'Priya', 'PRIYA', 'Prіya' (Cyrillic і), 'Pri-ya'."""
    return "".join(ch for ch in fold(name) if ch.isalnum())


def pretends_to_a_role(name: str) -> bool:
    folded = fold(name)
    squashed = re.sub(r"[^a-z]", "", folded)
    words = set(re.findall(r"[a-z]+", folded))
    return any(role in squashed for role in ROLE_ANYWHERE) or bool(words & ROLE_WORDS)
